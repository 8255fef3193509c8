"""The background tasks of the web imports, queued through Django's tasks framework (`django.tasks`). The
database backend (django-tasks-db) keeps the queue in the site's own database and `grassroots serve` starts
its worker beside the web server; the tests run them at once (the immediate backend)."""

from __future__ import annotations

from django.tasks import task

from . import jobs, uploads


@task()
def run_import_job(job_id: str) -> str:
    """The dry run of a new upload, or the write of a confirmed one."""
    return jobs.run(job_id)


@task()
def remove_abandoned_uploads() -> int:
    """Delete the import files never confirmed within a day (queued at each new upload)."""
    return uploads.cleanup()
