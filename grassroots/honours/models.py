"""Household honours (模范户 / 示范户): yearly titles given to households, of the eight model kinds of seed 000
(rules data `honours.model_kinds`) or of a kind an organization adds for its subtree.

    proposed ──approve──▶ approved ──publish──▶ published
        └──────decline (with a reason)──▶ declined ◀──┘ (an approved honour may still be declined)

Whoever writes the household's place proposes (its grid worker, the community's staff); the organization that
holds the place, or one above it, approves and publishes. Published honours show on the station's public page
with the head of household's name and the place's name only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.households.models import Household
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class State(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")


class HonourKindQuerySet(OrgOwnedQuerySet["HonourKind"]):
    pass


class HonourKind(Recorded):
    """A kind of honour an organization adds for its subtree."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="honour_kinds")
    name = models.CharField(_("name"), max_length=50)
    active = models.BooleanField(_("in use"), default=True)

    objects = HonourKindQuerySet.as_manager()

    class Meta:
        verbose_name = _("kind of honour")
        ordering = ["org__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="honours_kind_unique")]

    def __str__(self) -> str:
        return self.name


class HonourQuerySet(models.QuerySet["Honour"]):
    def visible_to(self, scope, *, write: bool = False) -> HonourQuerySet:  # type: ignore[no-untyped-def]
        return scope.by_place(self, place_field="household__territory", write=write)  # type: ignore[no-any-return]


def _user_fk(label: Any) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=label, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")


class Honour(Versioned, Recorded):
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="honours")
    year = models.PositiveIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, blank=True)  # a model kind's code
    local_kind = models.ForeignKey(HonourKind, verbose_name=_("local kind"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="honours")
    reason = models.CharField(_("reason"), max_length=500)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_on = models.DateField(_("proposed on"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = _user_fk(_("approved by"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = _user_fk(_("published by"))
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    declined_by = _user_fk(_("declined by"))
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)

    objects = HonourQuerySet.as_manager()

    class Meta:
        verbose_name = _("household honour")
        verbose_name_plural = _("household honours")
        ordering = ["-year", "household__code", "id"]
        indexes = [models.Index(fields=["year", "state"])]
        constraints = [
            models.CheckConstraint(condition=(Q(kind="") & Q(local_kind__isnull=False))
                                   | (~Q(kind="") & Q(local_kind__isnull=True)), name="honours_one_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.household_id} {self.kind or self.local_kind_id}"
