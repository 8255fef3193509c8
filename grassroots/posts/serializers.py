"""What the posts API shows and accepts. Writes are read here only for their shape; the services judge them."""

from __future__ import annotations

from rest_framework import serializers

from grassroots.ui.api import LenientDateField

from .models import ClaimState, Post, PostClaim, PostKind


class KindSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = PostKind
        fields = ["id", "org", "name", "name_en", "description", "preset", "active", "version"]
        read_only_fields = fields


class KindCreateSerializer(serializers.Serializer):
    org = serializers.CharField(max_length=32, help_text="The organization's code")
    name = serializers.CharField(max_length=50)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class KindUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    name = serializers.CharField(max_length=50, required=False)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class PresetSerializer(serializers.Serializer):
    org = serializers.CharField(max_length=32, help_text="The organization's code")
    preset = serializers.ChoiceField(choices=["seed004", "wulan"])


class PostSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True)
    kind = serializers.IntegerField(source="kind_id", read_only=True)
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    territory = serializers.IntegerField(source="territory_id", read_only=True, allow_null=True)
    filled = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "org", "kind", "kind_name", "title", "duties", "seats", "filled", "waiting", "term_start",
                  "term_end", "territory", "place", "version"]
        read_only_fields = fields


class PostWriteSerializer(serializers.Serializer):
    kind = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(max_length=100)
    duties = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    seats = serializers.IntegerField(min_value=1, max_value=999, default=1)
    term_start = LenientDateField()
    term_end = LenientDateField(required=False, allow_null=True, default=None)
    territory = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                         default=None)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PostCreateSerializer(PostWriteSerializer):
    org = serializers.CharField(max_length=32, help_text="The organization's code")


class PostUpdateSerializer(PostWriteSerializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


class ClaimSerializer(serializers.ModelSerializer):
    post_title = serializers.CharField(source="post.title", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    state = serializers.ChoiceField(choices=ClaimState.choices, read_only=True)

    class Meta:
        model = PostClaim
        fields = ["id", "post", "post_title", "member", "member_name", "state", "claimed_on", "on_behalf", "note",
                  "decided_on", "approved_on", "reason", "ended_on", "version"]
        read_only_fields = fields


class ClaimCreateSerializer(serializers.Serializer):
    post = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    claimed_on = LenientDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClaimDecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    on = LenientDateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
