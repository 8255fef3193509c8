"""Member points (积分制, 先锋指数) that nobody is forced into.

A `PointEntry` is one thing a member did that may earn points: proposed from a record of another module
(`core.modules.point_sources()`: a meeting attended, a month's dues paid on time, ...), or given by the branch by
hand with a reason (a manual item, a deduction). A proposal counts only once the branch approves it; nothing is
ever deducted automatically. The rules are data: the default scheme in rules/data/points.json and the
organizations' own `PointScheme`s with their effective dates. Totals are per year (the yearly reset).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization


class PointScheme(Versioned, Recorded):
    """An organization's points scheme from `effective_from` on (until its next scheme): base, floor, items with
    points per unit and yearly caps, who is exempt. It applies to the organization's whole subtree unless an
    organization nearer the member has a scheme of its own in force."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="point_schemes")
    effective_from = models.DateField(_("in force from"))
    params = models.JSONField(_("scheme"))
    note = models.CharField(_("note"), max_length=300, blank=True)


    class Meta:
        ordering = ["org_id", "-effective_from"]
        verbose_name = _("points scheme")
        constraints = [models.UniqueConstraint(fields=["org", "effective_from"], name="one_scheme_a_day")]

    def __str__(self) -> str:
        return f"{self.org} {self.effective_from}"

    @property
    def cite(self) -> str:
        return f"points.scheme:{self.pk}@{self.effective_from.isoformat()}"


class PointSetting(Versioned, models.Model):
    """An organization's choices about points: whether its members' ranking page exists (off by default)."""

    org = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="point_setting")
    ranking_enabled = models.BooleanField(_("ranking page turned on"), default=False)


    def __str__(self) -> str:
        return f"{self.org}: {self.ranking_enabled}"


class PointOptIn(models.Model):
    """A member's own choice to appear on a ranking page (where the branch turned one on). No row: not opted in."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="point_opt_in")
    opted_in = models.BooleanField(_("appears on the ranking"), default=False)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.member_id}: {self.opted_in}"


class ExemptionReason(models.TextChoices):
    SICK = "sick", _("Sick")
    OTHER = "other", _("Other reason decided by the branch")


class PointExemption(Recorded):
    """The branch exempts a member from points from `start` to `end` (inclusive; None: until further notice):
    no proposals and no deductions then. Retired and mobile members are exempt by the members' data already."""

    org = models.ForeignKey(Organization, verbose_name=_("recorded by the organization"), on_delete=models.PROTECT,
                            related_name="+")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="point_exemptions")
    reason = models.CharField(_("reason"), max_length=8, choices=ExemptionReason.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)


    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("points exemption")
        constraints = [models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                                              name="exemption_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.member} {self.start}–{self.end or ''}"

    def covers(self, day: object) -> bool:
        return bool(self.start <= day and (self.end is None or day <= self.end))  # type: ignore[operator]


class EntryStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class PointEntry(Versioned, Recorded):
    """One act that may earn points, in the year of its day. `points` is what the scheme in force on `day` gives
    (quantity × points per unit); what counts of it in the year's total is decided by the item's cap when the
    totals are read (`selectors`). `evidence_key` is the source record's key: unique, so a record never earns
    twice (empty for a manual entry)."""

    org = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.PROTECT,
                            related_name="point_entries")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT,
                               related_name="point_entries")
    item = models.CharField(_("item"), max_length=60)
    day = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"))
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2, default=1)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    scheme = models.CharField(_("scheme"), max_length=80)  # the cite of the scheme version that valued it
    evidence_key = models.CharField(max_length=120, blank=True)
    text = models.CharField(_("what"), max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PROPOSED)
    manual = models.BooleanField(_("given by the branch"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)


    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        constraints = [
            models.UniqueConstraint(fields=["evidence_key"], condition=~Q(evidence_key=""),
                                    name="a_record_earns_once"),
            models.CheckConstraint(condition=Q(points__gte=0) | Q(manual=True), name="only_manual_deducts"),
        ]
        indexes = [models.Index(fields=["member", "year"]), models.Index(fields=["org", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.day} {self.member} {self.item} {self.points}"
