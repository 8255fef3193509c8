"""Template tags over the module registry: what the modules add to a page of the shell."""

from __future__ import annotations

from django import template

from grassroots.core.modules import org_actions as registered_org_actions

register = template.Library()


@register.simple_tag
def org_actions() -> list[str]:
    """The templates the modules add to the organization page's actions (`{% org_actions as actions %}`); each
    is included with the page's context (`org`, ...)."""
    return registered_org_actions()
