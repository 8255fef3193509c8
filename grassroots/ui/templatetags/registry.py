"""Template tags over the module registry: what the modules add to a page of the shell."""

from __future__ import annotations

from typing import Any

from django import template

from grassroots.core.modules import org_actions as registered_org_actions

register = template.Library()


@register.simple_tag
def org_actions() -> list[str]:
    """The templates the modules add to the organization page's actions (`{% org_actions as actions %}`); each
    is included with the page's context (`org`, ...)."""
    return registered_org_actions()


@register.simple_tag
def station_links(station: Any) -> list[dict[str, str]]:
    """The public station pages' links of every module (`Module.public_links`) that apply to this station."""
    from django.urls import reverse

    from grassroots.core.modules import STATION, links

    if isinstance(station, str):
        from grassroots.orgs.models import Organization

        station = Organization.objects.filter(code=station).first()
    if station is None:
        return []
    shown: dict[str, bool] = {}  # a module's links share one test: ask it once per page
    found = []
    for _module, link in links(STATION):
        if link.shown_if not in shown:
            shown[link.shown_if] = link.shown_for(station)
        if shown[link.shown_if]:
            found.append({"label": str(link.label), "url": reverse(link.url_name, args=[station.code]),
                          "key": link.key})
    return found
