"""What the API's own views show: the audit entries. Each domain's serializers live in its app.

`RevealedSerializer` is the members' (one class, so the schema names one component); it is imported here for
the opinions' API until that moves into its app."""

from __future__ import annotations

from rest_framework import serializers

from grassroots.core.models import AuditEntry
from grassroots.members.serializers import RevealedSerializer

__all__ = ["AuditEntrySerializer", "RevealedSerializer"]


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor_id", "actor_name", "channel", "action", "object_type", "object_id",
                  "object_repr", "org_id", "changes", "hash"]
        read_only_fields = fields
