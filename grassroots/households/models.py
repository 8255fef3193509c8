"""Households and the persons who live in them (the "last mile" of seeds 000, 002, 003 and 004).

A household lives at a place of the territory tree (a grid, a villager group, a community) over periods:
`HouseholdPlace` keeps where it was from when to when (half-open, like `orgs.TerritoryState`), and
`Household.territory` is where it is now, for the scope (`access.Scope.by_place`). A household counts in a
place on day D when one of its periods covers D; it has left when `left_on` <= D.

A `Person` belongs to one household over [`joined_on`, `left_on`), with their relation to the head as a GB/T 4761
code. ID numbers and phones are masked on every page, list, export and API answer; each reveal is logged.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core import idnumber
from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, Territory


class HouseholdQuerySet(models.QuerySet["Household"]):
    def visible_to(self, scope, *, write: bool = False) -> HouseholdQuerySet:  # type: ignore[no-untyped-def]
        return scope.by_place(self, place_field="territory", write=write)  # type: ignore[no-any-return]


class Household(Versioned, Recorded):
    code = models.CharField(_("household number"), max_length=40, unique=True)
    territory = models.ForeignKey(Territory, verbose_name=_("place"), on_delete=models.PROTECT,
                                  related_name="households")
    building = models.CharField(_("building"), max_length=40, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    flat = models.CharField(_("flat"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    head_name = models.CharField(_("head of household"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)  # NULL: before the records
    left_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["territory__path", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.head_name}"

    @property
    def phone_masked(self) -> str:
        return idnumber.mask_phone(self.phone)

    @property
    def address_text(self) -> str:
        parts = [self.address] + [p for p in (self.building, self.unit, self.flat) if p]
        return " ".join(p for p in parts if p)


class HouseholdPlaceQuerySet(models.QuerySet["HouseholdPlace"]):
    def on(self, day) -> HouseholdPlaceQuerySet:  # type: ignore[no-untyped-def]
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                           Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class HouseholdPlace(models.Model):
    """Where a household lived over [valid_from, valid_to): written only by `households.services`. `path` is the
    place's path when the period was written (the territory tree's paths do not change: a move is a new place)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="places")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = HouseholdPlaceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["path", "valid_from"]), models.Index(fields=["household", "valid_from"])]
        ordering = ["household_id", "valid_from"]

    def __str__(self) -> str:
        return f"{self.household_id} @ {self.territory_id} [{self.valid_from or '…'}, {self.valid_to or '…'})"


class Relation(models.TextChoices):
    """GB/T 4761-2008 家庭关系代码 (the two-digit codes most registers use; the helper table in `relations.py` adds
    the finer ones)."""

    SELF = "01", _("Self")
    HEAD = "02", _("Head of household")
    SPOUSE = "10", _("Spouse")
    SON = "20", _("Son")
    DAUGHTER = "30", _("Daughter")
    GRANDCHILD = "40", _("Grandchild")
    PARENT = "50", _("Parent")
    GRANDPARENT = "60", _("Grandparent")
    SIBLING = "70", _("Sibling")
    OTHER = "99", _("Other")


SPECIAL_POPULATION_CHOICES = [
    ("community_correction", _("Under community correction")),
    ("released", _("Released from prison")),
    ("drug_user", _("Drug user")),
    ("mental_disorder", _("Severe mental disorder")),
    ("key_youth", _("Key youth")),
    ("petitioner", _("Key petitioner")),
]
DISABILITY_GRADES = [("1", _("Grade 1")), ("2", _("Grade 2")), ("3", _("Grade 3")), ("4", _("Grade 4"))]
SPECIAL_FIELDS = ("special_population", "health", "disability_grade")


class PersonQuerySet(models.QuerySet["Person"]):
    def on(self, day) -> PersonQuerySet:  # type: ignore[no-untyped-def]
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day), Q(left_on__isnull=True) | Q(left_on__gt=day))


class Person(Versioned, Recorded):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="persons")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation to the head"), max_length=2, default=Relation.HEAD)
    sex = models.CharField(_("sex"), max_length=1, blank=True)  # M / F
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    member = models.ForeignKey(Member, verbose_name=_("Party member"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="household_persons")
    joined_on = models.DateField(_("joined the household on"), null=True, blank=True)  # NULL: before the records
    left_on = models.DateField(_("left the household on"), null=True, blank=True)
    left_reason = models.CharField(_("why they left"), max_length=100, blank=True)
    # Special fields: stored, shown and accepted only where an organizer switched them on (`SpecialFields`),
    # masked even then; each reveal is logged.
    special_population = models.CharField(_("special population"), max_length=20, blank=True,
                                          choices=SPECIAL_POPULATION_CHOICES)
    health = models.CharField(_("health (chronic illness)"), max_length=200, blank=True)
    disability_grade = models.CharField(_("disability grade"), max_length=1, blank=True,
                                        choices=DISABILITY_GRADES)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["household_id", "relation", "id"]
        indexes = [models.Index(fields=["id_number"])]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number) if self.id_number else ""

    @property
    def phone_masked(self) -> str:
        return idnumber.mask_phone(self.phone)


class SituationKind(Recorded):
    """A kind of situation an organization adds for its subtree, beside the defaults of the rules data
    (`households.situation_kinds`): shown and accepted in the organization's places and every place under them."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="situation_kinds")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    reviewed = models.BooleanField(_("reviewed periodically"), default=False)

    class Meta:
        verbose_name = _("situation kind")
        verbose_name_plural = _("situation kinds")
        ordering = ["org_id", "code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="households_kind_unique_per_org")]

    def __str__(self) -> str:
        return self.name


class SituationQuerySet(models.QuerySet["Situation"]):
    def on(self, day) -> SituationQuerySet:  # type: ignore[no-untyped-def]
        """In force on `day`: started on or before it, not yet ended."""
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class Situation(Versioned, Recorded):
    """A household's (or one of its persons') situation over [started_on, ended_on): 困难户, 低保户, 独居老人 ...
    `kind` is the code of a kind (`selectors.situation_kinds`). `reviewed_on`: the last time somebody checked it
    still holds (the findings ask for a review of the kinds the rules name)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="situations")
    person = models.ForeignKey(Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="situations")
    kind = models.CharField(_("situation"), max_length=30)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = SituationQuerySet.as_manager()

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["household_id", "started_on", "id"]
        indexes = [models.Index(fields=["kind", "started_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} [{self.started_on}, {self.ended_on or '…'})"


class SpecialFields(Versioned, Recorded):
    """An organizer's switch of the special-population and health fields for the organization's subtree: off
    until switched on; the nearest organization up the tree with a switch decides."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="household_special_fields")
    enabled = models.BooleanField(_("special fields on"), default=False)

    class Meta:
        verbose_name = _("special fields switch")
        verbose_name_plural = _("special fields switches")

    def __str__(self) -> str:
        return f"{self.org_id}: {self.enabled}"
