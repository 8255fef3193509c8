"""The web import of an assistance ledger (an organization's: the households of the places it holds): upload,
the dry run (each entry, or every error with its row and column), the confirmation; and the empty ledger."""

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

from . import importer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org(request: HttpRequest, code: str) -> Organization:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not import assistance here."))
    return org


def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, org=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Record"), "unchanged": _("Unchanged (already in the ledger)")}


def _describe(row: PlannedRow) -> dict[str, Any]:
    r = cast(importer.AssistanceRow, row)
    v = r.values
    return {"row": r.row, "action": r.action, "given_on": r.given_on, "household": f"{r.household_code} {r.name}",
            "kind": r.kind_name, "amount": v.get("amount") or "", "goods": v.get("goods") or ""}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "assistance/import.html", {"org": org, "form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s entries recorded, %(unchanged)s already in the ledger.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("assistance-ledger", kwargs={"code": job.org.code}), _("Assistance ledger")


FLOW = ImportFlow(path="grassroots.assistance.imports.FLOW", title=_lazy("Import an assistance ledger"),
                  prefix="assistance-", url_name="assistance-import", plan=_plan, apply=importer.apply_import,
                  describe=_describe, rows_template="assistance/_import_rows.html", upload_page=_upload_page,
                  labels=_labels, summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def assistance_import(request: HttpRequest, code: str) -> HttpResponse:
    return FLOW.handle(request, _org(request, code))


@login_required
@require_GET
def import_template(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assistance-{org.code}.xlsx"'
    return response
