"""Reads of the organization tree and the territory tree, live or as of a date; who holds a place."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from .models import Organization, OrgKind, OrgState, Territory, TerritoryState


def state_on(org: Organization, day: dt.date) -> OrgState | None:
    return OrgState.objects.on(day).filter(org=org).first()


def current_state(org: Organization) -> OrgState | None:
    return OrgState.objects.filter(org=org, valid_to__isnull=True).order_by("-valid_from").first()


def subtree_states(org: Organization, day: dt.date) -> QuerySet[OrgState]:
    """The nodes of org's subtree as they stood on `day` (org included); empty if org did not exist then."""
    root = state_on(org, day)
    if root is None:
        return OrgState.objects.none()
    return OrgState.objects.on(day).filter(path__startswith=root.path)


def subtree_org_ids(org: Organization, day: dt.date) -> QuerySet[OrgState, Any]:
    """A subquery of the ids of org's subtree on `day`, for `org_id__in=`."""
    return subtree_states(org, day).values("org_id")


def kind_counts(org: Organization, day: dt.date, *, include_root: bool = False) -> dict[str, int]:
    qs = subtree_states(org, day)
    if not include_root:
        qs = qs.exclude(org=org)
    return {row["kind"]: row["n"] for row in qs.values("kind").annotate(n=Count("id")).order_by()}


@dataclass
class TreeNode:
    org_id: int
    code: str
    name: str
    kind: str
    path: str
    children: list[TreeNode] = field(default_factory=list)


def tree_as_of(org: Organization, day: dt.date) -> TreeNode | None:
    """The subtree as it stood on `day`, nested, with the names and kinds in force then."""
    states = list(subtree_states(org, day).select_related("org").order_by("path"))
    if not states:
        return None
    nodes = {s.org_id: TreeNode(s.org_id, s.org.code, s.name, s.kind, s.path) for s in states}
    root = None
    for s in states:
        node = nodes[s.org_id]
        if s.org_id == org.id:
            root = node
        elif s.parent_id in nodes:
            nodes[s.parent_id].children.append(node)
    return root


def ancestor_paths(org: Organization, *, including: bool = False) -> list[str]:
    """The tree paths of the organizations above `org`, from the top (and `org`'s own last, with `including`): what
    a `path__in` filter needs to find what they hold, with no query."""
    step = Organization.steplen
    return [org.path[:end] for end in range(step, len(org.path) + (step if including else 0), step)]


def live_children(org: Organization) -> QuerySet[Organization]:
    return org.get_children().filter(revoked_on__isnull=True)


def by_code(code: str) -> Organization:
    return Organization.objects.get(code=code)


# --- the territory tree ---------------------------------------------------------------------------------------
def territory_state_on(territory: Territory, day: dt.date) -> TerritoryState | None:
    return TerritoryState.objects.on(day).filter(territory=territory).first()


def current_territory_state(territory: Territory) -> TerritoryState | None:
    return TerritoryState.objects.filter(territory=territory, valid_to__isnull=True).first()


def territory_subtree_states(root: Territory, day: dt.date) -> QuerySet[TerritoryState]:
    """The places under `root` as they stood on `day` (root included); empty if root did not exist then."""
    state = territory_state_on(root, day)
    if state is None:
        return TerritoryState.objects.none()
    return TerritoryState.objects.on(day).filter(path__startswith=state.path)


@dataclass
class TerritoryNode:
    territory_id: int
    code: str
    name: str
    kind: str
    path: str
    holder_id: int | None  # the organization the place was given to, if any (see `holder_of` for who holds it)
    children: list[TerritoryNode] = field(default_factory=list)


def territory_tree_as_of(root: Territory, day: dt.date) -> TerritoryNode | None:
    """The places under `root` as they stood on `day`, nested, with the names, kinds and holders in force then."""
    states = list(territory_subtree_states(root, day).select_related("territory").order_by("path"))
    nodes = {s.territory_id: TerritoryNode(s.territory_id, s.territory.code, s.name, s.kind, s.path, s.holder_id)
             for s in states}
    top = None
    for s in states:
        if s.territory_id == root.pk:
            top = nodes[s.territory_id]
        elif s.parent_id in nodes:
            nodes[s.parent_id].children.append(nodes[s.territory_id])
    return top


def holder_of(territory: Territory, day: dt.date, *, within: Organization | None = None) -> Organization | None:
    """The organization that holds `territory` on `day`, or None.

    A place is held by the organization it was given to (its state's `holder`), else by the organizations whose
    own place it is (`Organization.territory`); party groups hold nothing (they do not handle a place's
    affairs), and only organizations that existed on `day` count, with the kinds and places in the tree they
    had then. A place nobody holds (a villager group, a grid) goes to the holder of the nearest place above it.
    Where several organizations hold the same place (three village branches of one community), it goes to the
    nearest organization above all of them (their general branch), so that nobody is picked by chance. With
    `within`, only organizations in that subtree count (an opinions station routes inside its own tree); when
    the organization above several holders is outside it, nobody is chosen."""
    state = territory_state_on(territory, day)
    if state is None:
        return None
    step = Territory.steplen
    paths = [state.path[:end] for end in range(step, len(state.path) + 1, step)]
    places = {s.path: s for s in TerritoryState.objects.on(day).filter(path__in=paths)}
    orgs = OrgState.objects.on(day).exclude(kind=OrgKind.PARTY_GROUP).filter(
        Q(org__territory_id__in=[s.territory_id for s in places.values()])
        | Q(org_id__in=[s.holder_id for s in places.values() if s.holder_id is not None]))
    top_path = ""
    if within is not None:
        top = state_on(within, day)
        if top is None:
            return None
        top_path = top.path
        orgs = orgs.filter(path__startswith=top_path)
    found = list(orgs.select_related("org"))
    for path in reversed(paths):
        place = places.get(path)
        if place is None:
            continue
        given = [o for o in found if o.org_id == place.holder_id]
        holders = given or [o for o in found if o.org.territory_id == place.territory_id]
        if not holders:
            continue
        deepest = max(len(o.path) for o in holders)
        chosen = [o for o in holders if len(o.path) == deepest]
        if len(chosen) == 1:
            return chosen[0].org
        common = os.path.commonprefix([o.path for o in chosen])
        common = common[: len(common) - len(common) % Organization.steplen]
        above = OrgState.objects.on(day).filter(path=common).select_related("org").first() if common else None
        if above is None or not above.path.startswith(top_path):
            return None
        return above.org
    return None


def places_held_by(org: Organization) -> QuerySet[Territory]:
    """The live places an organization holds now, with every place under them: its own place and the places
    given to it (their current state's holder)."""
    roots = list(Territory.objects.filter(
        Q(organizations=org) | Q(states__valid_to__isnull=True, states__holder=org)).values_list("path", flat=True))
    q = Q(pk__in=[])
    for path in roots:
        q |= Q(path__startswith=path)
    return Territory.objects.filter(q, revoked_on__isnull=True).order_by("path")


def held_place_paths(org: Organization, *, subtree: bool = False) -> list[str]:
    """The paths of the places `org` holds now (its own place and the places given to it), none under another;
    with `subtree`, those of the live organizations under it too (party groups hold nothing). A place's records
    (households, visits, help given) are those under one of these paths."""
    if subtree:
        holders: Any = (Organization.objects.filter(path__startswith=org.path, revoked_on__isnull=True)
                        .exclude(kind=OrgKind.PARTY_GROUP).values("pk"))
        held = Q(organizations__in=holders) | Q(states__valid_to__isnull=True, states__holder__in=holders)
    else:
        held = Q(organizations=org) | Q(states__valid_to__isnull=True, states__holder=org)
    paths = sorted(set(Territory.objects.filter(held).values_list("path", flat=True)))
    return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]


def free_places_under(org: Organization) -> QuerySet[Territory]:
    """The places of `org`'s territory that nobody holds yet: not a live organization's own place and not given
    to one (what a new sub-organization may take as its own place)."""
    taken_own = Organization.objects.filter(revoked_on__isnull=True, territory__isnull=False).values("territory_id")
    given = TerritoryState.objects.filter(valid_to__isnull=True, holder__isnull=False).values("territory_id")
    return places_held_by(org).exclude(pk__in=taken_own).exclude(pk__in=given)


def places_since(places: QuerySet[Territory]) -> dict[int, dt.date | None]:
    """The date each place was set up, by its id (None: there before the records)."""
    rows = (TerritoryState.objects.filter(territory__in=places).values("territory_id")
            .annotate(first=Min("valid_from"), undated=Count("pk", filter=Q(valid_from__isnull=True))))
    return {r["territory_id"]: None if r["undated"] else r["first"] for r in rows}


def holders_of(places: list[Territory], day: dt.date) -> dict[int, Organization | None]:
    """`holder_of(place, day)` for many places at once (a territory page), by place id: a few queries for the
    lot; a place held by several organizations, or whose holder comes from a place above the list, is asked of
    `holder_of` itself."""
    ids = [p.pk for p in places]
    states = {s.territory_id: s for s in TerritoryState.objects.on(day).filter(territory_id__in=ids)}
    given_ids = [s.holder_id for s in states.values() if s.holder_id is not None]
    found = list(OrgState.objects.on(day).exclude(kind=OrgKind.PARTY_GROUP).filter(
        Q(org__territory_id__in=ids) | Q(org_id__in=given_ids)).select_related("org"))
    by_path = {s.path: s for s in states.values()}
    out: dict[int, Organization | None] = {}
    by_place: dict[int, Organization | None] = {}
    for state in sorted(states.values(), key=lambda s: s.path):
        given = [o for o in found if o.org_id == state.holder_id]
        holders = given or [o for o in found if o.org.territory_id == state.territory_id]
        if holders:
            deepest = max(len(o.path) for o in holders)
            chosen = [o for o in holders if len(o.path) == deepest]
            by_place[state.territory_id] = (chosen[0].org if len(chosen) == 1
                                            else holder_of(state.territory, day))
            continue
        above = by_path.get(state.path[: len(state.path) - Territory.steplen])
        by_place[state.territory_id] = (by_place.get(above.territory_id) if above is not None
                                        else holder_of(state.territory, day))
    for place in places:
        out[place.pk] = by_place.get(place.pk)
    return out
