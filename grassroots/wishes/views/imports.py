"""The Excel import page of an organization's micro-wishes: upload a register, see the dry run (each wish and
the last step of its history, or every error with its row and column), then confirm; and the empty register.
Only a writer of the organization imports (`ui.imports.ImportFlow`: the file is kept and checked by a
background job; the confirmation plans again from the stored file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import scope_for
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow
from grassroots.wishes import importer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STEP_LABELS = {"decline": _lazy("Declined"), "publish": _lazy("Published"), "claim": _lazy("Claimed"),
               "fulfil": _lazy("Fulfilled"), "confirm": _lazy("Confirmed")}


def _org(request: HttpRequest, code: str) -> Organization:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not import wishes here."))
    return org


def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    assert org is not None
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, org=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Take in"), "unchanged": _("Unchanged (already taken in)")}


def _describe(row: PlannedRow) -> dict[str, Any]:
    r = cast(importer.WishRow, row)
    last = r.steps[-1] if r.steps else None
    return {"row": r.row, "action": r.action, "collected_on": r.collected_on, "number": r.number,
            "text": (r.text or "")[:80], "resident": r.name, "phone": r.id_number_masked,
            "outcome": str(STEP_LABELS[last[0]]) if last else "", "outcome_on": last[1] if last else None}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "wishes/wish_import.html", {"org": org, "form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s wishes taken in, %(unchanged)s already taken in.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("wish-list", kwargs={"code": job.org.code}), _("Micro-wishes")


FLOW = ImportFlow(path="grassroots.wishes.views.imports.FLOW", title=_lazy("Import a register of micro-wishes"),
                  prefix="wishes-", url_name="wish-import", plan=_plan, apply=importer.apply_import,
                  describe=_describe, rows_template="wishes/_import_rows.html", upload_page=_upload_page,
                  labels=_labels, summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def wish_import(request: HttpRequest, code: str) -> HttpResponse:
    return FLOW.handle(request, _org(request, code))


@login_required
@require_GET
def wish_import_template(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    response = HttpResponse(importer.template_xlsx(org), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="wishes-{org.code}.xlsx"'
    return response
