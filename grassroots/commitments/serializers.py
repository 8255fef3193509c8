"""What the commitments API shows and accepts. Dates come in as people type them (`LenientDateField`); every
write is judged by the services, whose RuleError is a 400 naming the field."""

from __future__ import annotations

from rest_framework import serializers

from grassroots.ui.api import LenientDateField

from .models import Commitment, Progress


class ProgressSerializer(serializers.ModelSerializer):
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Progress
        fields = ["id", "commitment", "date", "text", "has_photo", "recorded_at"]
        read_only_fields = fields

    def get_has_photo(self, obj: Progress) -> bool:
        return bool(obj.photo)


class CommitmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "member", "member_name", "org", "year", "level", "level_label", "theme", "text", "deadline",
                  "made_on", "on_behalf", "state", "result", "result_label", "result_note", "result_on",
                  "withdrawn_on", "withdraw_reason", "version"]
        read_only_fields = fields


class CommitmentCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    year = serializers.IntegerField(min_value=1921, max_value=2100)
    level = serializers.CharField(max_length=20)
    theme = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=1000)
    deadline = LenientDateField()
    made_on = LenientDateField(required=False, allow_null=True, default=None)


class CommitmentEditSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    level = serializers.CharField(max_length=20)
    theme = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=1000)
    deadline = LenientDateField()


class ResultSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    result = serializers.CharField(max_length=12)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    on = LenientDateField(required=False, allow_null=True, default=None)


class WithdrawSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)
    on = LenientDateField(required=False, allow_null=True, default=None)


class ProgressCreateSerializer(serializers.Serializer):
    commitment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    date = LenientDateField()
    text = serializers.CharField(max_length=1000)
