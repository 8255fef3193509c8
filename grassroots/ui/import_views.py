"""The pages of one import job, shared by every `ImportFlow`: the job (progress, then the dry run with its
errors or rows a page at a time, then what was imported), its status partial (polled by HTMX), the confirmation
and the errors as .xlsx. A job is its uploader's: anyone else gets 404 (the site administrator may look)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from . import imports, uploads, xlsx
from .imports import ImportFlow
from .jobs import flow_of, progress_of
from .lists import paginate, query_without
from .models import ImportJob, ImportJobLine, JobStatus

PAGE_SIZE = 50


def _job(request: HttpRequest, job: str, *, own: bool = False) -> ImportJob:
    found = get_object_or_404(ImportJob.objects.select_related("org", "user"), pk=job)
    if found.user_id != request.user.pk and (own or not request.user.is_superuser):
        raise Http404
    return found


def _context(request: HttpRequest, job: ImportJob) -> dict[str, object]:
    flow = flow_of(job)
    return {"job": job, "flow": flow, "progress": progress_of(job), "upload_url": flow.upload_url(job.org),
            "mine": job.user_id == request.user.pk}


def _rows(flow: ImportFlow, lines: Any) -> list[dict[str, Any]]:
    """A page of the dry run's rows as the flow's rows template shows them, each with its action's word."""
    labels = flow.labels()
    return [{**line.data, "action_label": labels.get(line.data.get("action", ""), "")} for line in lines]


@login_required
@require_GET
def import_job(request: HttpRequest, job: str) -> HttpResponse:
    found = _job(request, job)
    context = _context(request, found)
    flow = flow_of(found)
    if found.status == JobStatus.CHECKED:
        kind = ImportJobLine.ERROR if found.error_count else ImportJobLine.ROW
        page, show_all = paginate(request, found.lines.filter(kind=kind).order_by("seq"), PAGE_SIZE)
        context.update(page=page, show_all=show_all, page_query=query_without(request, "page", "all"),
                       rows=_rows(flow, page.object_list) if kind == ImportJobLine.ROW else [],
                       counts=flow.counts(found), kept=uploads.path_of(found.stored) is not None)
    elif found.status == JobStatus.DONE:
        context.update(summary=flow.summary(found.counts), done_link=flow.done_link(found))
    return render(request, "ui/import_job.html", context)


@login_required
@require_GET
def import_job_status(request: HttpRequest, job: str) -> HttpResponse:
    """The progress partial; once the job has stopped running, an HTMX poll reloads the whole page."""
    found = _job(request, job)
    if not found.running and request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    return render(request, "ui/_import_status.html", _context(request, found))


@login_required
@require_POST
def import_job_confirm(request: HttpRequest, job: str) -> HttpResponse:
    """Queue the write of a clean dry run; the worker plans again from the kept file."""
    found = _job(request, job, own=True)
    if found.ok and uploads.path_of(found.stored) is not None and ImportJob.objects.filter(
            pk=found.pk, status=JobStatus.CHECKED).update(status=JobStatus.CONFIRMED):
        found.status = JobStatus.CONFIRMED
        imports.start(found)
    return redirect("import-job", job=found.pk)


@login_required
@require_GET
def import_job_errors(request: HttpRequest, job: str) -> HttpResponse:
    """Every error of the dry run as a workbook: row, column, problem."""
    found = _job(request, job)
    rows = [[line.row or "", line.column, line.message]
            for line in found.lines.filter(kind=ImportJobLine.ERROR).order_by("seq")]
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, _("Errors"), [_("Row"), _("Column"), _("Problem")], rows, first=True,
                   widths={1: 8, 2: 24, 3: 80})
    stem = found.filename.rsplit(".", 1)[0] or "import"
    return xlsx.response(workbook, f"{stem}-errors.xlsx")
