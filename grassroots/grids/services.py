"""Every write to grids: one named function each, in a transaction, permission-checked, audited under the
organization that holds the grid's place (`orgs.selectors.holder_of`).

Who may do what: the writers of the place (`require_write_territory`: organizers and secretaries of the
organizations holding it) set up and edit grids, name their Party group and assign households to them; only those
who give out roles (`require_manage_org`: an organizer of the holder or above) appoint and end grid workers,
because appointing one grants the `grid_worker` role (`access.services.role_grant`) and ending one withdraws it
(`role_withdraw`), in the same transaction as the post. Phones never go into the audit log in the clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.models import Role, RoleKind
from grassroots.access.scope import (
    current_scope,
    require_manage_org,
    require_write_org,
    require_write_place,
    require_write_territory,
)
from grassroots.core import audit
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.versions import check_version
from grassroots.orgs.models import Organization, OrgKind, Territory

from .models import GRID_KINDS, Grid, GridPartyGroup, GridWorker

PARENT_KINDS = ("community", "village")


def today() -> dt.date:
    return timezone.localdate()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 50) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("at most %(n)d characters") % {"n": max_length}, field=field)
    return text


def _phone(value: Any, field: str = "phone") -> str:
    text = _text(value, field, max_length=20).replace(" ", "").replace("-", "")
    if text and not (text.isdigit() and 7 <= len(text) <= 15):
        raise RuleError(_("a phone number is 7 to 15 digits"), field=field)
    return text


def holder(territory: Territory, day: dt.date | None = None) -> Organization | None:
    """The organization that holds the grid's place on `day` (today by default)."""
    from grassroots.orgs.selectors import holder_of

    return holder_of(territory, day or today())


def _org_id(territory: Territory, day: dt.date | None = None) -> int | None:
    org = holder(territory, day)
    return org.pk if org is not None else None


def _check_day(on: dt.date | None, field: str = "on") -> dt.date:
    if on is None:
        raise RuleError(_("the date is required"), field=field)
    if on > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field=field)
    return on


def _check_head(head_member: Any) -> None:
    if head_member is not None and not current_scope().can_read_member(head_member):
        raise PermissionDeniedError(_("you may not name %(name)s") % {"name": head_member.name})


@transaction.atomic
def grid_setup(*, territory: Territory, head_name: str = "", head_member: Any = None, head_phone: str = "",
               set_up_on: dt.date | None = None, note: str = "") -> Grid:
    """The grid profile of a place of kind grid or villager group (a village's villager group is its grid)."""
    if territory is None:
        raise RuleError(_("choose the place"), field="territory")
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    require_write_territory(territory)
    if territory.kind not in GRID_KINDS:
        raise RuleError(_("a grid is a place of kind grid or villager group, not %(place)s")
                        % {"place": territory}, field="territory")
    if territory.revoked_on is not None:
        raise RuleError(_("%(place)s was revoked on %(date)s") % {"place": territory, "date": territory.revoked_on},
                        field="territory")
    if Grid.objects.filter(territory=territory).exists():
        raise RuleError(_("%(place)s is already set up as a grid") % {"place": territory}, field="territory")
    if set_up_on is not None and set_up_on > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": set_up_on}, field="set_up_on")
    _check_head(head_member)
    head_name = _text(head_name, "head_name") or (head_member.name if head_member is not None else "")
    grid = Grid.objects.create(territory=territory, head_name=head_name, head_member=head_member,
                               head_phone=_phone(head_phone, "head_phone"), set_up_on=set_up_on,
                               note=_text(note, "note", max_length=2000))
    audit.record("grid.setup", grid, after={"place": territory.code, "head": head_name,
                                            "set_up_on": _iso(set_up_on)},
                 org_id=_org_id(territory))
    return grid


@transaction.atomic
def grid_create(*, parent: Territory, code: str, name: str, kind: str = "grid", on: dt.date | None = None,
                head_name: str = "", head_member: Any = None, head_phone: str = "", note: str = "") -> Grid:
    """A new grid node under a community or village (`orgs.services.territory_create`) and its profile."""
    from grassroots.orgs.services import territory_create

    if parent is None or parent.kind not in PARENT_KINDS:
        raise RuleError(_("a grid lies in a community or a village"), field="parent")
    if kind not in GRID_KINDS:
        raise RuleError(_("a grid is a place of kind grid or villager group"), field="kind")
    if on is not None and on > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="on")
    place = territory_create(code=code, name=name, kind=kind, parent=parent, on=on)
    return grid_setup(territory=place, head_name=head_name, head_member=head_member, head_phone=head_phone,
                      set_up_on=on, note=note)


@transaction.atomic
def grid_edit(grid: Grid, *, version: Any = None, head_name: str = "", head_member: Any = None,
              head_phone: str | None = None, set_up_on: dt.date | None = None, note: str = "") -> Grid:
    """Edit a grid's profile (`head_phone` None: kept as it is, since no page shows it in full)."""
    grid = Grid.objects.select_for_update(of=("self",)).select_related("territory").get(pk=grid.pk)
    require_write_territory(grid.territory)
    check_version(grid, version)
    if set_up_on is not None and set_up_on > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": set_up_on}, field="set_up_on")
    _check_head(head_member)
    before = {"head": grid.head_name, "head_member": grid.head_member_id, "set_up_on": _iso(grid.set_up_on),
              "phone_changed": False}
    new_phone = grid.head_phone if head_phone is None else _phone(head_phone, "head_phone")
    grid.head_name = _text(head_name, "head_name") or (head_member.name if head_member is not None else "")
    phone_changed = new_phone != grid.head_phone
    grid.head_member, grid.head_phone, grid.set_up_on = head_member, new_phone, set_up_on
    grid.note = _text(note, "note", max_length=2000)
    grid.save()
    audit.record("grid.edit", grid, before=before,
                 after={"head": grid.head_name, "head_member": grid.head_member_id,
                        "set_up_on": _iso(set_up_on), "phone_changed": phone_changed},
                 org_id=_org_id(grid.territory))
    return grid


@transaction.atomic
def set_party_group(grid: Grid, *, org: Organization | None, on: dt.date) -> Grid:
    """The grid Party group from `on` (None: no Party group from that day); the previous one ends that day."""
    grid = Grid.objects.select_for_update(of=("self",)).select_related("territory").get(pk=grid.pk)
    require_write_territory(grid.territory)
    _check_day(on)
    if org is not None:
        if org.kind != OrgKind.PARTY_GROUP:
            raise RuleError(_("%(org)s is not a Party group") % {"org": org}, field="org")
        if org.revoked_on is not None:
            raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="org")
        if org.founded_on > on:
            raise RuleError(_("%(org)s was founded on %(date)s") % {"org": org, "date": org.founded_on}, field="on")
        require_write_org(org)
    current = GridPartyGroup.objects.select_for_update().filter(grid=grid, valid_to__isnull=True).first()
    if current is not None:
        if current.org_id == getattr(org, "pk", None):
            raise RuleError(_("%(org)s is already the grid's Party group") % {"org": org}, field="org")
        if current.valid_from is not None and on <= current.valid_from:
            raise RuleError(_("the change must come after %(date)s") % {"date": current.valid_from}, field="on")
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    elif org is None:
        raise RuleError(_("the grid has no Party group"), field="org")
    if org is not None:
        GridPartyGroup.objects.create(grid=grid, org=org, valid_from=on)
    audit.record("grid.party_group", grid, before={"org": current.org.code if current is not None else None},
                 after={"org": org.code if org is not None else None, "on": _iso(on)},
                 org_id=_org_id(grid.territory, on))
    return grid


def _check_account(user: Any, grid: Grid) -> None:
    """An existing account is appointed only by who may manage it (every role it holds lies where the user gives
    out roles), or, with no role left, when it worked this grid before: nobody takes over another's account."""
    from grassroots.access.scope import can_manage_account

    scope = current_scope()
    if can_manage_account(scope, user):
        return
    if (not user.is_superuser and user.is_active and not Role.objects.filter(user=user).exists()
            and GridWorker.objects.filter(grid=grid, user=user).exists()):
        return
    raise RuleError(_("the account %(name)s is not one you manage: choose a new user name")
                    % {"name": user.username}, field="username")


@transaction.atomic
def appoint_worker(grid: Grid, *, started_on: dt.date, name: str = "", user: Any = None, username: str = "",
                   phone: str = "", member: Any = None) -> tuple[GridWorker, str | None]:
    """Appoint a grid worker from `started_on`: their account (an existing one, or a new one made with
    `access.services.user_create`, whose generated password is returned to be shown once) gets the
    `grid_worker` role at the grid's place, given by the organization that holds it. Only an organizer of that
    organization or above."""
    from grassroots.access import services as access

    grid = Grid.objects.select_for_update(of=("self",)).select_related("territory").get(pk=grid.pk)
    place = grid.territory
    giver = holder(place)
    if giver is None:
        raise RuleError(_("no organization holds %(place)s: give the place to one first") % {"place": place},
                        field="territory")
    require_manage_org(giver)
    _check_day(started_on, "started_on")
    if place.revoked_on is not None:
        raise RuleError(_("%(place)s was revoked on %(date)s") % {"place": place, "date": place.revoked_on},
                        field="started_on")
    if member is not None and not current_scope().can_read_member(member):
        raise PermissionDeniedError(_("you may not name %(name)s") % {"name": member.name})
    name = _text(name, "name") or (member.name if member is not None else "")
    if not name:
        raise RuleError(_("this field is required"), field="name")
    phone = _phone(phone)
    generated = None
    if user is None:
        username = (username or "").strip()
        existing = get_user_model().objects.filter(username__iexact=username).first() if username else None
        if existing is not None:
            user = existing
            _check_account(user, grid)
        else:
            user, generated = access.user_create(username=username, full_name=name, kind=RoleKind.GRID_WORKER,
                                                 org=giver, territory=place)
    else:
        _check_account(user, grid)
    if GridWorker.objects.filter(grid=grid, user=user, ended_on__isnull=True).exists():
        raise RuleError(_("%(name)s already works this grid") % {"name": user.username}, field="username")
    access.role_grant(user=user, kind=RoleKind.GRID_WORKER, org=giver, territory=place)
    worker = GridWorker.objects.create(grid=grid, user=user, member=member, name=name, phone=phone,
                                       started_on=started_on)
    audit.record("grid.worker_appoint", worker, after={"grid": place.code, "user": user.username, "name": name,
                                                      "member": getattr(member, "pk", None),
                                                      "started_on": _iso(started_on)},
                 org_id=giver.pk)
    return worker, generated


@transaction.atomic
def end_worker(worker: GridWorker, *, on: dt.date, reason: str = "") -> GridWorker:
    """The post ends on `on` and the account's `grid_worker` role at the grid's place is withdrawn with it."""
    from grassroots.access import services as access

    worker = (GridWorker.objects.select_for_update(of=("self",)).select_related("grid__territory", "user")
              .get(pk=worker.pk))
    place = worker.grid.territory
    giver = holder(place)
    require_manage_org(giver)
    if worker.ended_on is not None:
        raise RuleError(_("%(name)s's post ended on %(date)s") % {"name": worker.name, "date": worker.ended_on},
                        field="on")
    _check_day(on)
    if on <= worker.started_on:
        raise RuleError(_("the post cannot end before %(date)s") % {"date": worker.started_on}, field="on")
    worker.ended_on = on
    worker.end_reason = _text(reason, "reason", max_length=100)
    worker.save(update_fields=["ended_on", "end_reason"])
    for role in (Role.objects.filter(user=worker.user, kind=RoleKind.GRID_WORKER, territory=place)
                 .select_related("org", "user")):
        access.role_withdraw(role)
    audit.record("grid.worker_end", worker, after={"grid": place.code, "user": worker.user.username,
                                                  "on": _iso(on), "reason": worker.end_reason},
                 org_id=_org_id(place))
    return worker


@transaction.atomic
def assign_households(grid: Grid, *, households: Iterable[Any], on: dt.date) -> int:
    """Assign households to the grid from `on` (`households.services.household_move` for each): every one or
    none. Only a writer of the community or village the grid lies in; each household must live in it."""
    from grassroots.households.services import household_move

    grid = Grid.objects.select_related("territory").get(pk=grid.pk)
    place = grid.territory
    parent = place.get_parent()
    require_write_place(parent or place)
    require_write_territory(place)
    _check_day(on)
    chosen = list(households)
    if not chosen:
        raise RuleError(_("choose at least one household"), field="households")
    area = (parent or place).path
    for household in chosen:
        require_write_place(household.territory)
        if not household.territory.path.startswith(area):
            raise RuleError(_("household %(code)s does not live in %(place)s")
                            % {"code": household.code, "place": parent or place}, field="households")
        try:
            household_move(household, territory=place, on=on)
        except RuleError as exc:
            raise RuleError(f"{household.code}: {exc.message}", field="households" if exc.field != "on"
                            else "on") from exc
    audit.record("grid.assign_households", grid, after={"grid": place.code, "on": _iso(on),
                                                       "households": [h.code for h in chosen]},
                 org_id=_org_id(place, on))
    return len(chosen)


@transaction.atomic
def reveal_phone(grid: Grid, *, worker: GridWorker | None = None) -> str:
    """The grid head's phone, or a worker's, in full: for those who write the grid's records; each reveal logged."""
    require_write_place(grid.territory)
    if worker is not None:
        if worker.grid_id != grid.pk:
            raise RuleError(_("not a worker of this grid"), field="worker")
        audit.record("grid.reveal_worker_phone", worker, org_id=_org_id(grid.territory))
        return worker.phone
    audit.record("grid.reveal_head_phone", grid, org_id=_org_id(grid.territory))
    return grid.head_phone
