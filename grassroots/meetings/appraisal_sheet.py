"""The democratic appraisal sheet of an organization's year: every member on its roster that year (in its subtree
on any day of it), with the appraisal rating recorded for the year (`models.Appraisal`), if any, and what each
module tells the appraisal about the member's year (`core.modules.appraisal_notes`: commitments kept, services
given...). Printable; read through the user's scope like the other meetings pages (an organization outside it:
404). The notes inform the appraisal; they are never a rating themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from grassroots.access.scope import scope_for
from grassroots.core.modules import AppraisalNote, appraisal_notes
from grassroots.members.models import MemberPeriod
from grassroots.orgs.models import Organization
from grassroots.orgs.selectors import subtree_org_ids
from grassroots.ui.forms import query_int

from .models import Appraisal, Meeting, MeetingKind


@dataclass
class SheetRow:
    member_id: int
    name: str
    org_name: str
    rating: str = ""  # the rating's label, "" when none is recorded
    rating_value: str = ""
    notes: list[AppraisalNote] = field(default_factory=list)


def sheet_rows(org: Organization, year: int) -> list[SheetRow]:
    """The members of org's subtree on any day of `year` (by name), each with the year's rating and notes. Four
    queries and the modules' own (one each, as they promise)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    periods = (MemberPeriod.objects.filter(Q(end__isnull=True) | Q(end__gt=start), start__lte=end,
                                           org_id__in=subtree_org_ids(org, min(end, timezone.localdate())))
               .select_related("member", "org").order_by("member_id", "start"))
    rows: dict[int, SheetRow] = {}
    for p in periods:  # the last period of the year names the organization
        rows[p.member_id] = SheetRow(p.member_id, p.member.name, p.org.name)
    ids = list(rows)
    for appraisal in Appraisal.objects.filter(member_id__in=ids, year=year):
        rows[appraisal.member_id].rating = appraisal.get_rating_display()
        rows[appraisal.member_id].rating_value = appraisal.rating
    for member_id, notes in appraisal_notes(ids, year).items():
        if member_id in rows:
            rows[member_id].notes = notes
    return sorted(rows.values(), key=lambda r: (r.org_name, r.name, r.member_id))


@login_required
@require_GET
def appraisal_sheet(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    today = timezone.localdate()
    year = query_int(request, "year", today.year, 1921, today.year)
    rows = sheet_rows(org, year)
    meetings = list(scope.by_org(Meeting.objects.filter(org__path__startswith=org.path, kind=MeetingKind.APPRAISAL,
                                                        date__year=year), org_field="org")
                    .order_by("date", "id"))
    return render(request, "meetings/appraisal_sheet.html", {
        "org": org, "year": year, "rows": rows, "meetings": meetings,
        "rated": sum(1 for r in rows if r.rating), "years": list(range(today.year, today.year - 10, -1))})
