"""What recruitment's API reads and writes (the endpoints are in `api.py`).

Reads: a candidate with its dated steps, its training contacts and introducers and its branch votes; the ID
number and the phone leave masked, as on the page. Writes: one serializer per service the endpoints call,
named as the service's arguments are, so a RuleError's field is the field the client sent.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.core import idnumber
from grassroots.members.models import HAN, Education, Member, Occupation, Sex
from grassroots.ui.api import LenientDateField

from .models import BranchVote, Candidate, CandidateStep, ContactRole, Sponsor, StepKind, VotePurpose
from .services import TAKEN_KINDS, probation_end

# --- reads ------------------------------------------------------------------------------------------------


class StepSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CandidateStep
        fields = ["id", "kind", "kind_label", "date", "end_date", "details", "note", "recorded_at"]
        read_only_fields = fields


class SponsorSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Sponsor
        fields = ["id", "role", "member", "member_name", "since", "until"]
        read_only_fields = fields


class VoteSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    entitled: serializers.PrimaryKeyRelatedField[Member] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Ids of the full members entitled to vote that day"))
    attended: serializers.PrimaryKeyRelatedField[Member] = serializers.PrimaryKeyRelatedField(many=True,
                                                                                             read_only=True)
    written: serializers.PrimaryKeyRelatedField[Member] = serializers.PrimaryKeyRelatedField(many=True,
                                                                                            read_only=True)

    class Meta:
        model = BranchVote
        fields = ["id", "purpose", "org", "date", "entitled", "attended", "written", "yes", "no", "abstain",
                  "quorate", "passed", "rule", "minutes", "recorded_at"]
        read_only_fields = fields


class CandidateSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.SerializerMethodField()
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    probation_end = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)
    sponsors = SponsorSerializer(many=True, read_only=True)
    votes = VoteSerializer(many=True, read_only=True)

    class Meta:
        model = Candidate
        fields = ["id", "name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "occupation",
                  "org", "org_name", "stage", "stage_label", "applied_on", "activist_on", "target_on",
                  "admitted_on", "converted_on", "probation_end", "closed_on", "close_reason", "member", "steps",
                  "sponsors", "votes"]
        read_only_fields = fields

    def get_phone(self, candidate: Candidate) -> str:
        return idnumber.mask_phone(candidate.phone)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_probation_end(self, candidate: Candidate) -> dt.date | None:
        """One year from the admitting meeting, plus any extension; null before admission."""
        return probation_end(candidate)


# --- writes -----------------------------------------------------------------------------------------------


class ApplicationSerializer(serializers.Serializer):
    """`services.candidate_apply`: an application received by a branch."""

    name = serializers.CharField(max_length=50)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = LenientDateField()
    id_number = serializers.CharField(max_length=18)
    ethnicity = serializers.CharField(max_length=20, required=False, default=HAN)
    education = serializers.ChoiceField(choices=Education.choices)
    occupation = serializers.ChoiceField(choices=Occupation.choices)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    org = serializers.CharField(max_length=32, help_text=_("Code of the branch that received the application"))
    applied_on = LenientDateField()


class StepRecordSerializer(serializers.Serializer):
    """`services.candidate_take_step`: a dated step (the notice, sponsors and votes have endpoints of their own)."""

    kind = serializers.ChoiceField(choices=[(k, StepKind(k).label) for k in TAKEN_KINDS])
    on = LenientDateField()
    end_date = LenientDateField(required=False, allow_null=True, default=None,
                                help_text=_("For concentrated training: its last day."))
    hours = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=1000,
                                     help_text=_("For concentrated training."))
    months = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text=_("For an extension of the probation."))
    special = serializers.BooleanField(required=False, default=False,
                                       help_text=_("Special case (approval within 6 months)"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300,
                                 help_text=_("Note or reason"))


class NoticeRecordSerializer(serializers.Serializer):
    """`services.candidate_publish_notice`: the public notice, first and last day included."""

    start = LenientDateField()
    end = LenientDateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SponsorAssignSerializer(serializers.Serializer):
    """`services.candidate_assign_sponsors`: training contacts or introducers from `on`."""

    role = serializers.ChoiceField(choices=ContactRole.choices)
    members = serializers.ListField(child=serializers.IntegerField(), help_text=_("Ids of full members"))
    on = LenientDateField()


class VoteRecordSerializer(serializers.Serializer):
    """`services.branch_vote_record`: the branch general meeting's vote; quorum and result are computed."""

    purpose = serializers.ChoiceField(choices=VotePurpose.choices)
    on = LenientDateField()
    attended = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                     help_text=_("Ids of the entitled members who attended"))
    written = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                    help_text=_("Ids of absent entitled members who gave a written opinion"))
    yes = serializers.IntegerField(min_value=0)
    no = serializers.IntegerField(min_value=0)
    abstain = serializers.IntegerField(min_value=0)
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
