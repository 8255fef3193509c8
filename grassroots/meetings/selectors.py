"""Reads of organizational life: duties met per period, study hours, calendars, sign-in sheets, silence.

Duties (the rules `meetings.*`, numbers from the rule version in force on each period's last day):

    branch ........... general meeting (quarter, needs a quorum), committee meeting (month, needs a quorum),
                       Party lecture (as configured; quarter by default), theme Party day (month),
                       organizational life meeting (year), democratic appraisal (year), talks (year)
    general branch ... general meeting (quarter, needs a quorum)
    party group ...... group meeting (month), met by a group meeting of the group or by a joint group meeting
                       of its branch

Periods are calendar months, quarters and years; a period is met by a meeting of the duty's kind dated in
it (and quorate, when the duty needs a quorum); its due date is its last day. A unit owes the periods that
start on or after its founding and end before its revocation. `duties` covers every unit of the subtree.
`duty_state` is the one judge of how a period stands on a day (met, missed, due soon, open, upcoming): the
duties grid, the findings, the dashboard and the annual summary all ask it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from grassroots.core.dates import add_months
from grassroots.members.models import Member, MemberPeriod
from grassroots.orgs.models import Organization, OrgKind, OrgState
from grassroots.orgs.selectors import subtree_org_ids, subtree_states
from grassroots.rules.findings import due_soon_days
from grassroots.rules.registry import RuleVersion, in_force

from .models import NOT_LIFE_KINDS, Attendance, Meeting, MeetingKind
from .services import ATTENDING, attendance_pool

DUTY_KINDS: dict[str, str] = {
    "meetings.general_meeting": MeetingKind.GENERAL_MEETING,
    "meetings.committee_meeting": MeetingKind.COMMITTEE_MEETING,
    "meetings.group_meeting": MeetingKind.GROUP_MEETING,
    "meetings.party_lecture": MeetingKind.PARTY_LECTURE,
    "meetings.theme_day": MeetingKind.THEME_DAY,
    "meetings.life_meeting": MeetingKind.LIFE_MEETING,
    "meetings.appraisal": MeetingKind.APPRAISAL,
    "meetings.talk": MeetingKind.TALK,
}
UNIT_DUTIES: dict[str, tuple[str, ...]] = {
    OrgKind.BRANCH: ("meetings.general_meeting", "meetings.committee_meeting", "meetings.party_lecture",
                     "meetings.theme_day", "meetings.life_meeting", "meetings.appraisal", "meetings.talk"),
    OrgKind.GENERAL_BRANCH: ("meetings.general_meeting",),
    OrgKind.PARTY_GROUP: ("meetings.group_meeting",),
}


# --- periods ----------------------------------------------------------------------------------------------
def period_bounds(day: dt.date, every: str) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year containing `day`, as (first day, last day)."""
    if every == "month":
        start = day.replace(day=1)
        months = 1
    elif every == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        months = 3
    elif every == "year":
        start = dt.date(day.year, 1, 1)
        months = 12
    else:
        raise ValueError(f"unknown period {every!r}")
    return start, add_months(start, months) - dt.timedelta(days=1)


def periods_overlapping(every: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    first, last = period_bounds(start, every)
    while first <= end:
        out.append((first, last))
        first, last = period_bounds(last + dt.timedelta(days=1), every)
    return out


# --- duties -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    """An organization that owes duties, as it stood on the day asked about."""

    org_id: int
    name: str
    kind: str
    parent_id: int | None
    founded_on: dt.date
    revoked_on: dt.date | None
    code: str = ""

    def owes(self, start: dt.date, end: dt.date) -> bool:
        return start >= self.founded_on and (self.revoked_on is None or end < self.revoked_on)


@dataclass
class DutyRow:
    rule: str  # the cite: "meetings.general_meeting@2018"
    rule_id: str
    kind: str  # the meeting kind that meets it
    org_id: int
    org_name: str
    period_start: dt.date
    period_end: dt.date
    needs_quorum: bool
    meetings: list[Any] = field(default_factory=list)  # the meetings that meet it
    held: list[Any] = field(default_factory=list)  # every meeting of the kind in the period (quorate or not)

    @property
    def due(self) -> dt.date:
        return self.period_end

    @property
    def met(self) -> bool:
        """Met within its period (`duty_state` on its due date)."""
        return duty_state(self, self.due) is DutyState.MET

    @property
    def title(self) -> str:
        return str(MeetingKind(self.kind).label)


def units_of(org: Organization, day: dt.date) -> list[Unit]:
    """The units of org's subtree on `day` that owe duties (branches, general branches, party groups of a
    branch), with their names and kinds then."""
    return units_from_states(list(subtree_states(org, day).select_related("org").order_by("path")), day)


def units_from_states(states: list[OrgState], day: dt.date) -> list[Unit]:
    """The units among `states` (a subtree's states on `day`, by path, with their organizations)."""
    kinds = {s.org_id: s.kind for s in states}
    if states and states[0].kind == OrgKind.PARTY_GROUP and states[0].parent_id is not None:  # a group asked alone
        kinds.update(OrgState.objects.on(day).filter(org_id=states[0].parent_id).values_list("org_id", "kind"))
    out = []
    for s in states:
        if s.kind not in UNIT_DUTIES:
            continue
        if s.kind == OrgKind.PARTY_GROUP and (s.parent_id is None or kinds.get(s.parent_id) != OrgKind.BRANCH):
            continue
        out.append(Unit(s.org_id, s.name, s.kind, s.parent_id, s.org.founded_on, s.org.revoked_on, s.org.code))
    return out


def duty_rows(units: Iterable[Unit], meetings: Iterable[Any], start: dt.date, end: dt.date,
              only: Iterable[str] | None = None) -> list[DutyRow]:
    """The duty periods of `units` overlapping [start, end], judged against `meetings` (objects or rows with
    org_id, kind, date and quorate). The caller loads the meetings (in bulk)."""
    by_org_kind: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for m in meetings:
        by_org_kind[(m.org_id, m.kind)].append(m)
    wanted = set(only) if only is not None else None
    rows: list[DutyRow] = []
    rules: dict[tuple[str, dt.date], RuleVersion] = {}  # a county has thousands of units: look each up once

    def rule_on(rule_id: str, day: dt.date) -> RuleVersion:
        key = (rule_id, day)
        if key not in rules:
            rules[key] = in_force(rule_id, day)
        return rules[key]

    for unit in units:
        for rule_id in UNIT_DUTIES.get(unit.kind, ()):
            if wanted is not None and rule_id not in wanted:
                continue
            kind = DUTY_KINDS[rule_id]
            candidates = list(by_org_kind.get((unit.org_id, kind), ()))
            if unit.kind == OrgKind.PARTY_GROUP and unit.parent_id is not None:
                candidates += by_org_kind.get((unit.parent_id, kind), [])  # a joint group meeting of the branch
            every = str(rule_on(rule_id, end)["every"])
            for first, last in periods_overlapping(every, start, end):
                if not unit.owes(first, last):
                    continue
                rule = rule_on(rule_id, last)
                needs_quorum = "quorum" in rule.params
                held = sorted((m for m in candidates if first <= m.date <= last), key=lambda m: m.date)
                met_by = [m for m in held if not needs_quorum or m.quorate]
                rows.append(DutyRow(rule.cite, rule_id, kind, unit.org_id, unit.name, first, last, needs_quorum,
                                    met_by, held))
    return rows


class DutyState(StrEnum):
    """How a duty period stands on a day (see `duty_state`)."""

    MET = "met"
    MISSED = "missed"
    DUE_SOON = "due_soon"
    OPEN = "open"
    UPCOMING = "upcoming"


def duty_state(row: DutyRow, on: dt.date, *, today: dt.date | None = None) -> DutyState:
    """The one judge of a duty period, as the records stood on `on`:

    - met: a meeting that meets it (of its kind, in the period, quorate when the duty needs a quorum: `duty_rows`
      lists them) was held on or before `on`;
    - missed: not met and due before `on`, or due on `on` itself when that day is over (`today` later than `on`:
      a past year judged as of its 31 December);
    - upcoming: not met and its period begins after `on`;
    - due soon: under way, not met, due within the due-soon window (`rules.findings.due_soon_days`);
    - open: under way, not met, due later.
    """
    if any(m.date <= on for m in row.meetings):
        return DutyState.MET
    if row.due < on or (today is not None and on < today and row.due == on):
        return DutyState.MISSED
    if row.period_start > on:
        return DutyState.UPCOMING
    if (row.due - on).days <= due_soon_days():
        return DutyState.DUE_SOON
    return DutyState.OPEN


def _unit_day(org: Organization, end: dt.date) -> dt.date:
    if org.revoked_on is not None and org.revoked_on <= end:
        return org.revoked_on - dt.timedelta(days=1)
    return end


def duties(org: Organization, start: dt.date, end: dt.date) -> list[DutyRow]:
    """Every duty period of org's subtree (org included) overlapping [start, end]: whether met, by which
    meetings, due when. Three queries whatever the size of the subtree."""
    units = units_of(org, _unit_day(org, end))
    if not units:
        return []
    first = period_bounds(start, "year")[0]
    last = period_bounds(end, "year")[1]
    ids = {u.org_id for u in units} | {u.parent_id for u in units if u.kind == OrgKind.PARTY_GROUP and u.parent_id}
    meetings = (Meeting.objects.filter(org_id__in=ids, date__range=(first, last))
                .only("org", "kind", "date", "quorate", "topic", "entered_late").order_by("date", "id"))
    return duty_rows(units, meetings, start, end)


# --- study hours ------------------------------------------------------------------------------------------
@dataclass
class StudyRow:
    member_id: int
    name: str
    org_id: int
    hours: Decimal
    required: Decimal
    rule: str

    @property
    def met(self) -> bool:
        return self.hours >= self.required


def study_required(year: int) -> tuple[Decimal, str]:
    rule = in_force("meetings.study_hours", dt.date(year, 12, 31))
    return Decimal(str(rule["hours_per_year"])), rule.cite


ID_CHUNK = 5000  # ids per IN list (SQLite allows 32,766 parameters in a statement)


def hours_by_member(member_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[tuple[int, int], Decimal]:
    """{(member id, year): class hours} credited by meetings attended in [start, end] (any organization).

    Takes the ids as a list, read in chunks: given a subquery instead, PostgreSQL misjudges the join at county
    scale (1.9 s instead of 0.13 s for a town; docs/performance.md)."""
    ids = list(member_ids)
    out: dict[tuple[int, int], Decimal] = {}
    for i in range(0, len(ids), ID_CHUNK):
        rows = (Attendance.objects.filter(member_id__in=ids[i:i + ID_CHUNK], presence__in=ATTENDING,
                                          meeting__date__range=(start, end), meeting__study_hours__gt=0)
                .values("member_id", year=ExtractYear("meeting__date")).annotate(hours=Sum("meeting__study_hours"))
                .order_by())
        out.update({(r["member_id"], r["year"]): Decimal(r["hours"]) for r in rows})
    return out


def study_hours(org: Organization, year: int, *, as_of: dt.date | None = None) -> list[StudyRow]:
    """Class hours per member of org's subtree for `year` (up to `as_of` for the year under way), against
    the yearly minimum (meetings.study_hours). The members are those of the subtree on the last day counted,
    not suspended and not mobile, who joined before the year began (newcomers owe a full year from the next)."""
    last = dt.date(year, 12, 31) if as_of is None else min(as_of, dt.date(year, 12, 31))
    first = dt.date(year, 1, 1)
    periods = (MemberPeriod.objects.on(last).filter(org_id__in=subtree_org_ids(org, last), suspended=False,
                                                    mobile=False, member__joined_on__lt=first)
               .select_related("member").only("member_id", "org_id", "member__name"))
    required, cite = study_required(year)
    members = {p.member_id: p for p in periods}
    hours = hours_by_member(list(members), first, last)
    rows = [StudyRow(mid, p.member.name, p.org_id, hours.get((mid, year), Decimal("0")), required, cite)
            for mid, p in members.items()]
    return sorted(rows, key=lambda r: (r.hours, r.name))


# --- people, calendars ------------------------------------------------------------------------------------
def expected_attendees(org: Organization, day: dt.date) -> QuerySet[Member]:
    """The members expected at a meeting of `org` on `day` (the printable sign-in sheet): those of its
    subtree on the day, not suspended (mobile members are listed: they may come); for a party group, the
    members of its branch in the group."""
    pool = attendance_pool(org, day)
    ids = MemberPeriod.objects.on(day).filter(org_id__in=subtree_org_ids(pool, day), suspended=False)
    qs = Member.objects.filter(pk__in=ids.values("member_id"))
    if org.kind == OrgKind.PARTY_GROUP:
        qs = qs.filter(party_group=org)
    return qs.order_by("name", "pk")


def member_meetings(member: Member, start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    """The meetings of a member in [start, end]: those of the organizations the member belonged to on each
    meeting's date (their subtrees' party group meetings too, for the member's group), and any meeting where
    the member's attendance was recorded."""
    q = Q(attendance__member=member)
    for p in MemberPeriod.objects.filter(Q(end__isnull=True) | Q(end__gt=start), member=member, start__lte=end):
        span = Q(date__gte=max(p.start, start))
        if p.end is not None:
            span &= Q(date__lt=p.end)
        q |= Q(org_id=p.org_id) & span
        if member.party_group_id:
            q |= Q(org_id=member.party_group_id) & span
    return (Meeting.objects.filter(q, date__range=(start, end)).distinct().select_related("org")
            .order_by("date", "id"))


def branch_calendar(org: Organization, start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    """The meetings of org's subtree (its party groups included) in [start, end], by date."""
    return (Meeting.objects.filter(org__path__startswith=org.path, date__range=(start, end))
            .select_related("org").order_by("date", "id"))


def last_meeting_on(org: Organization, as_of: dt.date) -> dt.date | None:
    value = (Meeting.objects.filter(org__path__startswith=org.path, date__lte=as_of).exclude(kind__in=NOT_LIFE_KINDS)
             .aggregate(last=Max("date")))
    return value["last"]


def silence(org: Organization, as_of: dt.date) -> int | None:
    """Days from org's last meeting of organizational life (any kind but `NOT_LIFE_KINDS`; its party groups'
    included) to `as_of`; None: none ever."""
    last = last_meeting_on(org, as_of)
    return None if last is None else (as_of - last).days
