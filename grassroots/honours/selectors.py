"""Reads of household honours: the kinds in force, the honours of an organization's places or of a household, the
year's counts by kind, what waits for a decision, and what a station shows the public."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation

from grassroots.access.scope import Scope
from grassroots.orgs.models import Organization, Territory
from grassroots.orgs.selectors import held_place_paths
from grassroots.rules.registry import in_force

from .models import Honour, HonourKind, State

LOCAL_PREFIX = "local-"


def today() -> dt.date:
    return timezone.localdate()


def model_kinds(day: dt.date | None = None) -> list[tuple[str, str]]:
    """The model kinds in force as (code, name in the page's language)."""
    zh = (translation.get_language() or "zh-hans").startswith("zh")
    return [(k["code"], k["zh"] if zh else k["en"]) for k in in_force("honours.model_kinds", day or today())["kinds"]]


def local_kinds_for(org: Organization) -> QuerySet[HonourKind]:
    step = Organization.steplen
    paths = [org.path[:i] for i in range(step, len(org.path) + 1, step)]
    return HonourKind.objects.filter(org__path__in=paths, active=True).select_related("org").order_by("name")


def kind_choices(org: Organization | None) -> list[tuple[str, str]]:
    choices = model_kinds()
    if org is not None:
        choices += [(f"{LOCAL_PREFIX}{k.pk}", k.name) for k in local_kinds_for(org)]
    return choices


def kind_label(honour: Honour, names: dict[str, str] | None = None) -> str:
    if honour.local_kind_id:
        return str(honour.local_kind.name)  # type: ignore[union-attr]
    names = names if names is not None else dict(model_kinds())
    return names.get(honour.kind, honour.kind)


def visible(scope: Scope) -> QuerySet[Honour]:
    return Honour.objects.visible_to(scope)


def of_org(org: Organization) -> QuerySet[Honour]:
    """The honours of the households living in the places `org` and its subtree hold."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in held_place_paths(org, subtree=True):
        q |= Q(household__territory__path__startswith=p)
    return Honour.objects.filter(q)


def can_decide(scope: Scope, territory: Territory) -> bool:
    """The writers of an organization that holds the place or one above it (not its grid workers)."""
    return scope.unrestricted or any(territory.path.startswith(p) for p in scope.held_paths(write=True))


def counts_by_kind(qs: QuerySet[Honour]) -> list[dict[str, Any]]:
    """Households honoured, kind by kind (2 queries)."""
    names = dict(model_kinds())
    rows = list(qs.values_list("kind", "local_kind_id", "local_kind__name", "household_id").distinct())
    per: Counter[tuple[str, str]] = Counter()
    for kind, local_id, local_name, _h in rows:
        key = (f"{LOCAL_PREFIX}{local_id}", local_name) if local_id else (kind, names.get(kind, kind))
        per[key] += 1
    order = {code: i for i, code in enumerate(names)}
    return [{"kind": k, "name": n, "households": c} for (k, n), c in
            sorted(per.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))]


def decide_within(day: dt.date) -> tuple[int, str]:
    rule = in_force("honours.decide_within", day)
    return int(rule["days"]), rule.cite


def waiting(org: Organization, day: dt.date) -> QuerySet[Honour]:
    days, _cite = decide_within(day)
    return of_org(org).filter(state=State.PROPOSED, proposed_on__lt=day - dt.timedelta(days=days))


def has_published(org: Organization) -> bool:
    """The station pages' `shown_if`: some honour of the organization's places is published."""
    return of_org(org).filter(state=State.PUBLISHED).exists()


def published(org: Organization, year: int) -> QuerySet[Honour]:
    return (of_org(org).filter(state=State.PUBLISHED, year=year)
            .select_related("household__territory", "local_kind").order_by("kind", "local_kind__name",
                                                                            "household__code"))
