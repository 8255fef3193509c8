"""The web import of a register of proposals (the page of `grassroots import proposals`): upload, the dry run (each
row's proposal, its proposers as matched, or every error with its row and column), then confirm, all rows or none;
and the empty register. The steps themselves are the shared `ui.imports.ImportFlow`; only those who may change the
organization import."""

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
    """The organization by its code within the user's scope (else 404), which the user may change (else 403)."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not change the proposals of %(org)s.") % {"org": org})
    return org


def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    assert org is not None
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, within=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Record"), "unchanged": _("Unchanged (already recorded)")}


def _describe(row: PlannedRow) -> dict[str, Any]:
    r = cast(importer.ProposalRow, row)
    return {"row": r.row, "action": r.action, "org": r.org_code, **r.values}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "proposals/import.html", {"org": org, "form": form}, status=status)


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("proposals-home", kwargs={"code": job.org.code}), _("Representatives' proposals")


FLOW = ImportFlow(path="grassroots.proposals.imports.FLOW", title=_lazy("Import proposals"), prefix="proposals-",
                  url_name="proposals-import", plan=_plan, apply=importer.apply_import, describe=_describe,
                  rows_template="proposals/_import_rows.html", upload_page=_upload_page, labels=_labels,
                  summary=importer.summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def proposals_import(request: HttpRequest, code: str) -> HttpResponse:
    return FLOW.handle(request, _org(request, code))


@login_required
@require_GET
def proposals_template(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="proposals-{org.code}.xlsx"'
    return response
