"""What the members' API shows and accepts. ID numbers and phones only ever leave masked (the `reveal` action is
the one audited way to see them); input goes to the services, which check every rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grassroots.ui.api import LenientDateField

from . import lifecycle_services as lifecycle
from .models import EventKind, Member, MemberEvent, Transfer

# --- members and their events ------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True, allow_null=True, default=None)
    party_group = serializers.CharField(source="party_group.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Member
        fields = ["id", "name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "occupation",
                  "status", "standing", "joined_on", "converted_on", "org", "party_group", "mobile", "version"]
        read_only_fields = fields


class MemberUpdateSerializer(serializers.Serializer):
    """The fields `member_update` accepts; education and occupation change from `on` (default today). `version`
    is the one read with the member: when the record changed since, the update is refused (409) and nothing is
    written."""

    version = serializers.IntegerField(min_value=1, help_text=_(
        "The member's version as read (GET); a stale one is refused with 409 naming who changed what since"))
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


# --- transfers ---------------------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org = serializers.CharField(source="from_org.code", read_only=True)
    to_org = serializers.CharField(source="to_org.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "from_org", "to_org", "to_outside", "requested_on", "state",
                  "decided_on", "reason", "letter_number"]
        read_only_fields = fields


class TransferRequestSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("Id of a member you may change"))
    to_org = serializers.CharField(required=False, allow_blank=True, default="", max_length=32,
                                   help_text=_("Code of the receiving organization in the platform"))
    to_outside = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                       help_text=_("Name of a receiving organization outside the platform"))
    on = LenientDateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    letter_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class OnSerializer(serializers.Serializer):
    on = LenientDateField()


class ReturnSerializer(OnSerializer):
    reason = serializers.CharField(max_length=300)


# --- lifecycle decisions -----------------------------------------------------------------------------------


class MobileOutSerializer(OnSerializer):
    destination = serializers.CharField(max_length=200)
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class SuspendSerializer(OnSerializer):
    lost_contact_since = LenientDateField()
    decision = serializers.CharField(max_length=250)


class RestoreSerializer(OnSerializer):
    note = serializers.CharField(max_length=300)


class RemoveSerializer(OnSerializer):
    reason = serializers.ChoiceField(choices=lifecycle.REMOVAL_REASONS)
    decision = serializers.CharField(max_length=250)
    approved_on = LenientDateField()

