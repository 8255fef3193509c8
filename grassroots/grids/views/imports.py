"""The Excel import of an organization's grids: upload a sheet, see the dry run (each grid and what would happen
to it, or every error with its row and column), then confirm; and the empty sheet to fill in. Only a writer of the
organization's places imports (`ui.imports.ImportFlow`)."""

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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import scope_for
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow

from .. import importer
from .pages import _can_write_some_place

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org(request: HttpRequest, code: str) -> Organization:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not _can_write_some_place(scope, org):
        raise PermissionDenied(_("You may not import grids here."))
    return org


def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    assert org is not None
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, org=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": _("Draw a new grid"), "update": _("Set up the grid"),
            "unchanged": _("Unchanged (already set up)")}


def _describe(row: PlannedRow) -> dict[str, Any]:
    r = cast(importer.GridRow, row)
    return {"row": r.row, "action": r.action, "code": r.code, "name": r.name, "parent": r.parent_code,
            "head": r.values.get("head_name", ""), "phone": r.id_number_masked, "party_group": r.party_group,
            "workers": "、".join(r.workers)}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "grids/grid_import.html", {"org": org, "form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s grids drawn, %(setup)s set up, %(unchanged)s already set up.") % {
        "created": counts.get("create", 0), "setup": counts.get("update", 0), "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("grid-list", kwargs={"code": job.org.code}), _("Grids")


FLOW = ImportFlow(path="grassroots.grids.views.imports.FLOW", title=_lazy("Import a sheet of grids"),
                  prefix="grids-", url_name="grid-import", plan=_plan, apply=importer.apply_import,
                  describe=_describe, rows_template="grids/_import_rows.html", upload_page=_upload_page,
                  labels=_labels, summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def grid_import(request: HttpRequest, code: str) -> HttpResponse:
    return FLOW.handle(request, _org(request, code))


@login_required
@require_GET
def grid_import_template(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    response = HttpResponse(importer.template_xlsx(org), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="grids-{org.code}.xlsx"'
    return response
