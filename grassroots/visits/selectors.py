"""Reads of links and visits: what a user may see, who is linked to how many households against their target, the
station that serves a place, and the visit rates.

Visit rate of a place over [start, end], as of day D (default: end): among the households living in the place on D
(`households.selectors.households_on`), those visited at least once in the period, over all of them: the numerator,
the denominator (shown beside it), and persons apart (persons living in visited households on D over persons living
there on D). Every level of the table is one aggregate query over the household periods in force on D, grouped by
the place's path prefix (all places of one depth have paths of one length): two per level (households, persons),
never a query per household.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from grassroots.access.scope import Scope
from grassroots.households.selectors import places_on
from grassroots.orgs.models import Organization, Territory
from grassroots.rules.registry import in_force

from .models import HouseholdLink, LinkTarget, Visit, VisitFinding

TABLE_KINDS = ("community", "village", "villager_group", "grid")


def visible(scope: Scope, *, write: bool = False) -> QuerySet[Visit]:
    return Visit.objects.visible_to(scope, write=write)


def links_visible(scope: Scope, *, write: bool = False) -> QuerySet[HouseholdLink]:
    return HouseholdLink.objects.visible_to(scope, write=write)


def findings_visible(scope: Scope) -> QuerySet[VisitFinding]:
    return VisitFinding.objects.visible_to(scope)


def held_paths(org: Organization) -> list[str]:
    """The places the organization's subtree holds now (its own places and those given to it), outermost only."""
    holders = Organization.objects.filter(path__startswith=org.path, revoked_on__isnull=True).values("pk")
    paths = sorted(set(Territory.objects.filter(
        Q(organizations__in=holders) | Q(states__valid_to__isnull=True, states__holder__in=holders))
        .values_list("path", flat=True)))
    return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]


def path_q(paths: list[str], field_name: str) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field_name}__path__startswith": p})
    return q


# --- the station serving a place -----------------------------------------------------------------------

def station_for(territory: Territory, day: dt.date) -> tuple[Organization | None, list[Any]]:
    """The opinions station serving a place: the nearest organization, from the holder of the place on `day` up,
    that has an active opinion category; with its active categories (the first is the default)."""
    from grassroots.opinions.models import Category
    from grassroots.orgs.selectors import holder_of

    holder = holder_of(territory, day)
    if holder is None:
        return None, []
    step = Organization.steplen
    paths = [holder.path[:i] for i in range(step, len(holder.path) + 1, step)]
    station = (Organization.objects.filter(path__in=paths, revoked_on__isnull=True,
                                           opinion_categories__active=True)
               .order_by("-path").distinct().first())
    if station is None:
        return None, []
    return station, list(Category.objects.filter(org=station, active=True).order_by("code"))


# --- links against targets -----------------------------------------------------------------------------

def default_targets(day: dt.date) -> dict[str, int]:
    return {k: int(v) for k, v in in_force("visits.link_targets", day).params.items()}


@dataclass
class PersonLoad:
    key: str
    name: str
    kind: str
    kind_label: str
    households: list[Any] = field(default_factory=list)
    target: int = 0
    own_target: bool = False

    @property
    def count(self) -> int:
        return len(self.households)

    @property
    def short(self) -> int:
        return max(self.target - self.count, 0)


def _on(links: QuerySet[HouseholdLink], day: dt.date) -> QuerySet[HouseholdLink]:
    return links.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def link_load(links: QuerySet[HouseholdLink], day: dt.date) -> list[PersonLoad]:
    """Each linked person (on `day`) with their households, against their target: their own (`LinkTarget`) or
    their kind's default (`visits.link_targets`). Two queries."""
    defaults = default_targets(day)
    people: dict[str, PersonLoad] = {}
    for link in _on(links, day).select_related("household").order_by("person_name", "household__code"):
        load = people.get(link.person_key)
        if load is None:
            load = people[link.person_key] = PersonLoad(link.person_key, link.person_name, link.kind,
                                                        str(link.get_kind_display()),
                                                        target=defaults.get(link.kind, 0))
        load.households.append(link.household)
    if people:
        member_ids = [int(k[1:]) for k in people if k.startswith("m")]
        user_ids = [int(k[1:]) for k in people if k.startswith("u")]
        names = [k[2:] for k in people if k.startswith("n:")]
        for row in LinkTarget.objects.filter(Q(member_id__in=member_ids) | Q(user_id__in=user_ids)
                                             | Q(member=None, user=None, person_name__in=names)):
            if row.person_key in people:
                people[row.person_key].target, people[row.person_key].own_target = row.households, True
    return sorted(people.values(), key=lambda p: (p.kind, p.name))


# --- visit rates ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    place: Territory
    households: int  # the denominator: living in the place on the day
    visited: int  # among them, visited in the period
    persons: int
    persons_visited: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.visited / self.households, 1) if self.households else None

    @property
    def persons_percent(self) -> float | None:
        return round(100 * self.persons_visited / self.persons, 1) if self.persons else None

    def as_json(self) -> dict[str, Any]:
        return {"place": self.place.code, "households": self.households, "visited": self.visited,
                "persons": self.persons, "persons_visited": self.persons_visited, "percent": self.percent}


def _by_prefix(root: Territory, length: int, start: dt.date, end: dt.date, day: dt.date) -> dict[str, dict[str, int]]:
    """Households and persons living under `root` on `day`, and those visited in [start, end], grouped by the
    first `length` characters of their place's path: two queries (households; persons), no DISTINCT (a household
    has one period in force on a day)."""
    visited = Exists(Visit.objects.filter(household_id=OuterRef("household_id"), day__gte=start, day__lte=end))
    living = places_on(root, day).annotate(prefix=Substr("path", 1, length), seen=visited).values("prefix")
    alive = ((Q(household__persons__joined_on__isnull=True) | Q(household__persons__joined_on__lte=day))
             & (Q(household__persons__left_on__isnull=True) | Q(household__persons__left_on__gt=day)))
    found: dict[str, dict[str, int]] = {}
    for r in living.annotate(households=Count("pk"), visited=Count("pk", filter=Q(seen=True))):
        found[str(r["prefix"])] = {"households": int(r["households"]), "visited": int(r["visited"]),
                                   "persons": 0, "persons_visited": 0}
    people = (living.filter(alive).annotate(persons=Count("household__persons"),
                                            persons_visited=Count("household__persons", filter=Q(seen=True))))
    for p in people:
        row = found.setdefault(str(p["prefix"]), {"households": 0, "visited": 0, "persons": 0, "persons_visited": 0})
        row["persons"], row["persons_visited"] = int(p["persons"]), int(p["persons_visited"])
    return found


def visit_rates(place: Territory, start: dt.date, end: dt.date, as_of: dt.date | None = None) -> Rate:
    """The visit rate of `place` over [start, end], as of `as_of` (default: end). Two queries."""
    day = as_of or end
    row = _by_prefix(place, len(place.path), start, end, day).get(place.path, {})
    return Rate(place, row.get("households", 0), row.get("visited", 0), row.get("persons", 0),
                row.get("persons_visited", 0))


def rate_table(place: Territory, start: dt.date, end: dt.date, as_of: dt.date | None = None,
               kinds: tuple[str, ...] = TABLE_KINDS) -> list[Rate]:
    """The rate of `place` and of each community, village, villager group and grid under it (in tree order):
    one query for the places, two per depth."""
    day = as_of or end
    under = list(Territory.objects.filter(path__startswith=place.path, kind__in=kinds)
                 .exclude(pk=place.pk).order_by("path"))
    lengths: dict[int, list[Territory]] = defaultdict(list)
    for t in under:
        lengths[len(t.path)].append(t)
    counts: dict[str, dict[str, int]] = dict(_by_prefix(place, len(place.path), start, end, day))
    for length in sorted(lengths):
        counts.update(_by_prefix(place, length, start, end, day))
    rows = []
    for t in [place, *under]:
        r = counts.get(t.path, {})
        rows.append(Rate(t, r.get("households", 0), r.get("visited", 0), r.get("persons", 0),
                         r.get("persons_visited", 0)))
    return rows


def year_rate(org: Organization, year: int, day: dt.date) -> tuple[int, int, int, int]:
    """Households (and persons) visited in the year up to `day`, among those living on `day` in the places the
    organization's subtree holds: (visited, households, persons visited, persons)."""
    start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
    totals = [0, 0, 0, 0]
    for path in held_paths(org):
        root = Territory(path=path)
        r = _by_prefix(root, len(path), start, end, end).get(path, {})
        for i, k in enumerate(("visited", "households", "persons_visited", "persons")):
            totals[i] += r.get(k, 0)
    return totals[0], totals[1], totals[2], totals[3]


# --- rules ---------------------------------------------------------------------------------------------------

def months_back(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def unvisited_links(links: QuerySet[HouseholdLink], day: dt.date) -> tuple[QuerySet[HouseholdLink], dt.date, str]:
    """Links in force on `day`, at least a period old, with no visit by the linked person in the period
    (`visits.visit_every`): (links annotated with `last` visit day, the cutoff, the rule cite)."""
    from django.db.models import Max

    rule = in_force("visits.visit_every", day)
    cutoff = months_back(day, int(rule.params["months"]))
    late = (_on(links, day).filter(valid_from__lte=cutoff).annotate(last=Max("visits__day", filter=Q(
        visits__day__lte=day))).filter(Q(last__isnull=True) | Q(last__lte=cutoff)))
    return late, cutoff, rule.cite


def unhandled_findings(findings: QuerySet[VisitFinding], day: dt.date) -> tuple[QuerySet[VisitFinding], int, str]:
    rule = in_force("visits.finding_handled_within", day)
    days = int(rule.params["days"])
    late = findings.filter(state="open", type__in=list(rule.params["types"]),
                           visit__day__lt=day - dt.timedelta(days=days))
    return late, days, rule.cite
