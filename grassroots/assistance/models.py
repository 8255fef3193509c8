"""Assistance given to households (社会救助 and local help) and the donations a store takes in and gives out.

- `Assistance`: one entry of the ledger: a household helped, of a kind (one of the eight statutory kinds of the
  Interim Measures for Social Assistance, kept as rules data `assistance.statutory_kinds`, or a `LocalKind` an
  organization added for its subtree), in cash, goods or a service, on a day, from a source, for a number of its
  persons (or chosen persons). Scoped by the household's place (`Scope.by_place`, "household__territory").
- `StockItem`, `Donation`: what an organization's store (the "Leifeng supermarket" of seed 000) received, one
  item a row (or cash); `DistributionRound` and `DistributionLine`: what it gave out, to which household. Stock of
  an item = received − distributed, never negative. Each line is also the household's `Assistance` entry
  (source: donations), written with the line: the ledger is the one place households and persons helped are
  counted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.households.models import Household, Person
from grassroots.orgs.models import Organization, OrgOwnedQuerySet


class Form(models.TextChoices):
    CASH = "cash", _("Cash")
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")


class Source(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    UNIT = "unit", _("A unit")
    PARTY = "party", _("The Party organization")
    DONATIONS = "donations", _("Donations")
    OTHER = "other", _("Other")


class LocalKindQuerySet(OrgOwnedQuerySet["LocalKind"]):
    pass


class LocalKind(Recorded):
    """A kind of help an organization adds for its subtree (节日慰问, 结对帮扶, ...)."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="assistance_kinds")
    name = models.CharField(_("name"), max_length=50)
    active = models.BooleanField(_("in use"), default=True)

    objects = LocalKindQuerySet.as_manager()

    class Meta:
        verbose_name = _("local kind of assistance")
        ordering = ["org__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="assistance_localkind_unique")]

    def __str__(self) -> str:
        return self.name


class AssistanceQuerySet(models.QuerySet["Assistance"]):
    def visible_to(self, scope, *, write: bool = False) -> AssistanceQuerySet:  # type: ignore[no-untyped-def]
        return scope.by_place(self, place_field="household__territory", write=write)  # type: ignore[no-any-return]


class Assistance(Versioned, Recorded):
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="assistance")
    kind = models.CharField(_("kind"), max_length=20, blank=True)  # a statutory kind's code
    local_kind = models.ForeignKey(LocalKind, verbose_name=_("local kind"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="entries")
    form = models.CharField(_("form"), max_length=8, choices=Form.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    given_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_name = models.CharField(_("source's name"), max_length=100, blank=True)
    persons_count = models.PositiveIntegerField(_("persons helped"), default=1)
    persons = models.ManyToManyField(Person, verbose_name=_("persons helped"), blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["given_on", "kind"])]
        constraints = [
            models.CheckConstraint(condition=(Q(kind="") & Q(local_kind__isnull=False))
                                   | (~Q(kind="") & Q(local_kind__isnull=True)), name="assistance_one_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.given_on} {self.kind or self.local_kind_id}"


class StockItemQuerySet(OrgOwnedQuerySet["StockItem"]):
    pass


class StockItem(models.Model):
    """An item an organization's store keeps (rice, cooking oil, quilts): the row two clerks lock before they give
    the last ones out."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="stock_items")
    name = models.CharField(_("item"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10, blank=True)

    objects = StockItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock item")
        ordering = ["org__path", "name"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="assistance_item_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class DonationQuerySet(OrgOwnedQuerySet["Donation"]):
    pass


class Donation(Recorded):
    """One thing received: an item with its quantity and estimated value, or cash (no item)."""

    org = models.ForeignKey(Organization, verbose_name=_("received by"), on_delete=models.PROTECT,
                            related_name="donations")
    donor = models.CharField(_("donor"), max_length=100)
    donor_is_unit = models.BooleanField(_("the donor is a unit"), default=False)
    received_on = models.DateField(_("received on"))
    item = models.ForeignKey(StockItem, verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="donations")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(_("value (yuan)"), max_digits=12, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("donation")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(
            condition=(Q(item__isnull=True) & Q(quantity__isnull=True)) | (Q(item__isnull=False) & Q(quantity__gt=0)),
            name="assistance_donation_item_quantity")]

    def __str__(self) -> str:
        return f"{self.received_on} {self.donor}"

    @property
    def is_cash(self) -> bool:
        return self.item_id is None


class RoundQuerySet(OrgOwnedQuerySet["DistributionRound"]):
    pass


class DistributionRound(Versioned, Recorded):
    """One distribution of the store (every quarter, or on a day): its list per household and its receipt."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="distribution_rounds")
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("distributed on"))
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    local_kind = models.ForeignKey(LocalKind, verbose_name=_("local kind"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    signed = models.BooleanField(_("signed for"), default=False)
    signed_on = models.DateField(_("signed for on"), null=True, blank=True)
    photo = models.FileField(_("photo of the signed sheet"), upload_to="assistance/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("distribution round")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class DistributionLine(models.Model):
    round = models.ForeignKey(DistributionRound, on_delete=models.CASCADE, related_name="lines")
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="+")
    item = models.ForeignKey(StockItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="lines")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    assistance = models.OneToOneField(Assistance, on_delete=models.PROTECT, related_name="distribution_line")

    class Meta:
        ordering = ["round_id", "household__code", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="assistance_line_positive")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.household_id} {self.item_id} {self.quantity}"
