"""Organizational-life findings (source "meetings"), for every branch of a subtree on `as_of`.

- Duties (see `selectors`): per unit and duty, one overdue finding names every period that ended unmet
  within the last 12 months, and one due-soon finding the period under way when it is not yet met and ends
  within the due-soon window (14 days). A branch that recorded nothing sees one line per duty, not one per
  month. Branches owe all their duties, general branches their general meetings, party groups their group
  meetings (reported against their branch).
- Silence (meetings.silence): a branch with no meeting of any kind (its party groups' included; a joint
  meeting with the resident units is not organizational life) for 30 days
  or more is overdue; a branch that never held one counts from its founding.
- Absence (meetings.member_absence): a member of a branch, on `as_of` active, not suspended and not mobile,
  is absent in a month when their branch held at least one meeting of organizational life (their own party
  group's meetings included; committee meetings and talks are not organizational life for the whole
  membership) and they were at none of them (present or remote) — anywhere in the branch's subtree. The
  count runs back over the complete months before `as_of`'s month, stopping at a month the member attended,
  a month without any meeting, or a month before the member came to the branch; attending in the month under
  way resets it. 3 and more months: overdue (5: one month before the branch must decide); 6 or more:
  violated, and the message says the branch must decide — the platform never removes anyone.
  Mobile members are left out: they may take part at the inflow branch, which need not be on the platform.
- Study (meetings.study_hours): per branch, one finding for the members below the yearly minimum for the
  year that has ended (last year only; violated), and in December one for the year under way (due soon).
  Members as in `selectors.study_hours` (not suspended, not mobile, joined before the year began). The
  first few are named, fewest hours first; the duties page lists everyone's hours. A branch that recorded no
  meeting in that year gets no study finding (its missed duties say it all).

About eight queries for a whole county: the subtree, the meetings of the window, the last meetings of silent
branches, the members on `as_of` and at the end of last year, their periods, their months of attendance and
their class hours; everything else is computed here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.dates import add_months
from grassroots.members.models import MemberPeriod
from grassroots.orgs.models import OrgKind, OrgState
from grassroots.orgs.selectors import state_on
from grassroots.rules.findings import DUE_SOON, OVERDUE, VIOLATED, Finding, source
from grassroots.rules.registry import in_force

from .models import NOT_LIFE_KINDS, Attendance, Meeting, MeetingKind
from .selectors import (
    ID_CHUNK,
    DutyRow,
    DutyState,
    Unit,
    duty_rows,
    duty_state,
    hours_by_member,
    period_bounds,
    study_required,
    units_from_states,
)
from .services import ATTENDING

HISTORY_MONTHS = 12
# The kinds of meeting every member of a branch is expected at (for absence).
LIFE_KINDS = (MeetingKind.GENERAL_MEETING, MeetingKind.GROUP_MEETING, MeetingKind.PARTY_LECTURE,
              MeetingKind.THEME_DAY, MeetingKind.LIFE_MEETING, MeetingKind.APPRAISAL, MeetingKind.STUDY)

Month = tuple[int, int]


def _month(day: dt.date) -> Month:
    return day.year, day.month


def _org_finding(rule: str, state: str, unit: Unit, branch: Unit, due: dt.date | None, message: str) -> Finding:
    return Finding(rule=rule, state=state, subject_type="organization", subject_id=unit.org_id,
                   subject_label=unit.name, org_id=branch.org_id, org_name=branch.name, due=due, message=message,
                   url=reverse("duties", args=[unit.code]))


def _period_label(start: dt.date, end: dt.date) -> str:
    """2024-03 for a month, 2024Q1 for a quarter, 2024 for a year."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    if months == 3:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _duty_findings(units: list[Unit], by_id: dict[int, Unit], meetings: list[Any], as_of: dt.date
                   ) -> Iterator[Finding]:
    """Per unit and duty, at most two findings: one (overdue) naming every period of the last 12 months that
    ended unmet, one (due soon) for the period under way. A branch that recorded nothing sees one line per
    duty, not one per month."""
    since = add_months(as_of, -HISTORY_MONTHS)
    missed: dict[tuple[int, str], list[DutyRow]] = defaultdict(list)
    soon: list[DutyRow] = []
    for row in duty_rows(units, meetings, since, as_of):
        state = duty_state(row, as_of)
        if state is DutyState.MISSED and row.period_end > since:
            missed[(row.org_id, row.rule_id)].append(row)
        elif state is DutyState.DUE_SOON:
            soon.append(row)

    def branch_of(unit: Unit) -> Unit:
        return by_id.get(unit.parent_id or 0, unit) if unit.kind == OrgKind.PARTY_GROUP else unit

    for (org_id, _rule_id), rows in missed.items():
        unit = by_id[org_id]
        latest = rows[-1]
        values = {"what": latest.title, "n": len(rows),
                  "periods": ", ".join(_period_label(r.period_start, r.period_end) for r in rows)}
        if len(rows) == 1:
            message = _("%(what)s has not been met for %(periods)s.") % values
        else:
            message = _("%(what)s has not been met for %(n)s periods: %(periods)s.") % values
        inquorate = [_period_label(r.period_start, r.period_end) for r in rows if r.held]
        if inquorate:
            message += " " + _("Held without a quorum in %(periods)s, and not held again.") % {
                "periods": ", ".join(inquorate)}
        yield _org_finding(latest.rule, OVERDUE, unit, branch_of(unit), latest.period_end, message)
    for row in soon:
        unit = by_id[row.org_id]
        values = {"what": row.title, "period": _period_label(row.period_start, row.period_end),
                  "end": row.period_end.isoformat()}
        message = _("%(what)s for %(period)s is due by %(end)s.") % values
        yield _org_finding(row.rule, DUE_SOON, unit, branch_of(unit), row.period_end, message)


def _silence_findings(branches: list[Unit], groups_of: dict[int, list[int]], owner: dict[int, int],
                      meetings: list[Any], as_of: dt.date) -> Iterator[Finding]:
    """`owner`: the branch of each party group (its meetings count for the branch)."""
    last: dict[int, dt.date] = {}
    for m in meetings:
        branch_id = owner.get(m.org_id, m.org_id)
        if m.date > last.get(branch_id, dt.date.min):
            last[branch_id] = m.date
    rule = in_force("meetings.silence", as_of)
    days = int(rule["days"])
    missing = [b.org_id for b in branches if b.org_id not in last]
    if missing:  # their last meeting, if any, is older than the window
        ids = missing + [g for b in missing for g in groups_of.get(b, [])]
        for row in (Meeting.objects.filter(org_id__in=ids, date__lte=as_of).exclude(kind__in=NOT_LIFE_KINDS)
                    .values("org_id")
                    .annotate(last=Max("date")).order_by()):
            branch_id = owner.get(row["org_id"], row["org_id"])
            if row["last"] > last.get(branch_id, dt.date.min):
                last[branch_id] = row["last"]
    for b in branches:
        held = last.get(b.org_id)
        since = held if held is not None else b.founded_on
        if (as_of - since).days < days:
            continue
        values = {"days": (as_of - since).days, "date": since.isoformat()}
        if held is None:
            message = _("No meeting has been recorded since the branch was founded on %(date)s (%(days)s days).") % values
        else:
            message = _("No meeting has been recorded for %(days)s days (the last on %(date)s).") % values
        yield _org_finding(rule.cite, OVERDUE, b, b, since + dt.timedelta(days=days), message)


def _member_finding(rule: str, state: str, member: Any, branch: Unit, due: dt.date | None, message: str
                    ) -> Finding:
    return Finding(rule=rule, state=state, subject_type="member", subject_id=member.pk, subject_label=member.name,
                   org_id=branch.org_id, org_name=branch.name, due=due, message=message,
                   url=reverse("member-detail", args=[member.pk]))


def _stay_start(periods: list[MemberPeriod], current: MemberPeriod) -> dt.date:
    """When the member's unbroken stay at the current period's organization began."""
    start = current.start
    for p in sorted(periods, key=lambda p: p.start, reverse=True):
        if p.org_id == current.org_id and p.end == start:
            start = p.start
    return start


def _absence_findings(branches: dict[int, Unit], current: list[MemberPeriod], history: dict[int, list[MemberPeriod]],
                      meetings: list[Any], attended: set[tuple[int, Month]], as_of: dt.date) -> Iterator[Finding]:
    rule = in_force("meetings.member_absence", as_of)
    thresholds = sorted(int(n) for n in rule["finding_months"])
    decide = int(rule["decision_months"])
    held: set[tuple[int, Month]] = set()  # (org id, month): a meeting of organizational life was held
    for m in meetings:
        if m.kind in LIFE_KINDS:
            held.add((m.org_id, _month(m.date)))
    this_month = as_of.replace(day=1)
    months = [add_months(this_month, -i) for i in range(1, decide + 1)]  # the complete months, latest first
    for period in current:
        member = period.member
        branch = branches[period.org_id]
        if (member.pk, _month(as_of)) in attended:
            continue
        stay = _stay_start(history.get(member.pk, []), period)
        streak = 0
        for first in months:
            key = _month(first)
            if first < stay:
                break
            if (branch.org_id, key) not in held and (member.party_group_id, key) not in held:
                break
            if (member.pk, key) in attended:
                break
            streak += 1
        if streak < thresholds[0]:
            continue
        oldest = months[streak - 1]
        due = period_bounds(add_months(oldest, decide - 1), "month")[1]
        values = {"n": streak, "since": oldest.isoformat(), "decide": decide, "due": due.isoformat()}
        if streak >= decide:
            message = _("Absent from organizational life for %(n)s or more consecutive months (since %(since)s): "
                        "the branch must decide how to handle it; the platform removes no one.") % values
            yield _member_finding(rule.cite, VIOLATED, member, branch, due, message)
        elif streak >= thresholds[-1]:
            message = _("Absent from organizational life for %(n)s consecutive months (since %(since)s): talk to "
                        "the member; at %(decide)s months the branch must decide.") % values
            yield _member_finding(rule.cite, OVERDUE, member, branch, due, message)
        else:
            message = _("Absent from organizational life for %(n)s consecutive months (since %(since)s): talk to "
                        "the member.") % values
            yield _member_finding(rule.cite, OVERDUE, member, branch, due, message)


STUDY_NAMES = 5  # members named in a study finding; the duties page lists them all


def _hours(value: Decimal) -> str:
    """Class hours as people write them: 31.9, 32, 0."""
    return format(value.quantize(Decimal("0.1")).normalize(), "f")


def _study_findings(branches: dict[int, Unit], rows: list[tuple[MemberPeriod, int]],
                    hours: dict[tuple[int, int], Decimal], recorded: set[tuple[int, int]], as_of: dt.date
                    ) -> Iterator[Finding]:
    """One finding per branch and year: how many of its members are below the yearly minimum, the first few
    by name (fewest hours first), never a ranking of the whole branch. Only for a year in which the branch
    recorded meetings (`recorded`: (branch id, year)): hours are counted from recorded meetings, and a branch
    that recorded none that year (before it used the platform, say) has its missed-duty findings instead."""
    short: dict[tuple[int, int], list[tuple[Decimal, str]]] = defaultdict(list)
    cites: dict[int, tuple[Decimal, str]] = {}
    for period, year in rows:
        if (period.org_id, year) not in recorded:
            continue
        if year not in cites:
            cites[year] = study_required(year)
        required = cites[year][0]
        got = hours.get((period.member_id, year), Decimal("0"))
        if got < required:
            short[(period.org_id, year)].append((got, period.member.name))
    for (org_id, year), people in sorted(short.items(), key=lambda kv: (kv[0][1], branches[kv[0][0]].name)):
        required, cite = cites[year]
        people.sort()
        names = ", ".join(f"{name} ({_hours(got)})" for got, name in people[:STUDY_NAMES])
        if len(people) > STUDY_NAMES:
            names += " " + _("and %(n)s more") % {"n": len(people) - STUDY_NAMES}
        values = {"n": len(people), "required": required, "year": year, "names": names}
        if year < as_of.year:
            state = VIOLATED
            message = _("%(n)s members had fewer than %(required)s class hours of study in %(year)s: "
                        "%(names)s.") % values
        else:
            state = DUE_SOON
            message = _("%(n)s members have fewer than %(required)s class hours of study so far in %(year)s, "
                        "due by the end of the year: %(names)s.") % values
        branch = branches[org_id]
        yield _org_finding(cite, state, branch, branch, dt.date(year, 12, 31), message)


@source("meetings")
def meetings_findings(org: Any, as_of: dt.date) -> Iterator[Finding]:
    root = state_on(org, as_of)
    if root is None:
        return
    subtree = OrgState.objects.on(as_of).filter(path__startswith=root.path)
    subtree_ids = subtree.values("org_id")
    units = units_from_states(list(subtree.select_related("org").order_by("path")), as_of)
    if not units:
        return
    by_id = {u.org_id: u for u in units}
    branches = {u.org_id: u for u in units if u.kind == OrgKind.BRANCH}
    groups_of: dict[int, list[int]] = defaultdict(list)
    for u in units:
        if u.kind == OrgKind.PARTY_GROUP and u.parent_id in branches:
            groups_of[u.parent_id].append(u.org_id)
    window_start = dt.date(as_of.year - 1, 1, 1)
    meetings = list(Meeting.objects.filter(org_id__in=subtree_ids,
                                           date__range=(window_start, as_of))
                    .exclude(kind__in=NOT_LIFE_KINDS)
                    .only("org", "kind", "date", "quorate").order_by("date", "id"))
    yield from _duty_findings(units, by_id, meetings, as_of)
    if not branches:
        return
    owner = {g: b for b, gs in groups_of.items() for g in gs}  # party group -> its branch
    yield from _silence_findings(list(branches.values()), groups_of, owner, meetings, as_of)

    # Members of the branches on as_of (absence, this year's study) and at the end of last year (study).
    last_year_end = dt.date(as_of.year - 1, 12, 31)
    branch_ids = list(branches)
    current = list(MemberPeriod.objects.on(as_of).filter(org_id__in=branch_ids, suspended=False, mobile=False)
                   .select_related("member").only("member_id", "org_id", "start", "end", "member__name",
                                                  "member__party_group", "member__joined_on"))
    absence_start = add_months(as_of.replace(day=1), -int(in_force("meetings.member_absence", as_of)
                                                          ["decision_months"]))
    history: dict[int, list[MemberPeriod]] = defaultdict(list)
    current_ids = MemberPeriod.objects.on(as_of).filter(org_id__in=branch_ids).values("member_id")
    for p in (MemberPeriod.objects.filter(Q(end__isnull=True) | Q(end__gte=absence_start), member_id__in=current_ids,
                                          start__lte=as_of).only("member_id", "org_id", "start", "end")):
        history[p.member_id].append(p)
    # Who attended which month: read by the meetings already in memory (no join, no DISTINCT: at county
    # scale the planner misjudges the joined form badly; see docs/performance.md), in chunks of ids.
    month_of = {m.pk: _month(m.date) for m in meetings if m.kind in LIFE_KINDS and m.date >= absence_start}
    attended: set[tuple[int, Month]] = set()
    meeting_ids = list(month_of)
    for i in range(0, len(meeting_ids), ID_CHUNK):
        for member_id, meeting_id in (Attendance.objects.filter(meeting_id__in=meeting_ids[i:i + ID_CHUNK],
                                                                 presence__in=ATTENDING)
                                      .values_list("member_id", "meeting_id").order_by()):
            attended.add((member_id, month_of[meeting_id]))
    yield from _absence_findings(branches, current, history, meetings, attended, as_of)

    study_rows: list[tuple[MemberPeriod, int]] = []
    for p in (MemberPeriod.objects.on(last_year_end).filter(org_id__in=branch_ids, suspended=False, mobile=False,
                                                            member__joined_on__lt=dt.date(as_of.year - 1, 1, 1))
              .select_related("member").only("member_id", "org_id", "member__name")):
        study_rows.append((p, as_of.year - 1))
    if as_of.month == 12:
        study_rows += [(p, as_of.year) for p in current if p.member.joined_on < dt.date(as_of.year, 1, 1)]
    if study_rows:
        wanted = {p.member_id for p, _year in study_rows}
        hours = hours_by_member(sorted(wanted), window_start, as_of)
        recorded = {(owner.get(m.org_id, m.org_id), m.date.year) for m in meetings}
        yield from _study_findings(branches, study_rows, hours, recorded, as_of)
