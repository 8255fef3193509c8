"""The in-service members' API shapes (phones masked; the full phone is a logged reveal)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grassroots.core import idnumber
from grassroots.ui.api import LenientDateField

from .models import Report, Service


class InsReportSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    community_org = serializers.CharField(source="community_org.code", read_only=True)
    home_org = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    grid = serializers.SerializerMethodField()
    post: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "version", "member", "member_name", "home_org", "community_org", "date", "first", "mobile",
                  "address", "workplace", "phone", "skills", "offers", "activities", "state", "decided_on",
                  "decline_reason", "grid", "post"]
        read_only_fields = fields

    def get_home_org(self, r: Report) -> str | None:
        return r.home_org.code if r.home_org else None

    def get_phone(self, r: Report) -> str:
        return idnumber.mask_phone(r.phone)

    def get_grid(self, r: Report) -> str | None:
        return r.grid.territory.code if r.grid else None


class InsReportCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    community_org = serializers.CharField(max_length=32, help_text=_("Code of the community's organization"))
    on = LenientDateField()
    first = serializers.BooleanField(required=False, default=False)
    skills = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    offers = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    workplace = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    activities = serializers.CharField(required=False, allow_blank=True, default="")


class InsDecideSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    on = LenientDateField()
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class InsAssignSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    grid = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Code of the grid's place"))
    post = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                    max_value=2**31 - 1)


class InsServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "version", "report", "day", "activity", "hours", "evaluation", "logged_on"]
        read_only_fields = fields


class InsServiceCreateSerializer(serializers.Serializer):
    day = LenientDateField()
    activity = serializers.CharField(max_length=200)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    evaluation = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


class InsRevealedSerializer(serializers.Serializer):
    phone = serializers.CharField()

    def to_representation(self, instance: Any) -> Any:
        return {"phone": instance}
