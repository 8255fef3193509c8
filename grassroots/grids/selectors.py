"""Reads of grids. Every answer that depends on a day takes the day: a grid's households and persons on D are the
households app's (`HouseholdPlace` periods under the grid's place covering D, persons in them on D), counted for
many grids at once in two queries; its workers on D are the posts covering D; its Party group on D the period
covering D."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from grassroots.households.models import HouseholdPlace, Person
from grassroots.orgs.models import Organization, Territory
from grassroots.rules.registry import in_force

from .models import Grid, GridPartyGroup, GridWorker


def visible(scope, *, write: bool = False) -> QuerySet[Grid]:  # type: ignore[no-untyped-def]
    """The grids the user may read: in the places their organizations hold, and the grids they work in."""
    return Grid.objects.visible_to(scope, write=write)


def _paths_q(paths: Sequence[str], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def held_roots(org: Organization) -> list[str]:
    """The paths of the places `org` and the organizations under it hold now (its own place, the places given to
    it): the grids of an organization are the grids under these."""
    from grassroots.orgs.models import OrgKind

    holders = (Organization.objects.filter(path__startswith=org.path, revoked_on__isnull=True)
               .exclude(kind=OrgKind.PARTY_GROUP).values("pk"))
    held = Territory.objects.filter(Q(organizations__in=holders)
                                    | Q(states__valid_to__isnull=True, states__holder__in=holders))
    paths = sorted(set(held.values_list("path", flat=True)))
    return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]


def for_org(org: Organization) -> QuerySet[Grid]:
    """The grids in the places `org` (and its subtree) holds."""
    roots = held_roots(org)
    return Grid.objects.filter(_paths_q(roots, "territory__"))


def counts_on(grids: Sequence[Grid], day: dt.date) -> dict[int, tuple[int, int]]:
    """{grid id: (households, persons)} living in each grid's place (and below it) on `day`: two queries for the
    lot, the same rule as `households.selectors.households_on` / `persons_on`."""
    paths = {g.territory.path: g.pk for g in grids}
    if not paths:
        return {}
    places = HouseholdPlace.objects.on(day).filter(_paths_q(list(paths)))
    per_path = dict(places.values("path").annotate(n=Count("household_id", distinct=True)).values_list("path", "n"))
    persons = (Person.objects.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day),
                                     Q(left_on__isnull=True) | Q(left_on__gt=day))
               .filter(Q(household__places__valid_from__isnull=True) | Q(household__places__valid_from__lte=day),
                       Q(household__places__valid_to__isnull=True) | Q(household__places__valid_to__gt=day),
                       _paths_q(list(paths), "household__places__"))
               .values("household__places__path").annotate(n=Count("pk", distinct=True)))
    per_path_persons = {r["household__places__path"]: r["n"] for r in persons}
    out: dict[int, tuple[int, int]] = {g.pk: (0, 0) for g in grids}
    for grid in grids:
        p = grid.territory.path
        out[grid.pk] = (sum(n for path, n in per_path.items() if path.startswith(p)),
                        sum(n for path, n in per_path_persons.items() if path.startswith(p)))
    return out


def workers_on(grids: Sequence[Grid], day: dt.date) -> dict[int, list[GridWorker]]:
    """{grid id: the workers whose post covers `day`}: one query."""
    out: dict[int, list[GridWorker]] = {g.pk: [] for g in grids}
    for w in (GridWorker.objects.filter(grid__in=[g.pk for g in grids], started_on__lte=day)
              .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)).select_related("user")
              .order_by("started_on", "pk")):
        out[w.grid_id].append(w)
    return out


def party_groups_on(grids: Sequence[Grid], day: dt.date) -> dict[int, Organization]:
    """{grid id: its Party group on `day`}: one query."""
    return {p.grid_id: p.org for p in GridPartyGroup.objects.on(day).filter(grid__in=[g.pk for g in grids])
            .select_related("org")}


def existing_on(qs: QuerySet[Grid], day: dt.date) -> QuerySet[Grid]:
    """The grids set up by `day` (or before the records) whose place was not revoked by then."""
    return qs.filter(Q(set_up_on__isnull=True) | Q(set_up_on__lte=day),
                     Q(territory__revoked_on__isnull=True) | Q(territory__revoked_on__gt=day))


@dataclass(frozen=True)
class Figures:
    """A subtree's grids on a day: grids, grid workers (distinct accounts), grids with a Party group, distinct
    Party groups, households and persons in grids."""

    day: dt.date
    grids: int
    workers: int
    with_party_group: int
    party_groups: int
    households: int
    persons: int

    def as_json(self) -> dict[str, object]:
        return {"day": self.day.isoformat(), "grids": self.grids, "workers": self.workers,
                "with_party_group": self.with_party_group, "party_groups": self.party_groups,
                "households": self.households, "persons": self.persons}


def figures_on(org: Organization, day: dt.date) -> Figures:
    grids = list(existing_on(for_org(org), day).select_related("territory"))
    ids = [g.pk for g in grids]
    workers = (GridWorker.objects.filter(grid__in=ids, started_on__lte=day)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)).values("user_id").distinct().count())
    groups = list(GridPartyGroup.objects.on(day).filter(grid__in=ids).values_list("grid_id", "org_id"))
    counts = counts_on(_outermost(grids), day)
    return Figures(day=day, grids=len(grids), workers=workers, with_party_group=len({g for g, _o in groups}),
                   party_groups=len({o for _g, o in groups}),
                   households=sum(h for h, _p in counts.values()), persons=sum(p for _h, p in counts.values()))


def _outermost(grids: list[Grid]) -> list[Grid]:
    """The grids not under another grid of the list (a household is counted once)."""
    ordered = sorted(grids, key=lambda g: g.territory.path)
    kept: list[Grid] = []
    for g in ordered:
        if not any(g.territory.path.startswith(k.territory.path) for k in kept):
            kept.append(g)
    return kept


@dataclass(frozen=True)
class Limits:
    households: int
    cites: tuple[str, str, str]


def limits(day: dt.date) -> Limits:
    worker, head, size = (in_force(rule, day) for rule in ("grids.worker_required", "grids.head_required",
                                                            "grids.households_per_grid"))
    return Limits(int(size["households"]), (worker.cite, head.cite, size.cite))


def places_for_new_grid(scope, org: Organization) -> QuerySet[Territory]:  # type: ignore[no-untyped-def]
    """The communities and villages under `org`'s places the user may write, where a new grid may be drawn."""
    return (scope.territories(write=True).filter(_paths_q(held_roots(org)), kind__in=("community", "village"),
                                                 revoked_on__isnull=True).order_by("path"))


def places_to_set_up(scope, org: Organization) -> QuerySet[Territory]:  # type: ignore[no-untyped-def]
    """The grid and villager-group places under `org`'s places, writable by the user, without a grid profile."""
    return (scope.territories(write=True).filter(_paths_q(held_roots(org)), kind__in=("grid", "villager_group"),
                                                 revoked_on__isnull=True, grid__isnull=True).order_by("path"))


def holders_on(grids: Sequence[Grid], day: dt.date) -> dict[int, Organization | None]:
    """{grid's territory id: the organization holding it on `day`}, for many grids at once: the grids' places
    are asked of `orgs.selectors.holders_of` together with every place above them, so that a grid's holder comes
    from its community's without a query per grid."""
    from grassroots.orgs.selectors import holders_of

    step = Territory.steplen
    prefixes = {g.territory.path[:end] for g in grids for end in range(step, len(g.territory.path), step)}
    above = list(Territory.objects.filter(path__in=prefixes))
    found = holders_of([*above, *(g.territory for g in grids)], day)
    return {g.territory_id: found.get(g.territory_id) for g in grids}
