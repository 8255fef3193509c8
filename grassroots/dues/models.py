"""Party dues: a yearly assessment per member, payments that cover months, remittances upward.

Money is Decimal. The monthly amount comes from the bracket rules in force (rules/data/dues.json) and the
rounding setting; it is fixed at the start of the year (the assessment) and usually stays all year.
Each month a payment covers is a `DuesMonth` row, unique per member and month: two people recording the
same payment cannot both succeed, and "which months are unpaid" is a plain query.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.core.models import Recorded, Versioned
from grassroots.members.models import Member
from grassroots.orgs.models import Organization


class DuesCategory(models.TextChoices):
    IN_SERVICE = "in_service", _("In service (on the monthly wage)")
    RETIRED = "retired", _("Retired (on the pension)")
    FARMER = "farmer", _("Farmer")
    STUDENT_UNEMPLOYED_RELIEF = "student_unemployed_relief", _("Student, unemployed or on relief")
    HARDSHIP = "hardship", _("Hardship (reduced or exempt, approved)")
    FIXED = "fixed", _("Fixed amount (other)")


class DuesAssessment(Versioned, models.Model):
    """What a member owes a month in a year: category, base, and the amount the rules give. Versioned: a change
    from a form opened before someone else's is refused (`services.assess(..., version=)`)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=32, choices=DuesCategory.choices)
    base = models.DecimalField(_("monthly base"), max_digits=12, decimal_places=2, null=True, blank=True)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=10, decimal_places=2)
    rule = models.CharField(max_length=60)  # the rule version that computed it
    approval = models.CharField(_("approval (hardship or fixed amount)"), max_length=200, blank=True)
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        verbose_name = _("dues assessment")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="one_assessment_a_year")]
        indexes = [models.Index(fields=["year", "member"])]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.monthly_amount}"


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("Monthly dues")
    BACK = "back", _("Back payment")
    VOLUNTARY = "voluntary", _("Voluntary payment")


class Channel(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    OTHER = "other", _("Other")


class DuesPayment(Recorded):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(Organization, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=12, choices=PaymentKind.choices, default=PaymentKind.REGULAR)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.CASH)
    paid_by = models.CharField(_("paid on the member's behalf by"), max_length=50, blank=True)
    receipt = models.CharField(_("receipt number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("dues payment")
        indexes = [models.Index(fields=["org", "paid_on"]), models.Index(fields=["member", "paid_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.member} {self.amount}"


class DuesMonth(models.Model):
    """One month a payment covers. Unique per member and month: a month is paid once."""

    payment = models.ForeignKey(DuesPayment, on_delete=models.CASCADE, related_name="months")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_months")
    month = models.DateField()  # the first day of the month
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="a_month_is_paid_once")]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}"


class Remittance(models.Model):
    """Dues handed up to the higher level by a branch or committee."""

    org = models.ForeignKey(Organization, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Organization, verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    remitted_on = models.DateField(_("remitted on"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-remitted_on", "-id"]
        verbose_name = _("remittance")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_positive")]

    def __str__(self) -> str:
        return f"{self.remitted_on} {self.org} {self.amount}"
