"""Reads of the organization tree, live or as of a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from .models import Organization, OrgState


def state_on(org: Organization, day: dt.date) -> OrgState | None:
    return OrgState.objects.on(day).filter(org=org).first()


def current_state(org: Organization) -> OrgState | None:
    return OrgState.objects.filter(org=org, valid_to__isnull=True).order_by("-valid_from").first()


def subtree_states(org: Organization, day: dt.date) -> QuerySet[OrgState]:
    """The nodes of org's subtree as they stood on `day` (org included); empty if org did not exist then."""
    root = state_on(org, day)
    if root is None:
        return OrgState.objects.none()
    return OrgState.objects.on(day).filter(path__startswith=root.path)


def subtree_org_ids(org: Organization, day: dt.date) -> QuerySet[OrgState, Any]:
    """A subquery of the ids of org's subtree on `day`, for `org_id__in=`."""
    return subtree_states(org, day).values("org_id")


def kind_counts(org: Organization, day: dt.date, *, include_root: bool = False) -> dict[str, int]:
    qs = subtree_states(org, day)
    if not include_root:
        qs = qs.exclude(org=org)
    return {row["kind"]: row["n"] for row in qs.values("kind").annotate(n=Count("id")).order_by()}


@dataclass
class TreeNode:
    org_id: int
    code: str
    name: str
    kind: str
    path: str
    children: list[TreeNode] = field(default_factory=list)


def tree_as_of(org: Organization, day: dt.date) -> TreeNode | None:
    """The subtree as it stood on `day`, nested, with the names and kinds in force then."""
    states = list(subtree_states(org, day).select_related("org").order_by("path"))
    if not states:
        return None
    nodes = {s.org_id: TreeNode(s.org_id, s.org.code, s.name, s.kind, s.path) for s in states}
    root = None
    for s in states:
        node = nodes[s.org_id]
        if s.org_id == org.id:
            root = node
        elif s.parent_id in nodes:
            nodes[s.parent_id].children.append(node)
    return root


def live_children(org: Organization) -> QuerySet[Organization]:
    return org.get_children().filter(revoked_on__isnull=True)


def by_code(code: str) -> Organization:
    return Organization.objects.get(code=code)
