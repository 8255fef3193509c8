"""Words, not keys, in templates: `{% load words %}`.

- `{{ finding.rule|rule_title }}`: the rule's title in the user's language;
- `{{ event.details|changes:"members.member" }}`: (label, value) pairs of a record's values;
- `{{ item|pair }}`: one of those pairs as "label: value";
- `{% describe_entries entries as rows %}`: a page of audit entries with before, after and extra in words
  (related names in one query per model, members' names only within the reader's scope).
"""

from __future__ import annotations

from typing import Any

from django import template

from grassroots.ui import changes as change_words
from grassroots.ui.words import rule_title as _rule_title

register = template.Library()


@register.filter
def rule_title(cite: str) -> str:
    return _rule_title(str(cite))


@register.filter
def changes(values: Any, object_type: str = "") -> list[tuple[str, str]]:
    names = change_words.related_names([(object_type, values)])
    return change_words.describe(object_type, values, names)


@register.filter
def pair(item: tuple[str, str]) -> str:
    """A (label, value) pair as "label: value" (full-width colon in Chinese)."""
    return change_words.pair(*item)


@register.simple_tag(takes_context=True)
def describe_entries(context: template.Context, entries: Any) -> list[dict[str, Any]]:
    from grassroots.access.scope import scope_for

    request = context.get("request")
    user = getattr(request, "user", None)
    scope = scope_for(user) if user is not None and user.is_authenticated else None
    return change_words.describe_entries(entries, scope)
