"""What the volunteer-service API shows and accepts. Personal data leaves masked (a reveal is its own POST, logged);
hours leave as decimal strings ("2.5") and come in as text the services judge."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from grassroots.ui.api import LenientDateField

from .models import Activity, Certificate, Correction, Participation, SelfReport, Volunteer, VolunteerTeam


class VolTeamSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = VolunteerTeam
        fields = ["id", "org", "code", "name", "captain", "tenet", "founded_on", "active", "version"]
        read_only_fields = fields


class VolTeamCreateSerializer(serializers.Serializer):
    org = serializers.CharField(max_length=30)
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=100)
    captain = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    tenet = serializers.CharField(required=False, allow_blank=True, default="")
    founded_on = LenientDateField(required=False, allow_null=True, default=None)


class VolTeamUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version read: a stale one is refused (409)"))
    code = serializers.CharField(max_length=30, required=False)
    name = serializers.CharField(max_length=100, required=False)
    captain = serializers.CharField(max_length=50, required=False, allow_blank=True)
    tenet = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class VolunteerSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    kind = serializers.SerializerMethodField()
    document_type = serializers.CharField(read_only=True)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "org", "number", "member", "name", "kind", "document_type", "id_number_masked",
                  "phone_masked", "skills", "availability", "registered_on", "left_on", "version"]
        read_only_fields = fields

    def get_kind(self, obj: Volunteer) -> str:
        return "member" if obj.member_id else "resident"


class VolunteerCreateSerializer(serializers.Serializer):
    org = serializers.CharField(max_length=30)
    member = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    id_type = serializers.CharField(max_length=16, required=False, default="resident_id")
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    skills = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    availability = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    registered_on = LenientDateField()
    number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class VolRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])


class VolRevealedSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class VolActivitySerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "org", "team", "team_name", "series", "title", "content", "place", "starts_at", "ends_at",
                  "organizer", "capacity", "cancelled", "version"]
        read_only_fields = fields


class VolActivityCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=150)
    content = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    organizer = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class VolSignUpSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(min_value=1)


class VolParticipationSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.display_name", read_only=True)
    volunteer_number = serializers.CharField(source="volunteer.number", read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True, read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "activity", "volunteer", "volunteer_name", "volunteer_number", "state", "on_behalf",
                  "checked_in_at", "actual_start", "actual_end", "hours", "confirmed_on", "version"]
        read_only_fields = fields


class VolAttendanceSerializer(serializers.Serializer):
    present = serializers.BooleanField()
    actual_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    actual_end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField()


class VolVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class VolReportSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.display_name", read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = SelfReport
        fields = ["id", "volunteer", "volunteer_name", "day", "hours", "content", "place", "state", "decided_on",
                  "answer", "version"]
        read_only_fields = fields


class VolReportCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(min_value=1)
    day = LenientDateField()
    hours = serializers.CharField(max_length=10)
    content = serializers.CharField(max_length=300)
    place = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class VolDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    answer = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class VolCorrectionSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.display_name", read_only=True)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = Correction
        fields = ["id", "volunteer", "volunteer_name", "participation", "report", "hours", "reason", "requested_on",
                  "state", "decided_on", "answer", "version"]
        read_only_fields = fields


class VolCorrectionCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(min_value=1)
    participation = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    report = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    hours = serializers.CharField(max_length=10)
    reason = serializers.CharField(max_length=300)


class VolCertificateSerializer(serializers.ModelSerializer):
    issuer = serializers.CharField(source="org.code", read_only=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "number", "volunteer", "issuer", "issued_on", "period_start", "period_end", "hours",
                  "person_in_charge", "handler", "contact", "notes"]
        read_only_fields = fields


class VolCertificateCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(min_value=1)
    period_start = LenientDateField()
    period_end = LenientDateField()
    person_in_charge = serializers.CharField(max_length=50)
    handler = serializers.CharField(max_length=50)
    contact = serializers.CharField(max_length=50)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
