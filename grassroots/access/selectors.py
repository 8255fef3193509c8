"""Reads of accounts and roles, for the accounts pages and `grassroots user list`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from grassroots.orgs.models import Organization

from .models import Role
from .scope import MANAGE_ROLES, Scope


def _in_subtree(path: str) -> Q:
    return Q(org__path__startswith=path) | Q(member__org__path__startswith=path)


def accounts(*, org: Organization | None = None, scope: Scope | None = None) -> QuerySet[Any]:
    """Accounts by user name with their roles (`user.roles.all()`, in tree order): with `org`, those holding a
    role in its subtree; with `scope`, only those holding a role where that user gives out roles (everyone for
    the site administrator)."""
    roles = Role.objects.all()
    filtered = False
    if org is not None:
        roles = roles.filter(_in_subtree(org.path))
        filtered = True
    if scope is not None and not scope.unrestricted:
        q = Q(pk__in=[])
        for path in scope.paths(MANAGE_ROLES):
            q |= _in_subtree(path)
        roles = roles.filter(q)
        filtered = True
    qs = get_user_model().objects.all()
    if filtered:
        qs = qs.filter(pk__in=roles.values("user_id"))
    ordered = Role.objects.select_related("org", "member__org").order_by("org__path", "kind", "pk")
    return qs.order_by("username").prefetch_related(Prefetch("roles", queryset=ordered))


def visible_roles(user: Any, scope: Scope) -> list[Role]:
    """The roles of `user` that `scope` may see: all for the site administrator, else those held where the
    scope's user gives out roles."""
    roles = list(Role.objects.filter(user=user).select_related("org", "member__org").order_by("org__path", "kind"))
    if scope.unrestricted:
        return roles
    paths = scope.paths(MANAGE_ROLES)

    def where(role: Role) -> str:
        org = role.org if role.org is not None else (role.member.org if role.member is not None else None)
        return org.path if org is not None else ""

    return [r for r in roles if any(where(r).startswith(p) for p in paths if where(r))]


def role_org(role: Role) -> Organization | None:
    """Where a role is held: its organization, or for a member role the member's organization."""
    if role.org is not None:
        return role.org
    return role.member.org if role.member is not None else None
