"""What the meetings API reads and writes (`api.py`): meetings, their attendance, and the duties grid.

The write serializers check types only; the rules (a date not in the future, leave with a reason, attendees
who are members of the organization on the day, class hours for study kinds only, ...) are the service's, and
a broken one reaches the API's exception handler as 400 {"field", "detail"}.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.ui.api import LenientDateField

from .models import Attachment, Attendance, Meeting, MeetingKind, Presence
from .selectors import DutyState


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting as the lists show it."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Meeting
        fields = ["id", "org", "org_name", "kind", "kind_label", "date", "topic", "place", "host", "study_hours",
                  "quorate", "entered_late", "recorded_by", "recorded_at", "version"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    """One member's attendance at a meeting."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    presence_label = serializers.CharField(source="get_presence_display", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "presence", "presence_label", "reason"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "caption", "uploaded_at"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    """One meeting with its minutes, its attendance (by name) and its attachments."""

    attendance = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "minutes", "attendance", "attachments"]
        read_only_fields = fields

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendance(self, meeting: Meeting) -> list[dict[str, Any]]:
        rows = meeting.attendance.select_related("member").order_by("member__name", "member_id")
        return list(AttendanceSerializer(rows, many=True).data)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, meeting: Meeting) -> list[dict[str, Any]]:
        return list(AttachmentSerializer(meeting.attachments.order_by("uploaded_at", "id"), many=True).data)


class AttendanceWriteSerializer(serializers.Serializer):
    """A member (by id) and their presence; leave needs a reason."""

    member = serializers.IntegerField()
    presence = serializers.ChoiceField(choices=Presence.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AttendanceUpdateSerializer(serializers.Serializer):
    """Attendance to set: the members given get the presence given, the others stay as recorded. `version` is the
    meeting's as read: when the meeting changed since, nothing is written (409)."""

    attendance = AttendanceWriteSerializer(many=True)
    version = serializers.IntegerField(min_value=1, help_text=_(
        "The meeting's version as read (GET); a stale one is refused with 409 naming who changed what since"))


class MeetingCreateSerializer(serializers.Serializer):
    """A meeting to record for an organization (by code) with its attendance; a past date is fine (the meeting is
    marked as entered late). Class hours, in tenths, only for study sessions and Party lectures."""

    org = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    date = LenientDateField()
    topic = serializers.CharField(allow_blank=True)
    place = serializers.CharField(required=False, allow_blank=True, default="")
    host = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    study_hours = serializers.CharField(required=False, allow_blank=True, default="0")
    attendance = AttendanceWriteSerializer(many=True, required=False, default=list)


class DutyMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()


class DutySerializer(serializers.Serializer):
    """One duty period of one unit (`selectors.duties`): `rule` is the cite of the rule version that judges it,
    `kind` the kind of meeting that meets it, `state` as `selectors.duty_state` judges it on the day asked,
    `meetings` those that meet it and `held` every meeting of its kind in the period (quorate or not)."""

    org = serializers.CharField()
    org_name = serializers.CharField()
    rule = serializers.CharField()
    rule_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due = serializers.DateField()
    needs_quorum = serializers.BooleanField()
    state = serializers.ChoiceField(choices=[(s.value, s.value) for s in DutyState])
    meetings = DutyMeetingSerializer(many=True)
    held = DutyMeetingSerializer(many=True)


class DutiesSerializer(serializers.Serializer):
    org = serializers.CharField()
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    duties = DutySerializer(many=True)
