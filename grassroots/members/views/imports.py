"""The member import page: upload a sheet (each row names its organization; a default one for the rows that name
none), which a background job checks (`ui.imports.ImportFlow`: a progress bar, then the dry run with its errors
a page at a time), then confirm, which writes from the dry run kept on the server beside the file (checked
again in bulk where things can have changed since; never from what the client sends back), every row or none;
and the blank template to fill in.

A refusal (PermissionDeniedError) reaches the middleware, which answers 403; a broken rule is said on the job's
page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.sheets import PlannedRow, Progress
from grassroots.members import importer
from grassroots.members.exporter import template_xlsx
from grassroots.members.forms import ImportForm
from grassroots.orgs.forms import live_writable, org_choices
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow


def _org_choices(scope: Scope) -> list[tuple[str, str]]:
    return org_choices(live_writable(scope))


def _may_import(scope: Scope) -> None:
    if not live_writable(scope).exists():
        raise PermissionDenied(_("You may not import members."))


def _changes_text(changes: Any) -> str:
    if not changes:
        return ""
    if isinstance(changes, dict):
        parts = []
        for key, value in changes.items():
            if isinstance(value, list | tuple) and len(value) == 2:
                parts.append(f"{key}: {value[0]} → {value[1]}")
            elif isinstance(value, dict) and {"before", "after"} <= set(value):
                parts.append(f"{key}: {value['before']} → {value['after']}")
            else:
                parts.append(f"{key}: {value}")
        return "; ".join(parts)
    if isinstance(changes, list | tuple):
        return ", ".join(str(c) for c in changes)
    return str(changes)


def _plan(saved: Path, filename: str, org: Organization | None, params: Mapping[str, Any],
          progress: Progress) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, default_org_code=params.get("default_org_code") or None,
                                    progress=progress)


def _labels() -> dict[str, str]:
    return {"create": _("Create"), "update": _("Update"), "unchanged": _("Unchanged")}


def _describe(r: PlannedRow) -> dict[str, Any]:
    return {"row": r.row, "action": r.action, "name": r.name, "id_number_masked": r.id_number_masked,
            "org_code": r.org_code, "changes": _changes_text(r.changes)}


def _form(request: HttpRequest, org: Organization | None, kwargs: dict[str, Any]) -> forms.Form:
    return ImportForm(org_choices=_org_choices(scope_for(request.user)), **kwargs)


def _params(form: forms.Form) -> dict[str, Any]:
    return {"default_org_code": form.cleaned_data.get("default_org") or ""}


def _upload_page(request: HttpRequest, org: Organization | None, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "members/member_import.html", {"form": form}, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
        "created": counts.get("create", 0), "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    code = job.params.get("default_org_code")
    if code:
        return reverse("org-detail", kwargs={"code": code}), _("The organization's page")
    return reverse("org-tree"), _("Organizations")


FLOW = ImportFlow(path="grassroots.members.views.imports.FLOW", title=_lazy("Import members"), prefix="members-",
                  url_name="member-import", plan=_plan, apply=importer.apply_import, describe=_describe,
                  rows_template="members/_import_rows.html", upload_page=_upload_page, labels=_labels,
                  summary=_summary, done_link=_done_link, form=_form, params=_params, keep=importer.keep_plan,
                  resume=importer.resume_plan)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    _may_import(scope_for(request.user))
    return FLOW.handle(request)


@login_required
@require_GET
def member_import_template(request: HttpRequest) -> HttpResponse:
    _may_import(scope_for(request.user))
    response = HttpResponse(
        template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="members-template.xlsx"'
    return response
