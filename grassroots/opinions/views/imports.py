"""The opinions' Excel import page of a station: upload a register, see the dry run (where each opinion would go,
its reply deadline, the outcome and rating carried over with their dates, or every error with its row and column),
then confirm; and the empty register to fill in.

Only users who may change the station itself use it (an auditor reads, and is refused). The upload is kept
and checked by a background job (`ui.imports.ImportFlow`); the confirmation plans again from the stored file.
"""

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
from grassroots.opinions import importer
from grassroots.opinions.models import Category
from grassroots.orgs.models import Organization
from grassroots.ui.imports import ImportFlow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _station(request: HttpRequest, code: str) -> Organization:
    scope = scope_for(request.user)
    station = get_object_or_404(scope.orgs(), code=code)
    if not scope.can_write_org(station):
        raise PermissionDenied(_("You may not import opinions here."))
    return station


def _plan(saved: Path, filename: str, station: Organization | None, params: Any, progress: Progress) -> Any:
    assert station is not None
    with saved.open("rb") as fileobj:
        return importer.plan_import(fileobj, filename, station=station, progress=progress)


def _labels() -> dict[str, str]:
    return {"create": pgettext("import action", "Take in"), "update": _("Add its outcome or rating"),
            "unchanged": _("Unchanged (already taken in)")}


def _describe(row: PlannedRow) -> dict[str, Any]:
    r = cast(importer.OpinionRow, row)
    return {"row": r.row, "action": r.action, "received_on": r.received_on, "category": r.category,
            "place": r.place, "channel": r.channel, "outlet": r.outlet, "goes_to": r.goes_to,
            "deadline": r.deadline, "text": (r.text or "")[:80], "submitter": r.name, "phone": r.id_number_masked,
            "outcome": r.outcome, "replied_on": r.replied_on, "score": r.score, "rated_on": r.rated_on,
            "number": r.number}


def _upload_page(request: HttpRequest, station: Organization | None, form: forms.Form,
                 status: int) -> HttpResponse:
    return render(request, "opinions/opinion_import.html", {
        "org": station, "form": form,
        "has_categories": Category.objects.filter(org=station, active=True).exists(),
    }, status=status)


def _summary(counts: dict[str, int]) -> str:
    return _("Imported: %(created)s opinions taken in, %(updated)s given their outcome or rating, "
             "%(unchanged)s already taken in.") % {
        "created": counts.get("create", 0), "updated": counts.get("update", 0),
        "unchanged": counts.get("unchanged", 0)}


def _done_link(job: Any) -> tuple[str, str]:
    return reverse("opinion-list", kwargs={"code": job.org.code}), _("Opinions")


FLOW = ImportFlow(path="grassroots.opinions.views.imports.FLOW", title=_lazy("Import a register of opinions"),
                  prefix="opinions-", url_name="opinion-import", plan=_plan, apply=importer.apply_import,
                  describe=_describe, rows_template="opinions/_import_rows.html", upload_page=_upload_page,
                  labels=_labels, summary=_summary, done_link=_done_link)


@csrf_exempt  # checked by ImportFlow.handle once the upload's size cap is in place
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
