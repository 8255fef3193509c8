"""The steps every import page takes, with the work done by a background job (`ui.jobs`), never in the request:

1. upload: the file is kept (`uploads`, capped in size) and an `ImportJob` queued; the page goes to the job;
2. the worker runs the dry run while the job's page shows a progress bar (an HTMX poll of a small status
   partial every second; a plain refresh link without JavaScript);
3. the dry run: the counts and, a page at a time, the errors (row, column, problem; all of them as .xlsx) or
   what each row would do; nothing is written;
4. confirm: a second job plans again from the kept file (never from what the client sends back), or takes up the
   dry run kept beside it on the server (`ImportFlow.keep`/`resume`, checked again in bulk where things can have
   changed since), and writes every row or none; the file is then deleted and the page says what was imported.

A page supplies an `ImportFlow`: its dry run (`plan`), its write (`apply`), how a planned row shows
(`describe` and `rows_template`), its upload page, and the words for the counts. The job pages themselves are
`ui.import_views`, shared by every flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_protect

from grassroots.core.sheets import ImportPlan, PlannedRow, Progress
from grassroots.orgs.models import Organization

from . import uploads
from .forms import ImportFileForm, too_big_message
from .models import ImportJob

Plan = Callable[[Path, str, Organization | None, Mapping[str, Any], Progress], ImportPlan]
UploadPage = Callable[[HttpRequest, Organization | None, forms.Form, int], HttpResponse]
FormFactory = Callable[[HttpRequest, Organization | None, dict[str, Any]], forms.Form]


def _file_form(request: HttpRequest, org: Organization | None, kwargs: dict[str, Any]) -> forms.Form:
    return ImportFileForm(**kwargs)


def _no_params(form: forms.Form) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ImportFlow:
    path: str  # where this flow is defined, "package.module.NAME": the worker finds it by this
    title: Any  # the page's heading ("Import members")
    prefix: str  # of the kept file's name
    url_name: str  # the upload page (taking the organization's code, if the flow has one)
    plan: Plan  # the dry run of a kept file: (file, its name, organization, params, progress) -> ImportPlan
    apply: Callable[[Any, Progress], Any]  # applies a plan without errors, all rows or none
    describe: Callable[[PlannedRow], dict[str, Any]]  # one row of the preview, as the rows template shows it
    rows_template: str  # the preview table: `rows` (described rows)
    upload_page: UploadPage  # the page with its form and status
    labels: Callable[[], dict[str, str]]  # the words for the counts, by action (create, update, unchanged)
    summary: Callable[[dict[str, int]], str]  # what was imported, from the counts by action
    done_link: Callable[[ImportJob], tuple[str, str]]  # where to go once imported: (url, label)
    form: FormFactory = _file_form  # the upload form, from its keyword arguments (data, files)
    params: Callable[[forms.Form], dict[str, Any]] = field(default=_no_params)  # what else the form says
    # The dry run kept for the confirmation (`ui.jobs`), when the flow can: `keep(plan)` its JSON-able data (None:
    # nothing kept); `resume(data, file, filename)` the plan again from it (None: the file is planned again).
    keep: Callable[[Any], Any] | None = None
    resume: Callable[[Any, Path, str], Any] | None = None

    def upload_url(self, org: Organization | None) -> str:
        return reverse(self.url_name, kwargs={"code": org.code}) if org is not None else reverse(self.url_name)

    def counts(self, job: ImportJob) -> list[tuple[str, int]]:
        labels = self.labels()
        return [(labels[action], n) for action, n in job.counts.items() if action in labels]

    def handle(self, request: HttpRequest, org: Organization | None = None) -> HttpResponse:
        """The upload page: on a valid upload, keep the file, queue its dry run and go to the job's page.

        The size cap is an upload handler, which must be in place before anything reads the request's body; the
        CSRF middleware would read it first, so the page's view is `csrf_exempt` and the check is made here, after
        the handler is added (the way Django's documentation on upload handlers describes)."""
        request.upload_handlers.insert(0, uploads.CappedUploadHandler(request))
        return csrf_protect(self._handle)(request, org)

    def _handle(self, request: HttpRequest, org: Organization | None) -> HttpResponse:
        if request.method != "POST":
            return self.upload_page(request, org, self.form(request, org, {}), 200)
        request.POST  # noqa: B018 -- read the body, through the capped handlers
        if uploads.too_big(request):  # the file was skipped unread
            form = self.form(request, org, {})
            form.cleaned_data = {}  # an unbound form takes an error once it has (empty) cleaned data
            form.add_error("file", too_big_message())
            return self.upload_page(request, org, form, 400)
        form = self.form(request, org, {"data": request.POST, "files": request.FILES})
        if not form.is_valid():
            return self.upload_page(request, org, form, 400)
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            kind=self.path, user=cast(Any, request.user), org=org, params=self.params(form),
            filename=(upload.name or "")[:255], stored=uploads.store(upload, prefix=self.prefix),
            language=get_language() or "")
        start(job, new=True)
        return redirect("import-job", job=job.pk)


def start(job: ImportJob, *, new: bool = False) -> None:
    """Queue the job's next step (and, at each new upload, the removal of abandoned files)."""
    from .tasks import remove_abandoned_uploads, run_import_job

    run_import_job.enqueue(str(job.pk))
    if new:
        remove_abandoned_uploads.enqueue()
