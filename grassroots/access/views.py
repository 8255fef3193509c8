"""The accounts pages: an organizer (or the site administrator) lists the accounts holding roles in the subtree,
creates accounts for its secretaries, auditors and organizers, grants and withdraws roles, sets or resets
passwords, deactivates accounts, and gives a member their own account.

Thin: every write goes through `access.services`, which decides who may do what (`require_manage_org`,
`require_manage_account`); a refusal reaches the middleware (403 with its reason), a RuleError shows on the form.
An organization outside what the user reads, or an account holding no role where they give out roles, is a 404.
A generated password is shown once, on the answer to the POST that made it, and kept nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.orgs.models import Organization
from grassroots.ui.forms import write_on_form
from grassroots.ui.lists import Column, ListSpec

from . import services
from .forms import AccountCreateForm, ConfirmForm, MemberAccountForm, PasswordForm, RoleAtOrgForm
from .models import Role, RoleKind
from .scope import MANAGE_ROLES, Scope, can_manage_account, can_manage_org, scope_for
from .selectors import accounts, role_org, visible_roles

write_page = require_http_methods(["GET", "POST"])


# --- what the user may reach ----------------------------------------------------------------------

def _managed_org(request: HttpRequest, code: str) -> tuple[Scope, Organization]:
    """The organization by code, if the user reads it (else 404) and gives out its roles (else 403)."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    if not can_manage_org(scope, org):
        raise PermissionDeniedError(
            _("only an organizer of %(org)s or of an organization above it may manage its accounts") % {"org": org})
    return scope, org


def _account(request: HttpRequest, pk: int) -> tuple[Scope, Any]:
    """An account holding a role where the user gives out roles (any account for the site administrator)."""
    scope = scope_for(request.user)
    return scope, get_object_or_404(accounts(scope=scope), pk=pk)


def _org_choices(scope: Scope, under: Organization | None = None) -> list[tuple[str, str]]:
    """The live organizations where the user gives out roles (within `under`'s subtree), in tree order."""
    qs = Organization.objects.filter(revoked_on__isnull=True).order_by("path")
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    if not scope.unrestricted:
        paths = scope.paths(MANAGE_ROLES)
        qs = qs.filter(pk__in=[o.pk for o in qs if any(o.path.startswith(p) for p in paths)])
    return [(o.code, f"{o.name} ({o.code})") for o in qs]


def _chosen_org(code: str) -> Organization:
    """The organization a valid form chose (its choices came from `_org_choices`)."""
    return Organization.objects.get(code=code)


def _role_text(role: Role) -> str:
    where = role.org.name if role.org is not None else (role.member.name if role.member is not None else "")
    return f"{role.get_kind_display()} · {where}"


# --- the list of an organization's accounts ---------------------------------------------------------

@dataclass(frozen=True)
class AccountRow:
    pk: int
    username: str
    full_name: str
    roles: str
    active: bool
    last_login: Any
    manage: bool  # the reader manages it: the user name links to the account's page


ACCOUNTS = ListSpec(
    title=gettext_lazy("Accounts"),
    columns=(
        Column("username", gettext_lazy("User name"), lambda r: r.username,
               link=lambda r: reverse("account-detail", args=[r.pk]) if r.manage else ""),
        Column("full_name", gettext_lazy("Full name"), lambda r: r.full_name),
        Column("roles", gettext_lazy("Roles"), lambda r: r.roles),
        Column("active", gettext_lazy("Active"), lambda r: _("yes") if r.active else _("no")),
        Column("last_login", gettext_lazy("Last login"), lambda r: r.last_login or "—", css="num"),
    ),
    export_name="accounts", table_id="accounts", empty=gettext_lazy("No account holds a role here yet."),
)


def _rows(users: QuerySet[Any], org: Organization, *, manage: bool) -> list[AccountRow]:
    rows = []
    for user in users:
        roles = [r for r in user.roles.all() if (where := role_org(r)) is not None and where.path.startswith(org.path)]
        rows.append(AccountRow(user.pk, user.username, user.get_full_name(), "; ".join(_role_text(r) for r in roles),
                               user.is_active, user.last_login, manage))
    return rows


@login_required
@require_GET
def org_accounts(request: HttpRequest, code: str) -> HttpResponse:
    """An organizer's accounts page; a secretary of the organization reads the list (who holds which role there)
    but changes nothing."""
    scope = scope_for(request.user)
    org = get_object_or_404(scope.orgs(), code=code)
    manage = can_manage_org(scope, org)
    if not manage and not scope.can_write_org(org):
        raise PermissionDeniedError(
            _("only an organizer of %(org)s or of an organization above it may manage its accounts") % {"org": org})
    users = accounts(org=org, scope=scope if manage else None)
    return ACCOUNTS.respond(request, _rows(users, org, manage=manage), template="access/org_accounts.html",
                            org=org, context={"manage": manage})


# --- creating an account ---------------------------------------------------------------------------

def _shown_once(request: HttpRequest, account: Any, password: str | None, heading: str,
                back: str) -> HttpResponse:
    """The answer to the POST that made a password: the only time it is shown."""
    response = render(request, "access/password_shown.html",
                      {"account": account, "password": password, "heading": heading, "back": back})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@write_page
def account_create(request: HttpRequest, code: str) -> HttpResponse:
    scope, org = _managed_org(request, code)
    form = AccountCreateForm(request.POST if request.method == "POST" else None,
                             org_choices=_org_choices(scope, org), initial={"org": org.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = write_on_form(form, lambda: services.user_create(
            username=d["username"], full_name=d["full_name"], password=form.chosen_password(), kind=d["kind"],
            org=_chosen_org(d["org"])))
        if made is not None:
            user, generated = made
            if generated is None:
                messages.success(request, _("The account %(name)s was created.") % {"name": user.username})
                return redirect("account-detail", pk=user.pk)
            return _shown_once(request, user, generated, _("The account %(name)s was created.")
                               % {"name": user.username}, reverse("account-detail", args=[user.pk]))
    return render(request, "ui/write_form.html", {
        "form": form, "heading": _("Create an account"), "org": org, "member": None, "submit": _("Create"),
        "action": reverse("account-create", args=[org.code]), "back": reverse("org-accounts", args=[org.code])})


# --- one account -----------------------------------------------------------------------------------

@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, account = _account(request, pk)
    roles = visible_roles(account, scope)
    grant = RoleAtOrgForm(org_choices=_org_choices(scope))
    return render(request, "access/account_detail.html", {
        "account": account, "roles": [(r, _role_text(r), can_manage_org(scope, role_org(r))) for r in roles],
        "grant": grant, "may_manage": can_manage_account(scope, account),
        "is_self": account.pk == request.user.pk})


@login_required
@write_page
def account_grant(request: HttpRequest, pk: int) -> HttpResponse:
    scope, account = _account(request, pk)
    form = RoleAtOrgForm(request.POST if request.method == "POST" else None, org_choices=_org_choices(scope))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        role = write_on_form(form, lambda: services.role_grant(user=account, kind=d["kind"],
                                                               org=_chosen_org(d["org"])))
        if role is not None:
            messages.success(request, _("%(name)s now holds: %(role)s.") % {"name": account.username,
                                                                           "role": _role_text(role)})
            return redirect("account-detail", pk=account.pk)
    return render(request, "access/account_form.html", {
        "form": form, "heading": _("Grant a role to %(name)s") % {"name": account.username},
        "back_label": account.username,
        "submit": _("Grant"), "action": reverse("account-grant", args=[account.pk]),
        "back": reverse("account-detail", args=[account.pk])})


@login_required
@require_POST
def role_withdraw(request: HttpRequest, pk: int, role: int) -> HttpResponse:
    scope, account = _account(request, pk)
    held = next((r for r in visible_roles(account, scope) if r.pk == role), None)
    if held is None:
        raise Http404
    text, org = _role_text(held), role_org(held)
    try:
        services.role_withdraw(held)
    except PermissionDeniedError:
        raise
    except RuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Withdrawn: %(role)s.") % {"role": text})
    if accounts(scope=scope).filter(pk=account.pk).exists():
        return redirect("account-detail", pk=account.pk)
    # The account holds nothing more here: back to the organization's accounts.
    return redirect("org-accounts", code=org.code) if org is not None else redirect("home")


@login_required
@write_page
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    scope, account = _account(request, pk)
    if not can_manage_account(scope, account):
        raise PermissionDeniedError(_("you may not manage the account %(name)s") % {"name": account.username})
    form = PasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = write_on_form(form, lambda: (services.user_set_password(account, password=form.chosen_password()),))
        if done is not None:
            if account.pk == request.user.pk:
                account.refresh_from_db()
                update_session_auth_hash(request, account)  # changing one's own password keeps one logged in
            back = reverse("account-detail", args=[account.pk])
            heading = _("The password of %(name)s was changed.") % {"name": account.username}
            if done[0] is None:
                messages.success(request, heading)
                return redirect(back)
            return _shown_once(request, account, done[0], heading, back)
    return render(request, "access/account_form.html", {
        "form": form, "heading": _("Set the password of %(name)s") % {"name": account.username},
        "back_label": account.username,
        "submit": _("Set the password"), "action": reverse("account-password", args=[account.pk]),
        "back": reverse("account-detail", args=[account.pk])})


@login_required
@write_page
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    scope, account = _account(request, pk)
    if not can_manage_account(scope, account):
        raise PermissionDeniedError(_("you may not manage the account %(name)s") % {"name": account.username})
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    roles = visible_roles(account, scope)
    if request.method == "POST" and form.is_valid():
        if write_on_form(form, lambda: services.user_deactivate(account)) is not None:
            messages.success(request, _("The account %(name)s was deactivated; its roles were withdrawn.")
                             % {"name": account.username})
            org = role_org(roles[0]) if roles else None
            if scope.unrestricted or org is None:
                return redirect("account-detail", pk=account.pk)
            return redirect("org-accounts", code=org.code)
    return render(request, "access/account_form.html", {
        "form": form, "heading": _("Deactivate the account %(name)s") % {"name": account.username},
        "back_label": account.username,
        "submit": _("Deactivate"), "danger": True,
        "action": reverse("account-deactivate", args=[account.pk]),
        "back": reverse("account-detail", args=[account.pk])})


# --- a member's own account --------------------------------------------------------------------------

@login_required
@write_page
def member_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Create the member's own account, or link an account the user manages to the member's record (a member
    role anchored at it): the member then reads their own record, dues and meetings."""
    scope = scope_for(request.user)
    member = get_object_or_404(scope.members().select_related("org"), pk=pk)
    manage = can_manage_org(scope, member.org)
    if not manage and (request.method == "POST" or not scope.can_write_member(member)):
        raise PermissionDeniedError(
            _("only an organizer of %(org)s or of an organization above it may manage its accounts")
            % {"org": member.org})
    linked = Role.objects.filter(kind=RoleKind.MEMBER, member=member).select_related("user").first()
    form = MemberAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and linked is None and form.is_valid():
        d = form.cleaned_data
        existing = get_user_model().objects.filter(username__iexact=d["username"].strip()).first()
        if existing is not None:
            if not accounts(scope=scope).filter(pk=existing.pk).exists():
                form.add_error("username", _("the user name %(name)s is already used") % {"name": d["username"]})
            elif write_on_form(form, lambda: services.role_grant(user=existing, kind=RoleKind.MEMBER,
                                                                  member=member)) is not None:
                messages.success(request, _("%(name)s's own account is now %(account)s.")
                                 % {"name": member.name, "account": existing.username})
                return redirect("member-account", pk=member.pk)
        else:
            made = write_on_form(form, lambda: services.user_create(
                username=d["username"], full_name=d["full_name"] or member.name, password=form.chosen_password(),
                kind=RoleKind.MEMBER, member=member))
            if made is not None:
                user, generated = made
                heading = _("%(name)s's own account is now %(account)s.") % {"name": member.name,
                                                                             "account": user.username}
                if generated is None:
                    messages.success(request, heading)
                    return redirect("member-account", pk=member.pk)
                return _shown_once(request, user, generated, heading, reverse("member-account", args=[member.pk]))
    return render(request, "access/member_account.html", {
        "member": member, "linked": linked, "form": form, "manage": manage,
        "may_manage_linked": linked is not None and can_manage_account(scope, linked.user)})
