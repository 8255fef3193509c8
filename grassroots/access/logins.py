"""Logins in the audit log, and the answer a locked-out login gets.

The counting and the lock are django-axes' (settings: LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES, AXES_*): after
that many failures for one account, or from one address, logging in is refused until the lock ends by itself.
Here: every login (`auth.login`), every failed or refused one (`auth.login_failed`) and every lock as it begins
(`auth.lockout`) is recorded with the username tried and the address, never the password; and a locked-out login
gets the login page saying so in the user's language (the API's answer is `grassroots.api.authentication`'s).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from grassroots.core import audit
from grassroots.core.context import acting, current_channel

MAX_NAME = 150  # the longest username Django allows; anything longer tried is cut
LOGGED_IN_UID = "grassroots.access.logins.logged_in"  # the receivers' dispatch_uid (the tests' force_login skips it)


def client_address(request: Any) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address logins are counted under (see LOGIN_PROXY_COUNT in the settings).

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N proxies the N-th
    entry from the right is the client as the outermost proxy saw it; anything left of it the client may have made up.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.LOGIN_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count][:45]  # the longest textual IPv6 address
    return remote


def _address(request: Any) -> str:
    if request is None:
        return ""
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    return str(address or "")


def _tried(username: Any) -> str:
    return str(username or "")[:MAX_NAME]


def _org_id(username: str) -> int | None:
    """The organization of the account's first role (a member's: their branch), so that those who read that
    organization's audit log (its organizers, auditors) see its people's logins; None for an unknown username."""
    from .models import Role

    role = Role.objects.filter(user__username=username).select_related("member").order_by("id").first()
    if role is None:
        return None
    return role.org_id or (role.member.org_id if role.member is not None else None)


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """`user_logged_in`: a login through the login page (or a test's `client.login`)."""
    with acting(user, current_channel()):
        audit.record("auth.login", user, object_repr=_tried(user.get_username()), org_id=_org_id(user.get_username()),
                     extra={"username": _tried(user.get_username()), "address": _address(request)})


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """`user_login_failed`: a wrong password, an unknown account, or an attempt refused by a lock.

    Django has already replaced the password in `credentials` by stars; only the username is kept.
    """
    # Refused by a lock already there (axes did not count it); the failure that begins a lock is counted.
    refused = bool(getattr(request, "axes_locked_out", False)) and getattr(
        request, "axes_failures_since_start", None) is None
    tried = _tried(credentials.get("username"))
    audit.record("auth.login_failed", object_type="auth.user", object_id="", object_repr=tried, org_id=_org_id(tried),
                 extra={"username": tried, "address": _address(request),
                        "refused_by_lock": refused})


def on_locked_out(sender: Any, request: Any, username: Any = None, ip_address: Any = None, **kwargs: Any) -> None:
    """django-axes' `user_locked_out`: recorded once, as the lock begins (not for each attempt refused by it,
    which `on_login_failed` records with `refused_by_lock`)."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return  # an attempt while already locked: axes sends the signal again, but no new lock begins
    audit.record("auth.lockout", object_type="auth.user", object_id="", object_repr=_tried(username),
                 org_id=_org_id(_tried(username)),
                 extra={"username": _tried(username), "address": str(ip_address or ""),
                        "failures": request.axes_failures_since_start,
                        "minutes": lockout_minutes()})


def lockout_minutes() -> int:
    cool_off = get_cool_off()
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def remaining(request: Any, credentials: dict[str, Any] | None) -> timedelta:
    """How long the lock on this request's account or address still lasts (at least a second)."""
    cool_off = get_cool_off(request) or timedelta(0)
    latest = None
    for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials):
        for at in attempts.values_list("attempt_time", flat=True):
            latest = at if latest is None or at > latest else latest
    if latest is None:
        return cool_off
    return max(latest + cool_off - timezone.now(), timedelta(seconds=1))


def lockout_message(request: Any, credentials: dict[str, Any] | None) -> str:
    minutes = max(1, math.ceil(remaining(request, credentials).total_seconds() / 60))
    return ngettext(
        "Too many failed logins for this account or from this address. Logging in is blocked for %(minutes)d more "
        "minute; try again then. If you forgot your password, ask the organizer of your organization to set a new "
        "one.",
        "Too many failed logins for this account or from this address. Logging in is blocked for %(minutes)d more "
        "minutes; try again then. If you forgot your password, ask the organizer of your organization to set a new "
        "one.",
        minutes) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a login refused by a lock gets (429 Too Many Requests, with Retry-After).

    The login page again, with the reason above the form (the username kept); JSON {"detail"} for the API
    (its HTTP Basic logins answer the same through `grassroots.api.authentication`).
    """
    message = lockout_message(request, credentials)
    wait = str(math.ceil(remaining(request, credentials).total_seconds()))
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        username = _tried((credentials or {}).get("username") or request.POST.get("username"))
        form = AuthenticationForm(request, initial={"username": username})
        response = render(request, "registration/login.html", {
            "form": form, "locked_out": message, "next": request.POST.get("next", ""),
            "title": gettext("Log in"),
        }, status=429)
    response["Retry-After"] = wait
    return response
