"""The opinions' Excel import page of a station: upload a register, see the dry run (where each opinion would go,
its reply deadline, the outcome and rating carried over with their dates, or every error with its row and column),
then confirm; and the empty register to fill in.

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
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.access.scope import scope_for
from grassroots.opinions import importer
from grassroots.opinions.models import Category
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow

SESSION_OPINION_IMPORTS = "opinion_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _station(request: HttpRequest, code: str) -> Organization:
    scope = scope_for(request.user)
    station = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(station):
        raise PermissionDenied(_("You may not import opinions here."))
    return station


def _plan(saved: Path, filename: str, station: Organization) -> Any:
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, station=station)


def _preview(request: HttpRequest, station: Organization, form: forms.Form, plan: Any, token: str,
             filename: str) -> HttpResponse:
    labels = {"create": pgettext("import action", "Take in"),
              "update": _("Add its outcome or rating"), "unchanged": _("Unchanged (already taken in)")}
    rows = [{"row": r.row, "action": r.action, "action_label": labels.get(r.action, r.action),
             "received_on": r.received_on, "category": r.category, "place": r.place, "channel": r.channel,
             "outlet": r.outlet, "goes_to": r.goes_to, "deadline": r.deadline, "text": r.text,
             "submitter": r.name, "phone": r.id_number_masked, "outcome": r.outcome, "replied_on": r.replied_on,
             "score": r.score, "rated_on": r.rated_on, "number": r.number} for r in plan.rows]
    return render(request, "opinions/opinion_import.html", {
        "org": station, "form": form, "plan": plan, "rows": rows, "token": token, "filename": filename,
        "counts": [(labels.get(k, k), v) for k, v in dict(plan.counts).items() if k in labels],
        "has_categories": True,
    })


def _upload_page(request: HttpRequest, station: Organization, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "opinions/opinion_import.html", {
        "org": station, "form": form,
        "has_categories": Category.objects.filter(org=station, active=True).exists(),
    }, status=status)


def _done(request: HttpRequest, station: Organization, plan: Any) -> HttpResponse:
    counts = dict(plan.counts)
    messages.success(request, _("Imported: %(created)s opinions taken in, %(updated)s given their outcome or rating, "
                                "%(unchanged)s already taken in.") % {
        "created": counts.get("create", 0), "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0)})
    return redirect("opinion-list", code=station.code)


FLOW = ImportFlow(session_key=SESSION_OPINION_IMPORTS, prefix="opinions-", url_name="opinion-import", plan=_plan,
                  apply=importer.apply_import, preview=_preview, upload_page=_upload_page, done=_done)


@login_required
@require_http_methods(["GET", "POST"])
def opinion_import(request: HttpRequest, code: str) -> HttpResponse:
    return FLOW.handle(request, _station(request, code))


@login_required
@require_GET
def opinion_import_template(request: HttpRequest, code: str) -> HttpResponse:
    station = _station(request, code)
    response = HttpResponse(importer.template_xlsx(station), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="opinions-{station.code}.xlsx"'
    return response
