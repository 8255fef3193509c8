"""What the points API shows and accepts. Points leave as decimal strings ("2.00"); points given come in as text
and are judged by the service (which names the field of what is wrong)."""

from __future__ import annotations

from rest_framework import serializers

from grassroots.ui.api import LenientDateField

from .models import ExemptionReason, PointEntry, PointExemption, PointScheme
from .schemes import item_label


def decimal() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2)


class EntrySerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    item_label = serializers.SerializerMethodField()
    quantity = decimal()
    points = decimal()

    class Meta:
        model = PointEntry
        fields = ["id", "org", "member", "member_name", "item", "item_label", "day", "year", "quantity", "points",
                  "scheme", "text", "url", "status", "manual", "reason", "decided_at", "decided_by", "version"]
        read_only_fields = fields

    def get_item_label(self, obj: PointEntry) -> str:
        return item_label(obj.item)


class GiveSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    item = serializers.CharField(max_length=60)
    day = LenientDateField()
    points = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=300, allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ItemSpecSerializer(serializers.Serializer):
    points = serializers.CharField(max_length=12)
    cap = serializers.CharField(max_length=12, allow_null=True, required=False)
    label_zh = serializers.CharField(max_length=60, required=False)
    label_en = serializers.CharField(max_length=60, required=False)


class SchemeParamsSerializer(serializers.Serializer):
    base = serializers.CharField(max_length=12)
    floor = serializers.CharField(max_length=12)
    reset = serializers.CharField(max_length=12, required=False)
    exempt = serializers.ListField(child=serializers.ChoiceField(choices=["retired", "mobile", "sick"]))
    items = serializers.DictField(child=ItemSpecSerializer())


class SchemeSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    params = SchemeParamsSerializer(read_only=True)

    class Meta:
        model = PointScheme
        fields = ["id", "org", "effective_from", "params", "note", "version"]
        read_only_fields = fields


class SchemeCreateSerializer(serializers.Serializer):
    org = serializers.CharField(max_length=32)
    effective_from = LenientDateField()
    params = serializers.JSONField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class ExemptionSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = PointExemption
        fields = ["id", "org", "member", "member_name", "reason", "start", "end", "note"]
        read_only_fields = fields


class ExemptionCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(choices=ExemptionReason.choices)
    start = LenientDateField()
    end = LenientDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TotalRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    org_name = serializers.CharField()
    base = decimal()
    earned = decimal()
    deducted = decimal()
    total = decimal()
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()


class PointTotalsSerializer(serializers.Serializer):
    org = serializers.CharField()
    year = serializers.IntegerField()
    rows = TotalRowSerializer(many=True)


class RankingRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    total = decimal()


class RankingSerializer(serializers.Serializer):
    org = serializers.CharField()
    year = serializers.IntegerField()
    rows = RankingRowSerializer(many=True)


class LineSerializer(serializers.Serializer):
    entry = EntrySerializer()
    item_label = serializers.CharField(source="label")
    counts = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)


class PointStatementSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    year = serializers.IntegerField()
    scheme = serializers.CharField(source="scheme.cite")
    base = serializers.DecimalField(source="scheme.base", max_digits=10, decimal_places=2)
    floor = serializers.DecimalField(source="scheme.floor", max_digits=10, decimal_places=2)
    earned = decimal()
    deducted = decimal()
    total = decimal()
    floored = serializers.BooleanField()
    pending = serializers.IntegerField()
    lines = LineSerializer(many=True)


class ProposeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100)


class ProposedSerializer(serializers.Serializer):
    proposed = serializers.IntegerField()


class RankingSettingSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class RankingSettingOutSerializer(serializers.Serializer):
    org = serializers.CharField(source="org.code")
    ranking_enabled = serializers.BooleanField()
    version = serializers.IntegerField()


class OptInSerializer(serializers.Serializer):
    opted_in = serializers.BooleanField()
