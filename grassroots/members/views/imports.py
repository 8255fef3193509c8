"""The member import page: upload a sheet and see the dry run, then confirm, which plans again from the kept file
(never from what the client sends back) and writes every row or none; and the blank template to fill in.

The import spans organizations (each row names its own, a default for the rest), so it takes the two steps
itself rather than through `ui.imports.ImportFlow`, which serves one organization's imports. A refusal
(PermissionDeniedError) reaches the middleware, which answers 403; a broken rule goes back on the form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import Scope, scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.members import importer
from grassroots.members.exporter import template_xlsx
from grassroots.members.forms import ImportForm
from grassroots.orgs.forms import live_writable, org_choices
from grassroots.ui import uploads

SESSION_IMPORTS = "member_imports"


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


def _plan(saved: Path, filename: str, default_org_code: str) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, default_org_code=default_org_code or None)


def _preview(request: HttpRequest, form: ImportForm, plan: Any, token: str) -> HttpResponse:
    action_labels = {"create": _("Create"), "update": _("Update"), "unchanged": _("Unchanged")}
    rows = [{"row": r.row, "action": r.action, "action_label": action_labels.get(r.action, r.action),
             "name": r.name, "id_number_masked": r.id_number_masked, "org_code": r.org_code,
             "changes": _changes_text(r.changes)} for r in plan.rows]
    counts = [(action_labels.get(k, k), v) for k, v in dict(plan.counts).items()]
    return render(request, "members/member_import.html", {
        "form": form, "plan": plan, "rows": rows, "counts": counts, "token": token,
        "filename": request.session[SESSION_IMPORTS][token]["filename"],
    })


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    _may_import(scope)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _import_confirm(request, scope)
    form = ImportForm(request.POST or None, request.FILES or None, org_choices=_org_choices(scope))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        default_org_code = form.cleaned_data.get("default_org") or ""
        token, saved = uploads.keep(request, upload, session_key=SESSION_IMPORTS, default_org_code=default_org_code)
        try:
            plan = _plan(saved, upload.name, default_org_code)
        except PermissionDeniedError:
            raise
        except RuleError as exc:
            form.add_error(None, exc.message)
        else:
            return _preview(request, form, plan, token)
    return render(request, "members/member_import.html", {"form": form})


def _import_confirm(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Apply an upload kept from the dry run: planned again from the stored file, never from the client."""
    token = request.POST.get("token", "")
    kept = uploads.pending(request, token, session_key=SESSION_IMPORTS)
    if kept is None:
        messages.error(request, _("That upload is no longer available; please upload the file again."))
        return redirect("member-import")
    info, saved = kept
    try:
        plan = _plan(saved, info["filename"], info["default_org_code"])
        if plan.ok:
            plan = importer.apply_import(plan)  # re-checks and writes all rows, or none
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        messages.error(request, exc.message)
        return redirect("member-import")
    if not plan.ok or not plan.applied:
        messages.error(request, _("The file has errors; nothing was imported."))
        form = ImportForm(initial={"default_org": info["default_org_code"]}, org_choices=_org_choices(scope))
        return _preview(request, form, plan, token)
    uploads.discard(request, token, session_key=SESSION_IMPORTS)
    counts = dict(plan.counts)
    messages.success(request, _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
        "created": counts.get("create", 0), "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0)})
    return redirect("member-import")


@login_required
@require_GET
def member_import_template(request: HttpRequest) -> HttpResponse:
    _may_import(scope_for(request.user))
    response = HttpResponse(
        template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="members-template.xlsx"'
    return response
