"""The background task of the members' rollups, queued through Django's tasks framework: every night, the marks of
the current month that no read has built yet (`rollups.build_marks`; on the first night of a month, every
committee's: `rollups.ahead_nodes`), then the next night's run queued. The worker (`grassroots worker`, started by `grassroots serve`) runs it."""

from __future__ import annotations

from django.tasks import task

from . import rollups


@task()
def build_rollup_marks_nightly() -> int:
    """Build the current month's missing marks of the committees (`rollups.ahead_nodes`), then queue the next
    night's run; how many were built."""
    built = rollups.build_marks(nodes=rollups.ahead_nodes())
    rollups.ensure_nightly_marks()
    return built
