"""The background tasks of the kept findings (`rules.stored`), queued through Django's tasks framework: the
computation of one organization's subtree after writes touched it, and the daily refresh of every organization,
which queues itself again for the next night. The worker (`grassroots worker`, started by `grassroots serve`) runs
them; the tests run them at once (the immediate backend)."""

from __future__ import annotations

from django.tasks import task

from . import stored


@task()
def refresh_findings(org_id: int) -> int:
    """Compute again the findings of one organization's subtree; how many are open (-1: the org is gone)."""
    return stored.run(org_id)


@task()
def refresh_findings_daily() -> dict[str, int]:
    """Compute again the findings of every organization, then queue the next night's refresh."""
    return stored.daily()
