"""What the dues API shows and accepts. Money leaves as decimal strings ("40.00") and comes in as decimal
strings too: the services read the amount (`services.money`: two decimals at most, floats refused), so a wrong
amount is the service's 400 naming the field. Months are "YYYY-MM" (a date is taken as its month)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.core.dates import DateError, parse_date
from grassroots.ui.api import LenientDateField

from .models import DuesAssessment, DuesPayment, Remittance


def decimal(*, null: bool = False) -> serializers.DecimalField:
    """An amount shown as a decimal string ("40.00")."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=null)


def month_text(month: dt.date) -> str:
    return f"{month:%Y-%m}"


@extend_schema_field({"type": "string", "format": "decimal", "example": "40.00"})
class MoneyField(serializers.CharField):
    """An amount as a decimal string, passed to the service as typed (the service judges it)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2024-03"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM" (a full date is taken as its month); the first day of that month inside."""

    default_error_messages = {"invalid": _("Enter a month such as 2024-03.")}

    def to_internal_value(self, data: Any) -> dt.date:
        text = str(data).strip()
        try:
            day = parse_date(text if len(text) > 7 else f"{text}-01")
        except DateError:
            day = None
        if day is None:
            self.fail("invalid")
        return day.replace(day=1)  # type: ignore[union-attr]

    def to_representation(self, value: dt.date) -> str:
        return month_text(value)


# --- assessments ---------------------------------------------------------------------------------------------

class AssessmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="member.org.code", read_only=True, allow_null=True, default=None)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = DuesAssessment
        fields = ["id", "member", "member_name", "org", "year", "category", "category_label", "base",
                  "monthly_amount", "rule", "approval", "assessed_on", "version"]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    """What `services.assess` takes: the monthly amount comes from the rules (base) or is given (amount)."""

    member = serializers.IntegerField()
    year = serializers.IntegerField()
    category = serializers.CharField(max_length=32)
    base = MoneyField(required=False, allow_null=True)
    amount = MoneyField(required=False, allow_null=True)
    approval = serializers.CharField(required=False, allow_blank=True, default="", max_length=400)
    on = LenientDateField(required=False)
    version = serializers.IntegerField(
        required=False, min_value=0, default=0,
        help_text="The version of the member's assessment for that year as read (0 or absent: none was read). "
                  "Replacing an assessment changed since answers 409, naming who changed what.")


# --- payments ------------------------------------------------------------------------------------------------

class PaymentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    # Plain strings in the schema (an enum named "channel" would collide with the opinions' channels).
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    channel = serializers.CharField(read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    months = serializers.SerializerMethodField()

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "member_name", "org", "paid_on", "amount", "kind", "kind_label", "channel",
                  "channel_label", "paid_by", "receipt", "note", "months", "recorded_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=MonthField()))
    def get_months(self, payment: DuesPayment) -> list[str]:
        """The months covered (fetched with `prefetch_related("months")`)."""
        return sorted(month_text(m.month) for m in payment.months.all())


class PaymentCreateSerializer(serializers.Serializer):
    """What `services.record_payment` takes; a voluntary payment covers no month."""

    member = serializers.IntegerField()
    paid_on = LenientDateField()
    months = serializers.ListField(child=MonthField(), required=False, default=list)
    amount = MoneyField()
    kind = serializers.CharField(required=False, default="regular", max_length=12)
    channel = serializers.CharField(required=False, default="cash", max_length=12)
    paid_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    receipt = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=400)


class PaymentLineSerializer(serializers.Serializer):
    """A payment as the ledger and the statement show it (`selectors.PaymentLine`)."""

    id = serializers.IntegerField()
    member_id = serializers.IntegerField()
    paid_on = serializers.DateField()
    kind = serializers.CharField()
    amount = decimal()
    channel = serializers.CharField()
    paid_by = serializers.CharField()
    receipt = serializers.CharField()
    note = serializers.CharField()
    months = serializers.ListField(child=MonthField())
    back_months = serializers.IntegerField()
    many_back_months = serializers.BooleanField()
    to_centre = serializers.BooleanField()


# --- remittances ---------------------------------------------------------------------------------------------

class RemittanceSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    to_org = serializers.CharField(source="to_org.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Remittance
        fields = ["id", "org", "to_org", "remitted_on", "period_start", "period_end", "amount", "note"]
        read_only_fields = fields


class RemittanceCreateSerializer(serializers.Serializer):
    """What `services.record_remittance` takes; `to_org` defaults to the parent organization."""

    org = serializers.CharField(max_length=32)
    to_org = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=32)
    remitted_on = LenientDateField()
    period_start = LenientDateField()
    period_end = LenientDateField()
    amount = MoneyField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=400)


# --- the ledger, the totals, the statement ---------------------------------------------------------------------

class LedgerRowSerializer(serializers.Serializer):
    """One member of a branch's ledger in a month (`selectors.LedgerRow`)."""

    member_id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    monthly_amount = decimal(null=True)
    belonged = serializers.BooleanField()
    month_paid = serializers.BooleanField()
    month_paid_on = serializers.DateField(allow_null=True)
    month_payment_id = serializers.IntegerField(allow_null=True)
    payments = PaymentLineSerializer(many=True)
    received = decimal()


class FiguresSerializer(serializers.Serializer):
    assessed = decimal()
    collected = decimal()
    regular = decimal()
    back = decimal()
    voluntary = decimal()
    to_centre = decimal()
    remitted = decimal()


class OrgFiguresSerializer(FiguresSerializer):
    org_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class TotalsSerializer(FiguresSerializer):
    """`selectors.totals` of a subtree and a period, with the same figures per organization."""

    start = serializers.DateField()
    end = serializers.DateField()
    by_org = OrgFiguresSerializer(many=True)


class LedgerTotalsSerializer(serializers.Serializer):
    month = TotalsSerializer()
    year = TotalsSerializer()


class LedgerSerializer(serializers.Serializer):
    org = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    rows = LedgerRowSerializer(many=True)
    paid_count = serializers.IntegerField()
    totals = LedgerTotalsSerializer()


class StatementMonthSerializer(serializers.Serializer):
    month = MonthField()
    belonged = serializers.BooleanField()
    assessed = decimal(null=True)
    paid = serializers.BooleanField()
    paid_on = serializers.DateField(allow_null=True)
    payment_id = serializers.IntegerField(allow_null=True)
    amount = decimal(null=True)
    kind = serializers.CharField()
    paid_by = serializers.CharField()


class StatementSerializer(serializers.Serializer):
    """`selectors.statement` of a member and a year; `overdue`: the unpaid months before `as_of`."""

    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.name")
    year = serializers.IntegerField()
    assessment = AssessmentSerializer(allow_null=True)
    months = StatementMonthSerializer(many=True)
    assessed_total = decimal()
    paid_total = decimal()
    unpaid = serializers.ListField(child=MonthField())
    overdue = serializers.ListField(child=MonthField())
    voluntary = PaymentLineSerializer(many=True)
    voluntary_total = decimal()
