"""Reads of residents' opinions: who sees which, the state of each on a date, and the monthly statistics.

An organization's opinions are those its station received (`station` in its subtree) and those handled in its
subtree (`handler_org`), so a street committee sees its station's and a village branch what it was given.

States on a date come from the published changes dated on or before it, and deadlines from the dates the
services stored (at intake, and at each reopening), so the statistics for 31 December stay what they were
after later replies or a change of a category's number of days.

Statistics (the definitions the statistics page shows, `DEFINITIONS`):
- received: opinions received in the period, duplicates left out;
- completed: of those, solved, explained or "cannot be solved for now" (with the reason given) on the date;
- completion rate: completed / received;
- on time: completed on or before the reply deadline; on-time rate: on time / completed;
- still open: received and not completed on the date; overdue: still open and past the deadline;
- average rating: the mean of the latest rating of each rated opinion; satisfaction rate: the share of rated
  opinions whose latest rating is `satisfied_at_least` (4) or more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.access.scope import Scope
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force

from .models import CLOSED, COMPLETED, Opinion, OpinionChange, OpinionRating, State

DEFINITIONS = (
    (_("Received"), _("opinions received in the month, duplicates left out")),
    (_("Completed"), _("of those, solved, explained, or cannot be solved for now with the reason given, on the "
                       "report date")),
    (_("Completion rate"), _("completed divided by received")),
    (_("On-time rate"), _("of the completed, the share completed on or before the reply deadline (working days "
                          "from the day after receipt, by category)")),
    (_("Still open"), _("received and not completed on the report date")),
    (_("Overdue"), _("still open and past the reply deadline")),
    (_("Average rating"), _("the mean of each rated opinion's latest rating by the person who asked (1 to 5)")),
    (_("Satisfaction rate"), _("the share of rated opinions whose latest rating is 4 or 5")),
)


def in_org(org: Organization) -> Q:
    """Received by a station in org's subtree or handled there, by the subtree's organization ids (read once), so
    that the station and handler indexes serve a town's read whatever the size of the city."""
    subtree = list(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))
    return Q(station_id__in=subtree) | Q(handler_org_id__in=subtree)


def visible(scope: Scope) -> QuerySet[Opinion]:
    """The opinions a user may read: their station's or handled in their subtree."""
    qs = Opinion.objects.all()
    if scope.unrestricted:
        return qs
    ids = scope.by_org(Opinion.objects.all(), org_field="station").values("pk")
    handled = scope.by_org(Opinion.objects.all(), org_field="handler_org").values("pk")
    return qs.filter(Q(pk__in=ids) | Q(pk__in=handled))


def for_org(org: Organization) -> QuerySet[Opinion]:
    return Opinion.objects.filter(in_org(org))


def published(station: Organization | None = None) -> QuerySet[Opinion]:
    """What the public may see: published opinions only."""
    qs = Opinion.objects.filter(published=True)
    return qs.filter(station=station) if station is not None else qs


@dataclass
class OnDate:
    """One opinion as it stood on a date."""

    opinion_id: int
    state: str
    closed_on: dt.date | None
    deadline: dt.date
    rating: int | None

    @property
    def completed(self) -> bool:
        return self.state in COMPLETED

    @property
    def on_time(self) -> bool:
        return self.completed and self.closed_on is not None and self.closed_on <= self.deadline

    def overdue(self, as_of: dt.date) -> bool:
        return self.state not in CLOSED and self.deadline < as_of


def states_on(opinions: QuerySet[Opinion], as_of: dt.date) -> dict[int, OnDate]:
    """Each opinion's state, closing date, deadline and latest rating as of `as_of`: three queries, the changes
    and ratings read through the opinions' query as a subquery (no list of ids goes back and forth)."""
    selected = opinions.filter(received_on__lte=as_of)
    first = dict(selected.values_list("pk", "first_deadline"))
    out: dict[int, OnDate] = {}
    if not first:
        return out
    ids = selected.values("pk")
    last: dict[int, tuple[str, dt.date]] = {}
    reopened: dict[int, dt.date] = {}  # the deadline set by the last reopening on or before the date
    for oid, to_state, on, deadline in (
            OpinionChange.objects.filter(opinion__in=ids, published_at__isnull=False, on__lte=as_of)
            .order_by("on", "id").values_list("opinion_id", "to_state", "on", "deadline")):
        last[oid] = (to_state, on)
        if to_state == State.REOPENED and deadline is not None:
            reopened[oid] = deadline
    ratings: dict[int, int] = {}
    for oid, score in (OpinionRating.objects.filter(opinion__in=ids, on__lte=as_of)
                       .order_by("on", "id").values_list("opinion_id", "score")):
        ratings[oid] = score
    for oid, first_deadline in first.items():
        state, on = last.get(oid, (State.RECEIVED, dt.date.min))
        # The deadline as the service stored it then: the last reopening's on or before the date, else the first.
        deadline = reopened.get(oid, first_deadline)
        out[oid] = OnDate(oid, state, on if state in CLOSED else None, deadline, ratings.get(oid))
    return out


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """The statistics of one group of opinions (a month, a department, a category, or all)."""

    label: str
    key: str = ""
    received: int = 0
    completed: int = 0
    on_time: int = 0
    still_open: int = 0
    overdue: int = 0
    rated: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, d: OnDate, as_of: dt.date, satisfied_at: int) -> None:
        self.received += 1
        self.by_state[d.state] += 1
        if d.completed:
            self.completed += 1
            self.on_time += d.on_time
        else:
            self.still_open += 1
            self.overdue += d.overdue(as_of)
        if d.rating is not None:
            self.rated += 1
            self.rating_sum += d.rating
            self.satisfied += d.rating >= satisfied_at

    @property
    def completion_rate(self) -> Decimal | None:
        return _rate(self.completed, self.received)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.completed)

    @property
    def average_rating(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.rating_sum) / self.rated).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.rated)

    def as_json(self) -> dict[str, Any]:
        def num(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "label": str(self.label), "key": self.key, "received": self.received, "completed": self.completed,
            "completion_rate": num(self.completion_rate), "on_time": self.on_time,
            "on_time_rate": num(self.on_time_rate), "still_open": self.still_open, "overdue": self.overdue,
            "rated": self.rated, "average_rating": num(self.average_rating),
            "satisfaction_rate": num(self.satisfaction_rate),
            "by_state": {s: self.by_state.get(s, 0) for s in State.values if s != State.DUPLICATE},
        }


@dataclass
class Statistics:
    org: Organization
    start: dt.date
    end: dt.date  # inclusive
    as_of: dt.date
    total: Figures
    months: list[Figures]
    departments: list[Figures]
    categories: list[Figures]
    handlers: list[Figures]

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org.code, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(), "total": self.total.as_json(),
            "months": [m.as_json() for m in self.months],
            "departments": [d.as_json() for d in self.departments],
            "categories": [c.as_json() for c in self.categories],
            "handlers": [h.as_json() for h in self.handlers],
        }


def statistics(org: Organization, start: dt.date, end: dt.date, as_of: dt.date | None = None, *,
               department_id: int | None = None) -> Statistics:
    """Figures for the opinions of org received from `start` to `end` (inclusive), as they stood on `as_of`
    (default: `end`, or today while the period is under way), in total, per month of receipt, per department,
    per category and per handling organization; with `department_id`, only that department's opinions (the
    monthly figures fed back to a department)."""
    as_of = as_of or min(end, max(timezone.localdate(), start))
    until = min(end, as_of)
    satisfied_at = int(in_force("opinions.rating", as_of)["satisfied_at_least"])
    qs = for_org(org).filter(received_on__gte=start, received_on__lte=until)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    on_date = states_on(qs, as_of)
    rows = qs.values_list("pk", "received_on", "department_id", "department__name", "category__code",
                          "category__name", "handler_org__code", "handler_org__name")
    total = Figures(label=str(_("All")))
    months: dict[str, Figures] = {}
    day = start.replace(day=1)
    while day <= end:
        key = f"{day.year}-{day.month:02d}"
        months[key] = Figures(label=key, key=key)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    departments: dict[str, Figures] = {}
    categories: dict[str, Figures] = {}
    handlers: dict[str, Figures] = {}
    for pk, received_on, dept_id, dept_name, cat_code, cat_name, handler_code, handler_name in rows.iterator(
            chunk_size=5000):
        d = on_date.get(pk)
        if d is None or d.state == State.DUPLICATE:
            continue
        total.add(d, as_of, satisfied_at)
        months[f"{received_on.year}-{received_on.month:02d}"].add(d, as_of, satisfied_at)
        dkey = str(dept_id or "")
        if dkey not in departments:
            departments[dkey] = Figures(label=dept_name or str(_("(no department)")), key=dkey)
        departments[dkey].add(d, as_of, satisfied_at)
        if cat_code not in categories:
            categories[cat_code] = Figures(label=cat_name, key=cat_code)
        categories[cat_code].add(d, as_of, satisfied_at)
        if handler_code not in handlers:
            handlers[handler_code] = Figures(label=handler_name, key=handler_code)
        handlers[handler_code].add(d, as_of, satisfied_at)

    def ordered(groups: dict[str, Figures]) -> list[Figures]:
        return sorted(groups.values(), key=lambda f: (-f.received, f.label))

    return Statistics(org, start, end, as_of, total, list(months.values()), ordered(departments),
                      ordered(categories), ordered(handlers))


def year_statistics(org: Organization, year: int, as_of: dt.date | None = None, *,
                    department_id: int | None = None) -> Statistics:
    return statistics(org, dt.date(year, 1, 1), dt.date(year, 12, 31), as_of, department_id=department_id)


def history(opinion: Opinion, *, public: bool = False, drafts: bool = False) -> list[Any]:
    """Published replies in order, with the routing unless `public`; drafts only when asked (`drafts`: for the
    handling roles, never for the public or an auditor)."""
    items: list[tuple[dt.date, int, Any]] = []
    if not public:
        items += [(a.on, 0, a) for a in opinion.assignments.select_related("to_org", "to_department")]
    changes = opinion.changes.select_related("duplicate_of")
    if public or not drafts:
        changes = changes.filter(published_at__isnull=False)
    items += [(c.on, 1, c) for c in changes]
    return [x for _d, _o, x in sorted(items, key=lambda t: (t[0], t[1], getattr(t[2], "pk", 0)))]


def runs_station(org: Organization) -> bool:
    """Whether the organization runs a people's feelings express station (it has an active opinion category)."""
    return org.opinion_categories.filter(active=True).exists()
