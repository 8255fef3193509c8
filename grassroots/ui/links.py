"""The registry's links, resolved for one page: the navigation, an organization's or a member's module links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from grassroots.core.modules import HOUSEHOLD, MEMBER, ORG, SITE, links


def _url(link: Any, *args: Any, day: dt.date | None = None) -> str:
    url = reverse(link.url_name, args=args)
    query = [link.query] if link.query else []
    if link.keep_as_of and day is not None:
        query.append(f"as_of={day:%Y-%m-%d}")
    return url + ("?" + "&".join(query) if query else "")


def org_links(org: Any, *, can_write: bool, day: dt.date | None = None) -> list[dict[str, Any]]:
    """What the registered modules link from an organization's page."""
    return [{"label": link.label, "url": _url(link, org.code, day=day), "key": link.key or link.url_name,
             "module": m.label}
            for m, link in links(ORG, org.kind) if can_write or not link.write]


def member_links(member: Any, *, can_write: bool) -> list[dict[str, Any]]:
    """What the registered modules link from a member's page."""
    return [{"label": link.label, "url": _url(link, member.pk), "key": link.key or link.url_name,
             "module": m.label}
            for m, link in links(MEMBER) if can_write or not link.write]


def household_links(household: Any, *, can_write: bool) -> list[dict[str, Any]]:
    """What the registered modules link from a household's page (its visits, its assistance, its honours)."""
    return [{"label": link.label, "url": _url(link, household.pk), "key": link.key or link.url_name,
             "module": m.label}
            for m, link in links(HOUSEHOLD) if can_write or not link.write]


def nav(request: HttpRequest) -> dict[str, Any]:
    """The context processor of the main menu: every module's site links, the current one marked."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_links": []}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    found = links(SITE)
    writer = any(link.write for _m, link in found) and writes_something(request)
    return {"nav_links": [{"label": link.label, "url": _url(link), "key": link.key or link.url_name,
                           "current": current == link.url_name} for _m, link in found if writer or not link.write]}


WRITER_KEY = "nav_writer"  # in the session: whether the user may change some organization, noted at login


def _may_write_some_org(user: Any) -> bool:
    from grassroots.access.scope import WRITE_ROLES, scope_for

    scope = scope_for(user)
    return scope.unrestricted or bool(scope.paths(WRITE_ROLES)) or bool(scope.grid_paths())  # grid workers write their grid's records


def note_writer(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At login (`user_logged_in`): note in the session whether the user sees the menu's `write` links, so that
    pages do not ask the database again (a role granted later shows them at the next login)."""
    if request is not None and hasattr(request, "session"):
        request.session[WRITER_KEY] = _may_write_some_org(user)


def writes_something(request: HttpRequest) -> bool:
    """Whether the user may change some organization (or is the site administrator): who sees `write` site
    links. Noted in the session at login; asked of the database for a session from before that."""
    user = request.user
    if user.is_superuser:
        return True
    noted = request.session.get(WRITER_KEY) if hasattr(request, "session") else None
    return bool(noted) if noted is not None else _may_write_some_org(user)
