"""What the API shows and accepts. ID numbers and phones only ever leave masked (the `reveal` action is
the one audited way to see them); input goes to the services, which check every rule."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grassroots.core.models import AuditEntry
from grassroots.members.models import EventKind, Member, MemberEvent
from grassroots.orgs.models import Organization
from grassroots.ui.api import LenientDateField


class OrgSerializer(serializers.ModelSerializer):
    # DRF moves declared fields off the class, so this does not shadow `Field.parent` (the stubs think so).
    parent = serializers.CharField(source="parent_code", read_only=True, allow_null=True,  # type: ignore[assignment]
                                   help_text=_("Code of the parent organization"))
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = ["code", "name", "name_en", "kind", "parent", "founded_on", "revoked_on", "depth"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True, allow_null=True, default=None)
    party_group = serializers.CharField(source="party_group.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Member
        fields = ["id", "name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "occupation",
                  "status", "standing", "joined_on", "converted_on", "org", "party_group", "mobile"]
        read_only_fields = fields


class MemberUpdateSerializer(serializers.Serializer):
    """The fields `member_update` accepts; education and occupation change from `on` (default today)."""

    name = serializers.CharField(required=False, max_length=50)
    sex = serializers.CharField(required=False, max_length=1)
    ethnicity = serializers.CharField(required=False, max_length=20)
    birth_date = LenientDateField(required=False)
    id_number = serializers.CharField(required=False, max_length=30)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    education = serializers.CharField(required=False, max_length=24)
    occupation = serializers.CharField(required=False, max_length=32)
    party_group = serializers.CharField(required=False, allow_null=True, max_length=32,
                                        help_text=_("Code of a party group under the member's organization"))
    on = LenientDateField(required=False, help_text=_("Date from which education or occupation changed"))


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])


class RevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class MemberEventSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = MemberEvent
        fields = ["id", "kind", "date", "org", "details", "note", "recorded_at"]
        read_only_fields = fields


class MemberEventCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k for k in EventKind.values if k != EventKind.JOINED])
    date = LenientDateField()
    org = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=32,
                                help_text=_("Code of the organization the event names (a transfer's target)"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    details = serializers.DictField(required=False, default=dict)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor_id", "actor_name", "channel", "action", "object_type", "object_id",
                  "object_repr", "org_id", "changes", "hash"]
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
