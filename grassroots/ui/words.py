"""Words, not keys: what a person reads where the records hold a key.

`rule_title(cite)`: a rule's title in the user's language (`meetings.general_meeting@2018` ->
"支部党员大会一般每季度召开1次"); the cite itself stays on the finding's detail. The words of an audit entry's or
an event's before and after are in `changes.py`.
"""

from __future__ import annotations

from django.utils import translation

from grassroots.rules.registry import RuleVersion, all_rules


def rule_version(cite: str) -> RuleVersion | None:
    """The rule version a cite (`rule.id@version`, or a bare rule id: its latest version) names; None if unknown."""
    rule_id, _sep, version = cite.partition("@")
    versions = all_rules().get(rule_id)
    if not versions:
        return None
    for v in versions:
        if v.version == version:
            return v
    return versions[-1]


def rule_title(cite: str, language: str | None = None) -> str:
    """The rule's title in `language` (default: the active one); the cite itself when the rule is unknown."""
    v = rule_version(cite)
    if v is None:
        return cite
    lang = language or translation.get_language() or ""
    return (v.title_zh if lang.lower().startswith("zh") else v.title_en) or v.title_en or cite
