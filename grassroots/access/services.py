"""Accounts and roles: creating accounts, setting passwords, deactivating, granting and withdrawing roles.

Who may do what is decided in `scope` (`require_manage_org`, `require_manage_account`, `require_site_admin`): the
site administrator anything; an organizer only at their own node or below, and only for accounts whose every role
lies there; a secretary, an auditor or a member nothing. No one gives more than they hold. Every change is audited
(never a password). The pages (`views.py`), the Django admin and the `grassroots user` command all come here.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import RuleError

from .models import Role, RoleKind
from .scope import require_manage_account, require_manage_org, require_site_admin
from .selectors import role_org

# Letters and digits that cannot be mistaken for one another when read aloud or copied from paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
USERNAME_MAX = 150
FULL_NAME_MAX = 150


def generate_password() -> str:
    """A strong password (about 95 bits) in four groups of five, easy to copy: `k7Hq2-...`."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(5)) for _g in range(4))


def _role_org(role: Role) -> Any:
    return role_org(role)


def _org_id(role: Role) -> int | None:
    org = _role_org(role)
    return org.pk if org is not None else None


def _account_org_id(user: Any) -> int | None:
    """The organization an account's audit entries are filed under (where its first role is held)."""
    for role in Role.objects.filter(user=user).select_related("org", "member__org").order_by("pk"):
        org_id = _org_id(role)
        if org_id is not None:
            return org_id
    return None


def _check_password(password: str, user: Any) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise RuleError(" ".join(str(m) for m in exc.messages), field="password") from None


def _roles_text(user: Any) -> list[str]:
    out = []
    for role in Role.objects.filter(user=user).select_related("org").order_by("pk"):
        where = role.org.code if role.org is not None else f"member:{role.member_id}"
        out.append(f"{role.kind}@{where}")
    return out


@transaction.atomic
def user_create(*, username: str, password: str | None = None, full_name: str = "", superuser: bool = False,
                kind: str | None = None, org: Any = None, member: Any = None,
                territory: Any = None) -> tuple[Any, str | None]:
    """Create an account, with its first role (`kind` at `org`, or a member role anchored at `member`; a grid
    worker's at `territory`, given by `org`). Without
    `password` a strong one is generated: it is returned (to be shown once) and never stored in the clear. Only
    the site administrator creates a superuser or an account without a role."""
    User = get_user_model()
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    if not username:
        raise RuleError(_("a user name is required"), field="username")
    if len(username) > USERNAME_MAX:
        raise RuleError(_("a user name has at most %(n)s characters") % {"n": USERNAME_MAX}, field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise RuleError(_("a user name may contain only letters, digits and @ . + - _"), field="username") from None
    if User.objects.filter(username__iexact=username).exists():
        raise RuleError(_("the user name %(name)s is already used") % {"name": username}, field="username")
    if len(full_name) > FULL_NAME_MAX:
        raise RuleError(_("a name has at most %(n)s characters") % {"n": FULL_NAME_MAX}, field="full_name")
    if superuser:
        require_site_admin()
    elif kind is None:
        require_site_admin()  # an organizer's accounts always come with a role in their subtree
    if kind is not None and kind != RoleKind.MEMBER:
        if org is None:
            raise RuleError(_("this role is held at an organization"), field="org")
        require_manage_org(org)
    user = User(username=username, first_name=full_name, is_superuser=superuser, is_staff=superuser)
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_password(password, user)
    user.set_password(password)
    user.save()
    if kind is not None:
        role = role_grant(user=user, kind=kind, org=org, member=member, territory=territory)
        org_id = _org_id(role)
    else:
        org_id = None
    audit.record("user.create", user, after={"username": username, "full_name": full_name, "superuser": superuser,
                                             "roles": _roles_text(user)},
                 org_id=org_id, extra={"password": "generated" if generated else "set"})
    return user, generated


@transaction.atomic
def user_set_password(user: Any, *, password: str | None = None) -> str | None:
    """Set an account's password (its open sessions end); without `password` a strong one is generated and
    returned, to be shown once."""
    require_manage_account(user)
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record("user.password", user, org_id=_account_org_id(user),
                 extra={"username": user.username, "password": "generated" if generated else "set"})
    return generated


@transaction.atomic
def user_deactivate(user: Any) -> Any:
    """Close an account: it can no longer log in, and its roles are withdrawn. It is never deleted (the audit
    log names it)."""
    require_manage_account(user)
    actor = current_actor()
    if actor is not None and actor.pk == user.pk:
        raise RuleError(_("you cannot deactivate your own account"), field="username")
    if not user.is_active:
        raise RuleError(_("the account %(name)s is already deactivated") % {"name": user.username},
                        field="username")
    org_id = _account_org_id(user)
    roles = _roles_text(user)
    for role in Role.objects.filter(user=user).select_related("org", "member__org"):
        role_withdraw(role)
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record("user.deactivate", user, before={"active": True, "roles": roles},
                 after={"active": False, "roles": []}, org_id=org_id)
    return user


@transaction.atomic
def role_grant(*, user: Any, kind: str, org: Any = None, member: Any = None, territory: Any = None) -> Role:
    """Give `user` a role: organizer, secretary or auditor at `org`; member anchored at the member's record (the
    member's own account); grid worker of `territory` (a grid or villager group), given by `org` (the organization
    that holds the place, on its own or above it). Only where the acting user may give out roles
    (`require_manage_org`)."""
    if kind not in RoleKind.values:
        raise RuleError(_("unknown role %(kind)s") % {"kind": kind}, field="kind")
    if not user.is_active:
        raise RuleError(_("the account %(name)s is deactivated") % {"name": user.username}, field="username")
    if kind == RoleKind.MEMBER:
        if member is None:
            raise RuleError(_("a member role needs the member's record"), field="member")
        require_manage_org(member.org)
        other = (Role.objects.filter(kind=RoleKind.MEMBER, member=member).exclude(user=user)
                 .select_related("user").first())
        if other is not None:
            raise RuleError(_("%(name)s is already linked to the account %(account)s")
                            % {"name": member.name, "account": other.user.username}, field="member")
        if Role.objects.filter(user=user, kind=RoleKind.MEMBER).exclude(member=member).exists():
            raise RuleError(_("the account %(name)s is already linked to another member")
                            % {"name": user.username}, field="member")
        org = None
    else:
        if org is None:
            raise RuleError(_("this role is held at an organization"), field="org")
        require_manage_org(org)
        if org.revoked_on is not None:
            raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="org")
        member = None
    if kind == RoleKind.GRID_WORKER:
        if territory is None:
            raise RuleError(_("a grid worker's role is held at a place"), field="territory")
        if territory.revoked_on is not None:
            raise RuleError(_("%(place)s was revoked on %(date)s") % {"place": territory, "date": territory.revoked_on},
                            field="territory")
        if not any(territory.path.startswith(p) for p in _held_by(org)):
            raise RuleError(_("%(place)s is not held by %(org)s or the organizations under it")
                            % {"place": territory, "org": org}, field="territory")
    else:
        territory = None
    role, created = Role.objects.get_or_create(user=user, kind=kind, org=org, member=member, territory=territory)
    if created:
        audit.record("role.grant", role, after={"user": user.username, "kind": kind,
                                                "org": getattr(org, "code", None), "member": getattr(member, "pk", None),
                                                **({"place": territory.code} if territory is not None else {})},
                     org_id=_org_id(role))
    return role


def _held_by(org: Any) -> list[str]:
    """The paths of the places that `org` and the organizations under it hold now."""
    from grassroots.orgs.models import Organization, OrgKind, Territory

    holders = (Organization.objects.filter(path__startswith=org.path, revoked_on__isnull=True)
               .exclude(kind=OrgKind.PARTY_GROUP).values("pk"))
    held = Territory.objects.filter(Q(organizations__in=holders)
                                    | Q(states__valid_to__isnull=True, states__holder__in=holders))
    return sorted(set(held.values_list("path", flat=True)))


@transaction.atomic
def role_withdraw(role: Role) -> None:
    """Withdraw one role. Nobody withdraws their own last organizer role (they would lock themselves out)."""
    require_manage_org(_role_org(role))
    actor = current_actor()
    if (actor is not None and actor.pk == role.user_id and role.kind == RoleKind.ORGANIZER
            and not actor.is_superuser
            and not Role.objects.filter(user=role.user_id, kind=RoleKind.ORGANIZER).exclude(pk=role.pk).exists()):
        raise RuleError(_("this is your last organizer role: ask an organizer above you or the site administrator "
                          "to withdraw it"), field="kind")
    audit.record("role.withdraw", role, before={"user": role.user.username, "kind": role.kind,
                                                "org": role.org.code if role.org is not None else None,
                                                "member": role.member_id},
                 org_id=_org_id(role))
    role.delete()
