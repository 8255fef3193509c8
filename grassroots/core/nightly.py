"""Tasks that run every night and queue themselves again for the next one (the kept findings' refresh, the
rollups' monthly marks): when the next run is due, and queueing it unless one is already waiting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def next_night(hour: int, now: dt.datetime | None = None) -> dt.datetime:
    """The next `hour` o'clock, local time, after `now` (default: now): today's if still to come, else tomorrow's."""
    local = timezone.localtime(now or timezone.now())
    nxt = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if nxt <= local:
        nxt = (local + dt.timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return nxt


def queue_unless_waiting(task: Any, run_after: dt.datetime) -> bool:
    """Queue `task` (a django.tasks Task taking no argument) to run at `run_after` unless a run of it is already
    waiting. Only a queue that can hold a task until a given time, django-tasks-db's, can: without a worker there
    is no night. Returns whether one was queued."""
    from django.tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
        return False
    task.using(run_after=run_after).enqueue()
    return True
