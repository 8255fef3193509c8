"""The registry's links, resolved for one page: the navigation, an organization's or a member's module links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from grassroots.core.modules import MEMBER, ORG, SITE, links


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


def nav(request: HttpRequest) -> dict[str, Any]:
    """The context processor of the main menu: every module's site links, the current one marked."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_links": []}
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    found = links(SITE)
    writer = any(link.write for _m, link in found) and _writes_something(request.user)
    return {"nav_links": [{"label": link.label, "url": _url(link), "key": link.key or link.url_name,
                           "current": current == link.url_name} for _m, link in found if writer or not link.write]}


def _writes_something(user: Any) -> bool:
    """Whether the user may change some organization (or is the site administrator): who sees `write` site links."""
    from grassroots.access.scope import scope_for

    scope = scope_for(user)
    return scope.unrestricted or scope.orgs(write=True).exists()
