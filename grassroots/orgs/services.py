"""Writes to the organization tree and the territory tree. Each change is dated, in date order, atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_site_admin, require_write_org, require_write_territory
from grassroots.core import audit
from grassroots.core.errors import RuleError

from .models import (
    ChangeKind,
    Organization,
    OrgChange,
    OrgKind,
    OrgState,
    Territory,
    TerritoryChange,
    TerritoryChangeKind,
    TerritoryKind,
    TerritoryState,
)
from .selectors import current_state, current_territory_state, holder_of

# Which kinds may stand under which parent kind (None: a root).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.COMMITTEE: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.WORKING_COMMITTEE: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.GENERAL_BRANCH: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.BRANCH: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.PARTY_GROUP: {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH},
}
SNAPSHOT_FIELDS = ("code", "name", "kind", "founded_on", "revoked_on", "territory")


def _check_kind(kind: str, parent: Organization | None) -> None:
    if kind not in OrgKind.values:
        raise RuleError(_("unknown kind %(kind)s") % {"kind": kind}, field="kind")
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise RuleError(
            _("a %(kind)s cannot stand under a %(parent)s")
            % {"kind": OrgKind(kind).label, "parent": OrgKind(parent_kind).label if parent_kind else _("nothing")},
            field="parent",
        )


def _check_date(on: dt.date, *orgs: Organization) -> None:
    if on > timezone.localdate():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="date")
    for org in orgs:
        if org.revoked_on is not None:
            raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on})
        state = current_state(org)
        if state is not None and on < state.valid_from:
            raise RuleError(
                _("%(org)s has a change dated %(last)s; record changes in date order (this one is %(date)s)")
                % {"org": org, "last": state.valid_from, "date": on},
                field="date",
            )


def _restate(org: Organization, on: dt.date, *, end: bool = False) -> None:
    """Close org's current state on `on` and, unless ending it, open one from `on` with org's live fields."""
    state = current_state(org)
    parent = org.get_parent()
    if state is not None:
        if state.valid_from == on:
            state.delete()  # a second change the same day replaces the first day's state
        else:
            state.valid_to = on
            state.save(update_fields=["valid_to"])
    if not end:
        OrgState.objects.create(
            org=org, valid_from=on, name=org.name, kind=org.kind, parent=parent, path=org.path
        )
    _tree_changed(org)


# Who must hear of every change of an organization's states (the members' rollups follow the tree over time). The
# members app registers its listener in its AppConfig.ready, so the tree never imports the members.
_tree_listeners: list[Callable[[Organization], None]] = []


def register_tree_listener(listener: Callable[[Organization], None]) -> None:
    if listener not in _tree_listeners:
        _tree_listeners.append(listener)


def _tree_changed(org: Organization) -> None:
    """org's states were written (in the caller's transaction)."""
    for listener in _tree_listeners:
        listener(org)


# Who must hear of a move in the tree (an organization under a new parent), with the old parent: the kept findings'
# totals above the old and the new place (`rules.stored.org_moved`, registered in the rules app's AppConfig.ready).
_move_listeners: list[Callable[[Organization, Organization | None], None]] = []


def register_move_listener(listener: Callable[[Organization, Organization | None], None]) -> None:
    if listener not in _move_listeners:
        _move_listeners.append(listener)


def _check_path_free(org: Organization, on: dt.date) -> None:
    """Refuse a change dated before org's (new) path was freed. treebeard hands a new node the path of a
    sibling that moved away; if the new history overlapped the old one, "the subtree on D" would mix them."""
    subtree = Organization.objects.filter(path__startswith=org.path).values("pk")
    clash = (OrgState.objects.filter(path__startswith=org.path).exclude(org_id__in=subtree)
             .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).order_by("-valid_to").first())
    if clash is not None:
        raise RuleError(
            _("%(org)s would take the place %(other)s held until %(until)s; record this change on or after that date")
            % {"org": org, "other": clash.name, "until": clash.valid_to}, field="date")


def _record(org: Organization, kind: str, on: dt.date, before: dict[str, Any] | None, note: str = "",
            **details: Any) -> None:
    OrgChange.objects.create(org=org, kind=kind, date=on, details=details, note=note)
    audit.record(f"org.{kind}", org, before=before, after=audit.snapshot(org, SNAPSHOT_FIELDS),
                 org_id=org.id, extra={"date": on, **details})


@transaction.atomic
def org_create(
    *, code: str, name: str, kind: str, founded_on: dt.date, parent: Organization | None = None,
    territory: Territory | None = None, note: str = "",
) -> Organization:
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        raise RuleError(_("a code is required"), field="code")
    if not name:
        raise RuleError(_("a name is required"), field="name")
    if Organization.objects.filter(code=code).exists():
        raise RuleError(_("the code %(code)s is already used") % {"code": code}, field="code")
    _check_kind(kind, parent)
    if parent is not None:
        require_write_org(parent)
        parent.refresh_from_db()
        if founded_on < parent.founded_on:  # before _check_date, whose "date order" message would mislead
            raise RuleError(_("founded before its parent was"), field="founded_on")
        _check_date(founded_on, parent)
    else:
        require_write_org(None)
        if founded_on > timezone.localdate():
            raise RuleError(_("the date %(date)s is in the future") % {"date": founded_on}, field="founded_on")
    if territory is not None:  # its own place: one the user may write
        require_write_territory(territory)
    fields = {"code": code, "name": name, "kind": kind, "founded_on": founded_on, "territory": territory}
    org = parent.add_child(**fields) if parent is not None else Organization.add_root(**fields)
    _check_path_free(org, founded_on)
    OrgState.objects.create(org=org, valid_from=founded_on, name=name, kind=kind, parent=parent, path=org.path)
    _tree_changed(org)
    _record(org, ChangeKind.CREATE, founded_on, None, note, parent=parent.code if parent else None)
    return org


@transaction.atomic
def org_rename(org: Organization, *, name: str, on: dt.date, note: str = "") -> Organization:
    require_write_org(org)
    name = (name or "").strip()
    if not name:
        raise RuleError(_("a name is required"), field="name")
    _check_date(on, org)
    before = audit.snapshot(org, SNAPSHOT_FIELDS)
    old = org.name
    org.name = name
    org.save(update_fields=["name"])
    _restate(org, on)
    _record(org, ChangeKind.RENAME, on, before, note, old_name=old, new_name=name)
    return org


@transaction.atomic
def org_upgrade(org: Organization, *, on: dt.date, kind: str = OrgKind.GENERAL_BRANCH, note: str = "") -> Organization:
    require_write_org(org)
    _check_date(on, org)
    order: list[str] = [OrgKind.PARTY_GROUP, OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE]
    if org.kind not in order or kind not in order or order.index(kind) <= order.index(org.kind):
        raise RuleError(_("an upgrade must go to a higher kind"), field="kind")
    _check_kind(kind, org.get_parent())
    before = audit.snapshot(org, SNAPSHOT_FIELDS)
    old = org.kind
    org.kind = kind
    org.save(update_fields=["kind"])
    _restate(org, on)
    _record(org, ChangeKind.UPGRADE, on, before, note, old_kind=old, new_kind=kind)
    return org


def _subtree(org: Organization) -> list[Organization]:
    return list(Organization.get_tree(org).filter(revoked_on__isnull=True))


@transaction.atomic
def org_move(org: Organization, *, parent: Organization, on: dt.date, note: str = "") -> Organization:
    require_write_org(org)
    require_write_org(parent)
    if parent.pk == org.pk or parent.path.startswith(org.path):
        raise RuleError(_("an organization cannot move under itself"), field="parent")
    _check_kind(org.kind, parent)
    nodes = _subtree(org)
    _check_date(on, parent, *nodes)
    before = audit.snapshot(org, SNAPSHOT_FIELDS)
    old_parent = org.get_parent()
    org.move(parent, pos="last-child")
    _check_path_free(Organization.objects.get(pk=org.pk), on)
    for node in _subtree(Organization.objects.get(pk=org.pk)):
        _restate(node, on)
    org = Organization.objects.get(pk=org.pk)
    for listener in _move_listeners:
        listener(org, old_parent)
    _record(org, ChangeKind.MOVE, on, before, note,
            old_parent=old_parent.code if old_parent else None, new_parent=parent.code)
    return org


@dataclass(frozen=True)
class Roster:
    """Who belongs to an organization, for the changes that must move them (revoke, merge, split).

    The members app registers it (`register_roster`, in its AppConfig.ready), so the organization tree, which
    the members depend on, never imports them. Without one registered, organizations have no members."""

    member_ids_on: Callable[[Organization, dt.date], list[int]]  # org's own members on the day, in order
    reassign: Callable[[int, Organization, dt.date, str], None]  # member id, to_org, on, reason


_roster = Roster(member_ids_on=lambda org, on: [], reassign=lambda member_id, to_org, on, reason: None)


def register_roster(roster: Roster) -> None:
    global _roster
    _roster = roster


def _move_members(source: Organization, target: Organization, on: dt.date, reason: str) -> int:
    ids = _roster.member_ids_on(source, on)
    for member_id in ids:
        _roster.reassign(member_id, target, on, reason)
    return len(ids)


@transaction.atomic
def org_revoke(org: Organization, *, on: dt.date, members_to: Organization | None = None, note: str = "") -> Organization:
    """Revoke ("withdraw") an organization. Its members must go somewhere: `members_to`, or it must be empty."""
    require_write_org(org)
    _check_date(on, org)
    if org.get_children().filter(revoked_on__isnull=True).exists():
        raise RuleError(_("%(org)s still has organizations under it; move or revoke them first") % {"org": org})
    if _roster.member_ids_on(org, on):
        if members_to is None:
            raise RuleError(_("%(org)s still has members; name the organization they move to") % {"org": org},
                            field="members_to")
        require_write_org(members_to)
        _check_date(on, members_to)
        if members_to.kind == OrgKind.PARTY_GROUP:
            raise RuleError(_("members belong to a branch, not a party group"), field="members_to")
        moved = _move_members(org, members_to, on, reason="revoke")
    else:
        moved = 0
    before = audit.snapshot(org, SNAPSHOT_FIELDS)
    org.revoked_on = on
    org.save(update_fields=["revoked_on"])
    _restate(org, on, end=True)
    _record(org, ChangeKind.REVOKE, on, before, note,
            members_to=members_to.code if members_to else None, members_moved=moved)
    return org


@transaction.atomic
def org_merge(org: Organization, *, into: Organization, on: dt.date, note: str = "") -> Organization:
    """Merge `org` into `into`: its sub-organizations and members move to the survivor, then it is revoked."""
    if org.pk == into.pk:
        raise RuleError(_("an organization cannot merge into itself"), field="into")
    require_write_org(org)
    require_write_org(into)
    if into.path.startswith(org.path):
        raise RuleError(_("cannot merge into an organization under it"), field="into")
    if into.kind == OrgKind.PARTY_GROUP:
        raise RuleError(_("cannot merge into a party group"), field="into")
    _check_date(on, org, into)
    for child in list(org.get_children().filter(revoked_on__isnull=True)):
        org_move(child, parent=Organization.objects.get(pk=into.pk), on=on, note=note)
    org = Organization.objects.get(pk=org.pk)
    moved = _move_members(org, Organization.objects.get(pk=into.pk), on, reason="merge")
    before = audit.snapshot(org, SNAPSHOT_FIELDS)
    org.revoked_on = on
    org.save(update_fields=["revoked_on"])
    _restate(org, on, end=True)
    _record(org, ChangeKind.MERGE, on, before, note, survivor=into.code, members_moved=moved)
    return org


@transaction.atomic
def org_split(
    org: Organization, *, on: dt.date, parts: list[dict[str, str]], assignments: dict[int, str],
    revoke_original: bool = False, note: str = "",
) -> list[Organization]:
    """Split `org`: new sibling organizations from `parts` ({code, name, kind?}); members named in
    `assignments` (member id -> new code) move to them. With `revoke_original`, every member must be
    assigned and the original is revoked."""
    require_write_org(org)
    _check_date(on, org)
    if not parts:
        raise RuleError(_("a split needs at least one new organization"), field="parts")
    parent = org.get_parent()
    new_orgs: dict[str, Organization] = {}
    for part in parts:
        new_orgs[part["code"]] = org_create(
            code=part["code"], name=part["name"], kind=part.get("kind", org.kind), founded_on=on,
            parent=parent, territory=org.territory, note=note,
        )
    current_ids = set(_roster.member_ids_on(org, on))
    for member_id, code in assignments.items():
        if code not in new_orgs:
            raise RuleError(_("%(code)s is not one of the new organizations") % {"code": code}, field="assignments")
        if member_id not in current_ids:
            raise RuleError(_("member %(id)s is not in %(org)s on %(date)s") % {"id": member_id, "org": org, "date": on},
                            field="assignments")
        _roster.reassign(member_id, new_orgs[code], on, "split")
    if revoke_original:
        if set(assignments) != current_ids:
            raise RuleError(_("to revoke the original, assign every one of its members"), field="assignments")
        org = Organization.objects.get(pk=org.pk)
        org_revoke(org, on=on, note=note)
    OrgChange.objects.create(org=org, kind=ChangeKind.SPLIT, date=on,
                             details={"parts": list(new_orgs), "moved": len(assignments)}, note=note)
    audit.record("org.split", org, org_id=org.id, extra={"date": on, "parts": list(new_orgs)})
    return list(new_orgs.values())


# --- the territory tree -------------------------------------------------------------------------------------
# The same pattern as the organizations above: each change dated, in date order, atomic, permission-checked
# (`require_write_territory`: the places the user's organizations hold), kept as a `TerritoryChange` and audited
# (under the organization that holds the place, so its people see it in their audit log).
TERRITORY_FIELDS = ("code", "name", "kind", "revoked_on")


def _place_snapshot(place: Territory) -> dict[str, Any]:
    state = current_territory_state(place)
    return {**audit.snapshot(place, TERRITORY_FIELDS), "holder": state.holder_id if state is not None else None}


def _place_org_id(place: Territory, on: dt.date | None) -> int | None:
    holder = holder_of(place, on or timezone.localdate())
    return holder.pk if holder is not None else None


def _check_place_date(on: dt.date, *places: Territory) -> None:
    if on > timezone.localdate():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="date")
    for place in places:
        if place.revoked_on is not None:
            raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": place, "date": place.revoked_on})
        state = current_territory_state(place)
        if state is not None and state.valid_from is not None and on < state.valid_from:
            raise RuleError(
                _("%(org)s has a change dated %(last)s; record changes in date order (this one is %(date)s)")
                % {"org": place, "last": state.valid_from, "date": on},
                field="date",
            )


def _check_kind_of_place(kind: str) -> None:
    if kind not in TerritoryKind.values:
        raise RuleError(_("unknown kind %(kind)s") % {"kind": kind}, field="kind")


def _check_holder(holder: Organization) -> None:
    require_write_org(holder)
    if holder.revoked_on is not None:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": holder, "date": holder.revoked_on},
                        field="holder")
    if holder.kind == OrgKind.PARTY_GROUP:
        raise RuleError(_("a party group holds no place"), field="holder")


_KEEP = object()  # _restate_place: keep the holder of the state it closes


def _restate_place(place: Territory, on: dt.date, *, end: bool = False, holder: Any = _KEEP) -> None:
    """Close the place's current state on `on` and, unless ending it, open one from `on` with its live fields."""
    state = current_territory_state(place)
    holder_id = state.holder_id if state is not None else None
    if holder is not _KEEP:
        holder_id = holder.pk if holder is not None else None
    if state is not None:
        if state.valid_from == on:
            state.delete()  # a second change the same day replaces the first day's state
        else:
            state.valid_to = on
            state.save(update_fields=["valid_to"])
    if not end:
        TerritoryState.objects.create(territory=place, valid_from=on, name=place.name, kind=place.kind,
                                      parent=place.get_parent(), path=place.path, holder_id=holder_id)


def _check_place_path_free(place: Territory, on: dt.date | None) -> None:
    """As `_check_path_free`: a place must not take, in its history, a path another place still had then."""
    subtree = Territory.objects.filter(path__startswith=place.path).values("pk")
    clash = TerritoryState.objects.filter(path__startswith=place.path).exclude(territory_id__in=subtree)
    if on is not None:
        clash = clash.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    other = clash.order_by("-valid_to").first()
    if other is not None:
        raise RuleError(
            _("%(org)s would take the place %(other)s held until %(until)s; record this change on or after that date")
            % {"org": place, "other": other.name, "until": other.valid_to}, field="date")


def _record_place(place: Territory, kind: str, on: dt.date | None, before: dict[str, Any] | None, note: str,
                  org_id: int | None, **details: Any) -> None:
    TerritoryChange.objects.create(territory=place, kind=kind, date=on, details=details, note=note)
    audit.record(f"territory.{kind}", place, before=before, after=_place_snapshot(place), org_id=org_id,
                 extra={"date": on, **details})


def _live_subtree(place: Territory) -> list[Territory]:
    return list(Territory.get_tree(place).filter(revoked_on__isnull=True))


@transaction.atomic
def territory_create(*, code: str, name: str, kind: str, parent: Territory | None = None, on: dt.date | None = None,
                     holder: Organization | None = None, note: str = "") -> Territory:
    """Record a place. Without a date (`on`), it has been there since before the records. `holder`: the
    organization it is given to, when it is not held through the organizations whose own place it is."""
    require_write_territory(parent)
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        raise RuleError(_("a code is required"), field="code")
    if not name:
        raise RuleError(_("a name is required"), field="name")
    _check_kind_of_place(kind)
    if Territory.objects.filter(code=code).exists():
        raise RuleError(_("the code %(code)s is already used") % {"code": code}, field="code")
    if parent is not None:
        parent.refresh_from_db()
        if on is not None:
            _check_place_date(on, parent)
        elif parent.revoked_on is not None:
            raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": parent, "date": parent.revoked_on})
    elif on is not None and on > timezone.localdate():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="date")
    if holder is not None:
        _check_holder(holder)
    fields = {"code": code, "name": name, "kind": kind}
    node = parent.add_child(**fields) if parent is not None else Territory.add_root(**fields)
    _check_place_path_free(node, on)
    TerritoryState.objects.create(territory=node, valid_from=on, name=name, kind=kind, parent=parent, path=node.path,
                                  holder=holder)
    _record_place(node, TerritoryChangeKind.CREATE, on, None, note, _place_org_id(node, on),
                  parent=parent.code if parent else None, holder=holder.code if holder else None)
    return node


@transaction.atomic
def territory_rename(place: Territory, *, name: str, on: dt.date, kind: str | None = None,
                     note: str = "") -> Territory:
    """Rename a place and, with `kind`, change its kind in the same decision (a town becoming a street)."""
    require_write_territory(place)
    name = (name or "").strip()
    if not name:
        raise RuleError(_("a name is required"), field="name")
    kind = kind or place.kind
    _check_kind_of_place(kind)
    _check_place_date(on, place)
    before = _place_snapshot(place)
    old_name, old_kind = place.name, place.kind
    place.name, place.kind = name, kind
    place.save(update_fields=["name", "kind"])
    _restate_place(place, on)
    _record_place(place, TerritoryChangeKind.RENAME, on, before, note, _place_org_id(place, on),
                  old_name=old_name, new_name=name, old_kind=old_kind, new_kind=kind)
    return place


@transaction.atomic
def territory_move(place: Territory, *, parent: Territory, on: dt.date, note: str = "") -> Territory:
    """Put a place, with everything under it, under another place."""
    require_write_territory(place)
    require_write_territory(parent)
    if parent.pk == place.pk or parent.path.startswith(place.path):
        raise RuleError(_("a place cannot move under itself"), field="parent")
    _check_place_date(on, parent, *_live_subtree(place))
    before = _place_snapshot(place)
    old_parent = place.get_parent()
    place.move(parent, pos="last-child")
    place = Territory.objects.get(pk=place.pk)
    _check_place_path_free(place, on)
    for node in _live_subtree(place):
        _restate_place(node, on)
    _record_place(place, TerritoryChangeKind.MOVE, on, before, note, _place_org_id(place, on),
                  old_parent=old_parent.code if old_parent else None, new_parent=parent.code)
    return place


@transaction.atomic
def territory_revoke(place: Territory, *, on: dt.date, note: str = "") -> Territory:
    """Revoke a place (it no longer exists from `on`). The places under it must be moved or revoked first."""
    require_write_territory(place)
    _check_place_date(on, place)
    if place.get_children().filter(revoked_on__isnull=True).exists():
        raise RuleError(_("%(place)s still has places under it; move or revoke them first") % {"place": place})
    org_id = _place_org_id(place, on)
    before = _place_snapshot(place)
    place.revoked_on = on
    place.save(update_fields=["revoked_on"])
    _restate_place(place, on, end=True)
    _record_place(place, TerritoryChangeKind.REVOKE, on, before, note, org_id)
    return place


@transaction.atomic
def territory_merge(place: Territory, *, into: Territory, on: dt.date, note: str = "") -> Territory:
    """Merge a place into another (two villages become one): the places under it move to the survivor,
    then it is revoked."""
    if place.pk == into.pk:
        raise RuleError(_("a place cannot merge into itself"), field="into")
    require_write_territory(place)
    require_write_territory(into)
    if into.path.startswith(place.path):
        raise RuleError(_("cannot merge into a place under it"), field="into")
    _check_place_date(on, place, into)
    org_id = _place_org_id(place, on)
    for child in list(place.get_children().filter(revoked_on__isnull=True)):
        territory_move(child, parent=Territory.objects.get(pk=into.pk), on=on, note=note)
    place = Territory.objects.get(pk=place.pk)
    before = _place_snapshot(place)
    place.revoked_on = on
    place.save(update_fields=["revoked_on"])
    _restate_place(place, on, end=True)
    _record_place(place, TerritoryChangeKind.MERGE, on, before, note, org_id, survivor=into.code)
    return place


@transaction.atomic
def territory_split(place: Territory, *, on: dt.date, parts: list[dict[str, str]], assignments: dict[str, str],
                    revoke_original: bool = False, note: str = "") -> list[Territory]:
    """Split a place: new sibling places from `parts` ({code, name, kind?}); the places under it named in
    `assignments` (code of the place under it -> new code) move to them. With `revoke_original`, every place
    under it must be assigned and the original is revoked."""
    require_write_territory(place)
    _check_place_date(on, place)
    if not parts:
        raise RuleError(_("a split needs at least one new place"), field="parts")
    org_id = _place_org_id(place, on)
    parent = place.get_parent()
    new_places = {part["code"]: territory_create(code=part["code"], name=part["name"],
                                                 kind=part.get("kind", place.kind), parent=parent, on=on, note=note)
                  for part in parts}
    under = {child.code: child for child in place.get_children().filter(revoked_on__isnull=True)}
    for child_code, code in assignments.items():
        if code not in new_places:
            raise RuleError(_("%(code)s is not one of the new places") % {"code": code}, field="assignments")
        if child_code not in under:
            raise RuleError(_("%(code)s is not a place under %(place)s") % {"code": child_code, "place": place},
                            field="assignments")
        territory_move(under[child_code], parent=Territory.objects.get(pk=new_places[code].pk), on=on, note=note)
    if revoke_original:
        if set(assignments) != set(under):
            raise RuleError(_("to revoke the original, assign every place under it"), field="assignments")
        place = territory_revoke(Territory.objects.get(pk=place.pk), on=on, note=note)
    TerritoryChange.objects.create(territory=place, kind=TerritoryChangeKind.SPLIT, date=on,
                                   details={"parts": list(new_places), "moved": len(assignments)}, note=note)
    audit.record("territory.split", place, org_id=org_id, extra={"date": on, "parts": list(new_places)})
    return list(new_places.values())


@transaction.atomic
def territory_hold(place: Territory, *, holder: Organization | None, on: dt.date, note: str = "") -> Territory:
    """Give a place to an organization from `on` (a grid to the branch that looks after it), or, with None,
    take it back: it is then held through the organizations whose own place it is."""
    require_write_territory(place)
    if holder is not None:
        _check_holder(holder)
    _check_place_date(on, place)
    state = current_territory_state(place)
    old = state.holder if state is not None else None
    if (old.pk if old else None) == (holder.pk if holder else None):
        return place
    before = _place_snapshot(place)
    _restate_place(place, on, holder=holder)
    _record_place(place, TerritoryChangeKind.HOLD, on, before, note, _place_org_id(place, on),
                  old_holder=old.code if old else None, new_holder=holder.code if holder else None)
    return place


@transaction.atomic
def org_setup(*, code: str, name: str, kind: str, founded_on: dt.date, territory_code: str = "",
              territory_name: str = "", territory_kind: str = "", note: str = "") -> Organization:
    """The first run: the top organization of an empty site, with its own place at the top of the territory tree
    (optional). Only the site administrator, and only while no organization exists."""
    require_site_admin()
    if Organization.objects.exists():
        raise RuleError(_("the tree already has its top organization; add organizations under it"))
    territory_code, territory_name = (territory_code or "").strip(), (territory_name or "").strip()
    place = None
    if territory_code or territory_name or territory_kind:
        if not territory_code:
            raise RuleError(_("a code is required"), field="territory_code")
        if not territory_name:
            raise RuleError(_("a name is required"), field="territory_name")
        if not territory_kind:
            raise RuleError(_("the kind of place is required"), field="territory_kind")
        try:
            place = territory_create(code=territory_code, name=territory_name, kind=territory_kind, note=note)
        except RuleError as exc:
            raise RuleError(exc.message, field=f"territory_{exc.field}" if exc.field else None) from None
    return org_create(code=code, name=name, kind=kind, founded_on=founded_on, territory=place, note=note)
