"""The work of a web import, done by the worker (`grassroots serve` starts it beside the web server) and never
inside a request: the dry run of an uploaded file, and after the confirmation the write. The dry run is kept
beside the file when its flow can (`ImportFlow.keep`: a JSON file with the job, the file's SHA-256 and the time of
the dry run); the write starts from it (`ImportFlow.resume`), else plans the kept file again. `tasks.py` queues
them through Django's tasks framework; `run(job_id)` is what a task runs, and what a test calls directly.

How far a job got is not written to the database while it runs (the write holds one transaction, which the
page's poll could not see into): `Reporter` puts it in the shared cache, where `progress_of` reads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from grassroots.core import bulk
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError

from . import uploads
from .models import ImportJob, ImportJobLine, JobStatus

if TYPE_CHECKING:
    from grassroots.core.sheets import ImportPlan

    from .imports import ImportFlow

log = logging.getLogger(__name__)
REPORT_EVERY = 0.5  # seconds between two progress reports in the cache


def _key(job_id: Any) -> str:
    return f"import-job-progress:{job_id}"


class Reporter:
    """The `progress(done, total)` a job hands to the planners: it counts the passes over the rows (each pass
    reports from 0 to its total) and puts the current one in the cache, at most every REPORT_EVERY seconds."""

    def __init__(self, job: ImportJob, steps: list[str]) -> None:
        self.job_id = job.pk
        self.steps = steps
        self.step = 0
        self.last = (0, 0)
        self.at = 0.0
        self.total = 0
        self._put(0, 0, force=True)

    def __call__(self, done: int, total: int) -> None:
        last_done, last_total = self.last
        new_step = (done < last_done or (last_total and last_done == last_total and done == 0)) \
            and self.step < len(self.steps) - 1
        if new_step:
            self.step += 1
        self.last = (done, total)
        if self.step == 0:
            self.total = total
        self._put(done, total, force=bool(new_step) or done == total)

    def _put(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.at >= REPORT_EVERY:
            self.at = now
            cache.set(_key(self.job_id), {"step": self.step + 1, "steps": len(self.steps),
                                          "label": self.steps[self.step], "done": done, "total": total},
                      timeout=24 * 3600)


def progress_of(job: ImportJob) -> dict[str, Any]:
    """How far a running job got: its step (label, number of steps) and rows done of total."""
    found = cache.get(_key(job.pk)) if job.running else None
    if not found:
        waiting = job.status in (JobStatus.QUEUED, JobStatus.CONFIRMED)
        found = {"step": 0, "steps": 0, "done": 0, "total": 0,
                 "label": _("Waiting for the worker") if waiting else _("Reading the file")}
    found["percent"] = int(100 * found["done"] / found["total"]) if found["total"] else 0
    return found


def flow_of(job: ImportJob) -> ImportFlow:
    flow: ImportFlow = import_string(job.kind)
    return flow


def _claim(job_id: Any, was: str, now: str) -> ImportJob | None:
    """Take the job from status `was` to `now`, unless another worker did: the job, or None."""
    if not ImportJob.objects.filter(pk=job_id, status=was).update(status=now, updated_at=timezone.now()):
        return None
    return ImportJob.objects.select_related("user", "org").get(pk=job_id)


def run(job_id: Any) -> str:
    """Do what the job waits for: its dry run when just uploaded, its write when confirmed. Returns its status."""
    job = _claim(job_id, JobStatus.QUEUED, JobStatus.CHECKING)
    if job is not None:
        _run(job, apply=False)
    else:
        job = _claim(job_id, JobStatus.CONFIRMED, JobStatus.APPLYING)
        if job is not None:
            _run(job, apply=True)
    current = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    return current or ""


def resume_interrupted() -> int:
    """Queue again the jobs a stopped worker left half done (`grassroots serve` calls it before it starts the
    worker): a dry run starts over; a write too, since its transaction was undone and nothing of it was written.
    Returns how many."""
    from .tasks import run_import_job

    resumed = []
    for was, now in ((JobStatus.CHECKING, JobStatus.QUEUED), (JobStatus.APPLYING, JobStatus.CONFIRMED)):
        pks = list(ImportJob.objects.filter(status=was).values_list("pk", flat=True))
        ImportJob.objects.filter(pk__in=pks, status=was).update(status=now)
        resumed += pks
    for pk in resumed:
        run_import_job.enqueue(str(pk))
    return len(resumed)


def _run(job: ImportJob, *, apply: bool) -> None:
    try:
        with translation.override(job.language or None), acting(job.user, "import"):
            if apply:
                _apply(job)
            else:
                _dry_run(job)
    except Exception:
        log.exception("import job %s failed", job.pk)
        job.status = JobStatus.FAILED
        with translation.override(job.language or None):
            job.message = _("The import stopped on an unexpected error; nothing was written. Please try again, "
                            "or tell the site administrator.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
    finally:
        cache.delete(_key(job.pk))


def _plan(job: ImportJob, flow: ImportFlow, progress: Reporter) -> ImportPlan | None:
    """The dry run of the kept file, or None with the reason on the job (file gone, refused, unreadable)."""
    saved = uploads.path_of(job.stored)
    if saved is None:
        _stop(job, _("That upload is no longer available; please upload the file again."))
        return None
    try:
        return flow.plan(saved, job.filename, job.org, job.params, progress)
    except (PermissionDeniedError, RuleError) as exc:
        _stop(job, exc.message)
        return None


def _stop(job: ImportJob, message: str) -> None:
    job.lines.all().delete()
    job.status, job.message, job.error_count = JobStatus.CHECKED, message, 0
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "error_count", "finished_at", "updated_at"])


def _digest(path: Path) -> str:
    with path.open("rb") as fileobj:
        return hashlib.file_digest(fileobj, "sha256").hexdigest()


def _keep_plan(job: ImportJob, flow: ImportFlow, plan: ImportPlan) -> None:
    """Keep a dry run without errors beside its file (`uploads.plan_path`), for the confirmation to write from:
    the flow's data (`ImportFlow.keep`) with the job, the flow, the file's SHA-256 and the time of the dry run."""
    target = uploads.plan_path(job.stored)
    saved = uploads.path_of(job.stored)
    if target is None or saved is None:
        return
    target.unlink(missing_ok=True)
    data = flow.keep(plan) if flow.keep is not None and plan.ok else None
    if data is None:
        return
    kept = {"job": str(job.pk), "kind": job.kind, "sha256": _digest(saved), "planned_at": timezone.now().isoformat(),
            "plan": data}
    partial = target.with_name(target.name + ".part")
    partial.write_text(json.dumps(kept, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    partial.replace(target)  # whole or not at all


def _kept_plan(job: ImportJob, flow: ImportFlow) -> ImportPlan | None:
    """The dry run kept for this job (`_keep_plan`) as a plan again, when it is this job's and the file is still
    the one it was made from (same SHA-256); else None (the file is planned again)."""
    target, saved = uploads.plan_path(job.stored), uploads.path_of(job.stored)
    if flow.resume is None or target is None or saved is None or not target.is_file():
        return None
    try:
        kept = json.loads(target.read_text(encoding="utf-8"))
        if kept.get("job") != str(job.pk) or kept.get("kind") != job.kind or kept.get("sha256") != _digest(saved):
            return None
        plan: ImportPlan | None = flow.resume(kept["plan"], saved, job.filename)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("import job %s: its kept dry run is not usable (%s); planning the file again", job.pk, exc)
        return None
    return plan


def _dry_run(job: ImportJob) -> None:
    flow = flow_of(job)
    progress = Reporter(job, [_("Checking the rows")])
    plan = _plan(job, flow, progress)
    if plan is not None:
        _keep_plan(job, flow, plan)  # before the job says it is checked (and may be confirmed)
        _keep(job, flow, plan, progress, message="")


def _apply(job: ImportJob) -> None:
    flow = flow_of(job)
    plan = _kept_plan(job, flow)
    if plan is not None:  # the dry run's checks stand: checked again in bulk only where things can have changed
        progress = Reporter(job, [_("Checking again before writing"), _("Writing the rows")])
    else:
        progress = Reporter(job, [_("Checking the rows"), _("Checking again before writing"), _("Writing the rows")])
        plan = _plan(job, flow, progress)
    if plan is None:
        return
    if plan.ok:
        plan = flow.apply(plan, progress)  # checks again and writes every row, or none
    if not plan.ok or not plan.applied:
        _keep(job, flow, plan, progress, message=_("The file has errors; nothing was imported."))
        return
    with transaction.atomic():
        job.lines.all().delete()
        job.status, job.applied, job.message = JobStatus.DONE, True, ""
        job.counts, job.error_count = dict(plan.counts), 0
        job.finished_at = timezone.now()
        uploads.remove(job.stored)
        job.stored = ""
        job.save()


def _keep(job: ImportJob, flow: ImportFlow, plan: ImportPlan, progress: Reporter, *, message: str) -> None:
    """Keep a dry run on the job: its errors, or what each row would do."""
    with transaction.atomic():
        job.lines.all().delete()
        if plan.errors:
            lines = [ImportJobLine(job=job, kind=ImportJobLine.ERROR, seq=i, row=max(e.row, 0),
                                   column=e.column[:200], message=e.message)
                     for i, e in enumerate(plan.errors)]
        else:
            lines = [ImportJobLine(job=job, kind=ImportJobLine.ROW, seq=i, row=r.row, data=flow.describe(r))
                     for i, r in enumerate(plan.rows)]
        bulk.insert(ImportJobLine, lines, ids=False)  # COPY on PostgreSQL: a preview of 100,000 rows
        job.status, job.message = JobStatus.CHECKED, message
        job.counts, job.error_count = dict(plan.counts), len(plan.errors)
        if plan.sheet is not None and plan.sheet.records:
            job.total = len(plan.sheet.records)
        elif not job.total:
            job.total = progress.total
        job.header_row = plan.sheet.header_row if plan.sheet is not None else 1
        job.finished_at = timezone.now()
        job.save()
