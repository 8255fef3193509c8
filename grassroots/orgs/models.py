"""The organization tree, the territory tree, and their dated history.

The live tree (treebeard materialized path) answers "today" fast; `OrgState` rows keep each node's name,
kind, parent and path over time, so "the tree as of date D" is a plain query. Periods are half-open:
a state is in force on D when valid_from <= D < valid_to (valid_to NULL: still in force).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from grassroots.core.models import Recorded

if TYPE_CHECKING:
    from grassroots.access.scope import Scope


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    WORKING_COMMITTEE = "working_committee", _("Street Party working committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    PARTY_GROUP = "party_group", _("Party group")


class TerritoryKind(models.TextChoices):
    COUNTY = "county", _("County or district")
    TOWN = "town", _("Town")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    VILLAGER_GROUP = "villager_group", _("Villager group")
    GRID = "grid", _("Grid")


class Territory(MP_Node):
    """Places: county, town or street, community or village, villager group, grid.

    Like organizations, the live row answers "today"; `TerritoryState` keeps each place's name, kind, parent,
    path and holder over time, and `TerritoryChange` the dated decisions (see `orgs.services.territory_*`)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TerritoryKind.choices)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    # No node_order_by: a sorted insert would renumber the siblings' paths, and `TerritoryState.path` keeps the
    # path each place had over a period (as `OrgState` does for organizations, which are never sorted either).

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None


class Organization(MP_Node):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    founded_on = models.DateField(_("founded on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="organizations",
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None

    def subtree_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}path__startswith": self.path})


_M = TypeVar("_M", bound=models.Model)


class OrgOwnedQuerySet(models.QuerySet[_M]):
    """The queryset of records that belong to an organization (a candidate, a meeting, a payment...).

    The model names the field that points at its organization in `org_field` ("org" unless it says
    otherwise); `visible_to(scope)` keeps the records of the subtrees the scope may read (or write), so
    `access` decides who sees what without importing the model."""

    def visible_to(self, scope: Scope, *, write: bool = False) -> Self:
        return scope.by_org(self, org_field=getattr(self.model, "org_field", "org"), write=write)


class OrgStateQuerySet(models.QuerySet["OrgState"]):
    def on(self, day: dt.date) -> OrgStateQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


class OrgState(models.Model):
    """One node's name, kind, parent and path over a period."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="states")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)

    objects = OrgStateQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["path", "valid_from"]), models.Index(fields=["org", "valid_from"])]
        ordering = ["org_id", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from}, {self.valid_to or '…'})"


class ChangeKind(models.TextChoices):
    CREATE = "create", _("Created")
    RENAME = "rename", _("Renamed")
    MOVE = "move", _("Moved")
    MERGE = "merge", _("Merged into another")
    SPLIT = "split", _("Split")
    UPGRADE = "upgrade", _("Upgraded")
    REVOKE = "revoke", _("Revoked")


class OrgChange(Recorded):
    """A dated change of the tree, as people decided it (the audit log says who typed it in)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=10, choices=ChangeKind.choices)
    date = models.DateField(_("date"))
    details = models.JSONField(_("details"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("organization change")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.org}"


class TerritoryStateQuerySet(models.QuerySet["TerritoryState"]):
    def on(self, day: dt.date) -> TerritoryStateQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                           Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class TerritoryState(models.Model):
    """One place's name, kind, parent, path and holder over a period.

    `valid_from` is NULL for a place recorded without a date: it has been there since before the records.
    `holder` is the organization the place was given to (a grid to the branch that looks after it); NULL means
    it is held through the organizations whose own place it is (`Organization.territory`). Either way,
    `orgs.selectors.holder_of(place, day)` answers who holds it."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="states")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=TerritoryKind.choices)
    parent = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)
    holder = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = TerritoryStateQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["path", "valid_from"]), models.Index(fields=["territory", "valid_from"])]
        ordering = ["territory_id", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from or '…'}, {self.valid_to or '…'})"


class TerritoryChangeKind(models.TextChoices):
    CREATE = "create", _("Created")
    RENAME = "rename", _("Renamed")
    MOVE = "move", _("Moved")
    MERGE = "merge", _("Merged into another place")
    SPLIT = "split", _("Split")
    REVOKE = "revoke", _("Revoked")
    HOLD = "hold", _("Given to an organization")


class TerritoryChange(Recorded):
    """A dated change of the territory tree, as people decided it (the audit log says who typed it in).
    `date` is NULL only for a place recorded without a date."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=10, choices=TerritoryChangeKind.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("territory change")

    def __str__(self) -> str:
        return f"{self.date or ''} {self.get_kind_display()} {self.territory}"
