"""What the organizations' API shows: an organization, the tree as of a date, a roster row (ID numbers masked)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Organization


class OrgSerializer(serializers.ModelSerializer):
    # DRF moves declared fields off the class, so this does not shadow `Field.parent` (the stubs think so).
    parent = serializers.CharField(source="parent_code", read_only=True, allow_null=True,  # type: ignore[assignment]
                                   help_text=_("Code of the parent organization"))
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = ["code", "name", "name_en", "kind", "parent", "founded_on", "revoked_on", "depth"]
        read_only_fields = fields


class RosterRowSerializer(serializers.Serializer):
    """One member of a roster, with the attributes in force on the roster's date."""

    member_id = serializers.IntegerField(source="member.id")
    name = serializers.CharField(source="member.name")
    sex = serializers.CharField(source="member.sex")
    id_number = serializers.CharField(source="member.id_number_masked")
    org = serializers.CharField(source="org.code")
    status = serializers.CharField()
    mobile = serializers.BooleanField()
    suspended = serializers.BooleanField()
    education = serializers.CharField()
    occupation = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class TreeNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    children = serializers.SerializerMethodField()

    def get_children(self, node: Any) -> list[dict[str, Any]]:
        return [TreeNodeSerializer(child).data for child in node.children]
