"""Who may see and change which part of the tree: the one place where scoping is decided.

Every page, API endpoint, export and CLI command gets its querysets from a `Scope`, and every write
service asks `require_*` before writing. The acting user comes from `grassroots.core.context` (set by the
middleware for the web and the API, and by the CLI). No actor at all means the system itself (a
migration, the demo builder, a CLI run by the server's operator without --as), which may do anything.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from grassroots.core.context import current_actor
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.models import AuditEntry
from grassroots.members.models import Member, Transfer
from grassroots.orgs.models import Organization, OrgKind, Territory

from .models import Role

READ_ROLES = ("organizer", "secretary", "auditor")
WRITE_ROLES = ("organizer", "secretary")
REVEAL_ROLES = ("organizer", "secretary")

_QS = TypeVar("_QS", bound=QuerySet[Any])


@dataclass(frozen=True)
class Grant:
    kind: str
    path: str  # the org's materialized path; "" for a member role
    member_id: int | None
    place_path: str = ""  # a grid worker's place (its territory path); "" for every other role


class Scope:
    """What one user may see and change. Build it with `scope_for(user)`."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.is_system = user is None
        self.is_admin = bool(user is not None and user.is_active and user.is_superuser)
        self.grants: list[Grant] = []
        self._held: dict[bool, list[str]] = {}
        if user is not None and user.is_authenticated and user.is_active and not self.is_admin:
            for role in Role.objects.filter(user=user).select_related("org", "territory"):
                path = role.org.path if role.org is not None else ""
                place = role.territory.path if role.territory is not None else ""
                self.grants.append(Grant(role.kind, path, role.member_id, place))

    # --- what the user is -------------------------------------------------------------------
    @property
    def unrestricted(self) -> bool:
        return self.is_system or self.is_admin

    def paths(self, kinds: tuple[str, ...]) -> list[str]:
        return [g.path for g in self.grants if g.kind in kinds and g.path]

    @property
    def own_member_ids(self) -> list[int]:
        return [g.member_id for g in self.grants if g.kind == "member" and g.member_id]

    def roots(self) -> QuerySet[Organization]:
        """The organizations where the user's read roles are held (the top of what they see)."""
        if self.unrestricted:
            return Organization.get_root_nodes()
        return Organization.objects.filter(path__in=self.paths(READ_ROLES)).order_by("path")

    # --- querysets ----------------------------------------------------------------------------
    def _path_q(self, kinds: tuple[str, ...], prefix: str = "") -> Q:
        q = Q(pk__in=[])
        for p in self.paths(kinds):
            q |= Q(**{f"{prefix}path__startswith": p})
        return q

    def orgs(self, *, write: bool = False) -> QuerySet[Organization]:
        qs = Organization.objects.all()
        if self.unrestricted:
            return qs
        return qs.filter(self._path_q(WRITE_ROLES if write else READ_ROLES))

    def members(self, *, write: bool = False) -> QuerySet[Member]:
        qs = Member.objects.all()
        if self.unrestricted:
            return qs
        q = self._path_q(WRITE_ROLES if write else READ_ROLES, prefix="org__")
        if not write:
            q |= Q(pk__in=self.own_member_ids)
        return qs.filter(q)

    def by_org(self, qs: _QS, *, org_field: str = "org", write: bool = False) -> _QS:
        """Any queryset of records that belong to an organization (meetings, payments, ...), restricted to the
        subtrees the user may read (or write). A model whose queryset is an `orgs.models.OrgOwnedQuerySet`
        says `Model.objects.visible_to(scope)`, which calls this with the model's org field."""
        if self.unrestricted:
            return qs
        return qs.filter(self._path_q(WRITE_ROLES if write else READ_ROLES, prefix=f"{org_field}__"))

    def transfers(self) -> QuerySet[Transfer]:
        """Transfers whose sending or receiving side the user can read."""
        qs = Transfer.objects.all()
        if self.unrestricted:
            return qs
        return qs.filter(self._path_q(READ_ROLES, prefix="from_org__") | self._path_q(READ_ROLES, prefix="to_org__"))

    def held_paths(self, *, write: bool = False) -> list[str]:
        """The paths of the places the user's organizations hold now: their own places (`Organization.territory`)
        and the places given to them (a territory's current `holder`). Party groups and revoked organizations
        hold nothing, as in `orgs.selectors.holder_of`."""
        if write not in self._held:
            holders = (self.orgs(write=write).filter(revoked_on__isnull=True).exclude(kind=OrgKind.PARTY_GROUP)
                       .values("pk"))
            held = Territory.objects.filter(
                Q(organizations__in=holders) | Q(states__valid_to__isnull=True, states__holder__in=holders))
            paths = sorted(set(held.values_list("path", flat=True)))
            self._held[write] = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        return self._held[write]

    def territories(self, *, write: bool = False) -> QuerySet[Territory]:
        """The places the user's organizations hold, with every place under them."""
        qs = Territory.objects.all()
        if self.unrestricted:
            return qs
        q = Q(pk__in=[])
        for p in self.held_paths(write=write):
            q |= Q(path__startswith=p)
        return qs.filter(q)

    # --- residents' records, scoped by place (households, visits, assistance) -----------------------------
    def grid_paths(self) -> list[str]:
        """The places where the user works as a grid worker (their territory paths)."""
        return [g.place_path for g in self.grants if g.kind == "grid_worker" and g.place_path]

    def place_paths(self, *, write: bool = False) -> list[str]:
        """The places whose residents' records the user may read (or write): the places their organizations hold
        (`held_paths`) and the grids they work in. A grid worker reads and writes the households of their grid and
        nothing else; an auditor reads; organizers and secretaries write what their organizations hold."""
        paths = sorted({*self.held_paths(write=write), *self.grid_paths()})
        return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]

    def by_place(self, qs: _QS, *, place_field: str = "territory", write: bool = False) -> _QS:
        """Any queryset of records that belong to a place (a household, a visit), restricted to the places the
        user may read (or write) by `place_paths`."""
        if self.unrestricted:
            return qs
        q = Q(pk__in=[])
        for p in self.place_paths(write=write):
            q |= Q(**{f"{place_field}__path__startswith": p})
        return qs.filter(q)

    def can_read_place(self, territory: Territory | None) -> bool:
        if self.unrestricted:
            return True
        return territory is not None and any(territory.path.startswith(p) for p in self.place_paths())

    def can_write_place(self, territory: Territory | None) -> bool:
        if self.unrestricted:
            return True
        return territory is not None and any(territory.path.startswith(p) for p in self.place_paths(write=True))

    def audit_entries(self) -> QuerySet[AuditEntry]:
        qs = AuditEntry.objects.all()
        if self.unrestricted:
            return qs
        q = Q(org_id__in=self.orgs().values("pk"))
        if self.own_member_ids:
            q |= Q(object_type="members.member", object_id__in=[str(i) for i in self.own_member_ids])
        return qs.filter(q)

    # --- single objects -------------------------------------------------------------------------
    def can_read_org(self, org: Organization) -> bool:
        return self.unrestricted or any(org.path.startswith(p) for p in self.paths(READ_ROLES))

    def can_write_org(self, org: Organization | None) -> bool:
        if self.unrestricted:
            return True
        return org is not None and any(org.path.startswith(p) for p in self.paths(WRITE_ROLES))

    def can_read_territory(self, territory: Territory) -> bool:
        return self.unrestricted or any(territory.path.startswith(p) for p in self.held_paths())

    def can_write_territory(self, territory: Territory | None) -> bool:
        """Whether the user may record changes of this place (None: a new place at the top of the tree)."""
        if self.unrestricted:
            return True
        return territory is not None and any(territory.path.startswith(p) for p in self.held_paths(write=True))

    def can_read_member(self, member: Member) -> bool:
        if self.unrestricted or member.pk in self.own_member_ids:
            return True
        return member.org is not None and self.can_read_org(member.org)

    def can_write_member(self, member: Member) -> bool:
        return self.unrestricted or (member.org is not None and self.can_write_org(member.org))

    def can_reveal(self, member: Member) -> bool:
        if self.unrestricted or member.pk in self.own_member_ids:
            return True
        return member.org is not None and any(member.org.path.startswith(p) for p in self.paths(REVEAL_ROLES))


def scope_for(user: Any) -> Scope:
    """The scope of a user; an anonymous user gets an empty scope (not the system's)."""
    if user is None:
        return Scope(_Nobody())
    return Scope(user)


class _Nobody:
    is_active = False
    is_superuser = False
    is_authenticated = False


_pinned: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("grassroots_pinned_scope", default=None)


def current_scope() -> Scope:
    """The scope of whoever is acting now (the system when nobody is)."""
    actor = current_actor()
    pinned = _pinned.get()
    if pinned is not None and pinned.user is actor:
        return pinned
    return Scope(actor)


@contextlib.contextmanager
def pinned_scope() -> Iterator[Scope]:
    """Inside, `current_scope()` is the scope of the user acting on entering, read once (an import checks every
    row as the same user, in one transaction); another actor inside still gets a scope of their own."""
    scope = Scope(current_actor())
    token = _pinned.set(scope)
    try:
        yield scope
    finally:
        _pinned.reset(token)


def require_write_org(org: Organization | None) -> None:
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": org or _("the top of the tree")})


def require_write_member(member: Member) -> None:
    if not current_scope().can_write_member(member):
        raise PermissionDeniedError(_("you may not change %(name)s") % {"name": member.name})


def require_reveal(member: Member) -> None:
    if not current_scope().can_reveal(member):
        raise PermissionDeniedError(_("you may not see %(name)s's full personal information") % {"name": member.name})


def require_write_place(territory: Territory | None) -> None:
    """Residents' records of a place (households, visits): its holders' writers and its grid workers."""
    if not current_scope().can_write_place(territory):
        raise PermissionDeniedError(_("you may not change the records of %(place)s")
                                    % {"place": territory or _("the top of the tree")})


def require_write_territory(territory: Territory | None) -> None:
    if not current_scope().can_write_territory(territory):
        raise PermissionDeniedError(_("you may not change %(org)s") % {"org": territory or _("the top of the tree")})


# --- accounts: who may create them, grant and withdraw roles, reset passwords --------------------------------
MANAGE_ROLES = ("organizer",)


def can_manage_org(scope: Scope, org: Organization | None) -> bool:
    """Whether the user may give out roles at `org`: the site administrator (or the system), or an organizer of
    the organization or of one above it. A secretary writes records but gives out no roles."""
    if scope.unrestricted:
        return True
    return org is not None and any(org.path.startswith(p) for p in scope.paths(MANAGE_ROLES))


def can_manage_account(scope: Scope, account: Any) -> bool:
    """Whether the user may reset the password of `account`, deactivate it or withdraw its roles: never a
    superuser's (only the site administrator), and only an account whose every role lies where the user may give
    out roles (taking over an account must not give more than the user holds)."""
    if scope.unrestricted:
        return True
    if account is None or account.is_superuser or not scope.paths(MANAGE_ROLES):
        return False
    roles = list(Role.objects.filter(user=account).select_related("org", "member__org"))
    if not roles:
        return False
    for role in roles:
        org = role.org if role.org is not None else (role.member.org if role.member is not None else None)
        if not can_manage_org(scope, org):
            return False
    return True


def require_manage_org(org: Organization | None) -> None:
    if not can_manage_org(current_scope(), org):
        raise PermissionDeniedError(
            _("only an organizer of %(org)s or of an organization above it may give out roles there")
            % {"org": org or _("the top of the tree")})


def require_manage_account(account: Any) -> None:
    if not can_manage_account(current_scope(), account):
        raise PermissionDeniedError(_("you may not manage the account %(name)s") % {"name": account.username})


def require_site_admin() -> None:
    """The site administrator (a superuser) or the system (the server's operator at the command line)."""
    if not current_scope().unrestricted:
        raise PermissionDeniedError(_("only the site administrator may do this"))
