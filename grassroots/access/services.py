"""Granting and withdrawing roles: only the site administrator (or an organizer, inside their subtree)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.core import audit
from grassroots.core.errors import RuleError

from .models import Role, RoleKind
from .scope import require_write_org


def _org_id(role: Role) -> int | None:
    if role.org_id is not None:
        return role.org_id
    return role.member.org_id if role.member_id is not None and role.member is not None else None


@transaction.atomic
def role_grant(*, user: Any, kind: str, org: Any = None, member: Any = None) -> Role:
    if kind not in RoleKind.values:
        raise RuleError(_("unknown role %(kind)s") % {"kind": kind}, field="kind")
    if kind == RoleKind.MEMBER:
        if member is None:
            raise RuleError(_("a member role needs the member's record"), field="member")
        require_write_org(member.org)
        org = None
    else:
        if org is None:
            raise RuleError(_("this role is held at an organization"), field="org")
        require_write_org(org)
        member = None
    role, created = Role.objects.get_or_create(user=user, kind=kind, org=org, member=member)
    if created:
        audit.record("role.grant", role, after={"user": user.username, "kind": kind,
                                                "org": getattr(org, "code", None), "member": getattr(member, "pk", None)},
                     org_id=_org_id(role))
    return role


@transaction.atomic
def role_withdraw(role: Role) -> None:
    require_write_org(role.org if role.org is not None else (role.member.org if role.member is not None else None))
    audit.record("role.withdraw", role, before={"user": role.user.username, "kind": role.kind,
                                                "org": role.org.code if role.org is not None else None,
                                                "member": role.member_id},
                 org_id=_org_id(role))
    role.delete()
