"""The web imports of resident units and of their agreements: upload, the dry run (each row's unit or agreement,
or every error with its row and column), then confirm; and the empty sheets. Only those who may change the
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
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(org):
        raise PermissionDenied(_("You may not import resident units here."))
    return org


def _plan(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    assert org is not None
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, within=org, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Record"), "unchanged": _("Unchanged (already recorded)")}


def _plan_agreements(saved: Path, filename: str, org: Organization | None, params: Any, progress: Progress) -> Any:
    assert org is not None
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, within=org, progress=progress, kind="agreements")


def _describe(row: PlannedRow) -> dict[str, Any]:
    r = cast(importer.UnitRow, row)
    return {"row": r.row, "action": r.action, "org": r.org_code, **r.values}


def _agreements_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int
                     ) -> HttpResponse:
    return render(request, "cobuild/agreements_import.html", {"org": org, "form": form}, status=status)


def _agreements_done(job: Any) -> tuple[str, str]:
    return reverse("cobuild-agreements", kwargs={"code": job.org.code}), _("Co-construction agreements")


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "cobuild/units_import.html", {"org": org, "form": form}, status=status)


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("cobuild-units", kwargs={"code": job.org.code}), _("Resident units")


FLOW = ImportFlow(path="grassroots.cobuild.imports.FLOW", title=_lazy("Import resident units"), prefix="units-",
                  url_name="cobuild-units-import", plan=_plan, apply=importer.apply_import, describe=_describe,
                  rows_template="cobuild/_import_rows.html", upload_page=_upload_page, labels=_labels,
                  summary=importer.summary, done_link=_done_link)


AGREEMENTS_FLOW = ImportFlow(path="grassroots.cobuild.imports.AGREEMENTS_FLOW",
                             title=_lazy("Import co-construction agreements"), prefix="cobuild-agreements-",
                             url_name="cobuild-agreements-import", plan=_plan_agreements,
                             apply=importer.apply_import, describe=_describe,
                             rows_template="cobuild/_import_agreement_rows.html", upload_page=_agreements_page,
                             labels=_labels, summary=importer.agreements_summary, done_link=_agreements_done)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def agreements_import(request: HttpRequest, code: str) -> HttpResponse:
    return AGREEMENTS_FLOW.handle(request, _org(request, code))


@login_required
@require_GET
def agreements_template(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    response = HttpResponse(importer.template_xlsx("agreements"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="cobuild-agreements-{org.code}.xlsx"'
    return response


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def units_import(request: HttpRequest, code: str) -> HttpResponse:
    return FLOW.handle(request, _org(request, code))


@login_required
@require_GET
def units_template(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code)
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="resident-units-{org.code}.xlsx"'
    return response
