"""The opinions' Excel import page of a station: upload a register, see the dry run (where each opinion would go,
its reply deadline, or every error with its row and column), then confirm; and the empty register to fill in.

Only users who may change the station itself use it (an auditor reads, and is refused). The upload is kept
between the dry run and the confirmation by `uploads`; the confirmation plans again from the stored file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import scope_for
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.opinions import importer
from grassroots.opinions.models import Category
from grassroots.orgs.models import Organization

from . import uploads
from .forms import IMPORT_SUFFIXES

SESSION_OPINION_IMPORTS = "opinion_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OpinionImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx or a .csv file."), code="suffix")
        return upload


def _station(request: HttpRequest, code: str) -> Organization:
    scope = scope_for(request.user)
    station = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(station):
        raise PermissionDenied(_("You may not import opinions here."))
    return station


def _plan(saved: Path, filename: str, station: Organization) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, station=station)


def _preview(request: HttpRequest, station: Organization, form: OpinionImportForm, plan: Any, token: str,
             filename: str) -> HttpResponse:
    labels = {"create": pgettext("import action", "Take in"), "unchanged": _("Unchanged (already taken in)")}
    rows = [{"row": r.row, "action": r.action, "action_label": labels.get(r.action, r.action),
             "received_on": r.received_on, "category": r.category, "place": r.place, "channel": r.channel,
             "outlet": r.outlet, "goes_to": r.goes_to, "deadline": r.deadline, "text": r.text,
             "submitter": r.name, "phone": r.id_number_masked} for r in plan.rows]
    return render(request, "web/opinion_import.html", {
        "org": station, "form": form, "plan": plan, "rows": rows, "token": token, "filename": filename,
        "counts": [(labels.get(k, k), v) for k, v in dict(plan.counts).items() if k in labels],
        "has_categories": True,
    })


@login_required
@require_http_methods(["GET", "POST"])
def opinion_import(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _import_confirm(request, station)
    form = OpinionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token, saved = uploads.keep(request, upload, session_key=SESSION_OPINION_IMPORTS, prefix="opinions-",
                                    org=station.code)
        try:
            plan = _plan(saved, upload.name, station)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except RuleError as exc:
            form.add_error(None, exc.message)
        else:
            return _preview(request, station, form, plan, token, upload.name)
    return render(request, "web/opinion_import.html", {
        "org": station, "form": form,
        "has_categories": Category.objects.filter(org=station, active=True).exists(),
    }, status=400 if request.method == "POST" else 200)


def _import_confirm(request: HttpRequest, station: Organization) -> HttpResponse:
    """Apply an upload kept from the dry run: planned again from the stored file, never from the client."""
    token = request.POST.get("token", "")
    kept = uploads.pending(request, token, session_key=SESSION_OPINION_IMPORTS)
    if kept is None or kept[0].get("org") != station.code:
        messages.error(request, _("That upload is no longer available; please upload the file again."))
        return redirect("opinion-import", code=station.code)
    info, saved = kept
    try:
        plan = _plan(saved, info["filename"], station)
        if plan.ok:
            plan = importer.apply_import(plan)  # re-checks and submits every row, or none
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except RuleError as exc:
        messages.error(request, exc.message)
        return redirect("opinion-import", code=station.code)
    if not plan.ok or not plan.applied:
        messages.error(request, _("The file has errors; nothing was imported."))
        return _preview(request, station, OpinionImportForm(), plan, token, info["filename"])
    uploads.discard(request, token, session_key=SESSION_OPINION_IMPORTS)
    counts = dict(plan.counts)
    messages.success(request, _("Imported: %(created)s opinions taken in, %(unchanged)s already taken in.") % {
        "created": counts.get("create", 0), "unchanged": counts.get("unchanged", 0)})
    return redirect("opinion-list", code=station.code)


@login_required
@require_GET
def opinion_import_template(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    response = HttpResponse(importer.template_xlsx(station), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="opinions-{station.code}.xlsx"'
    return response
