"""What the API's own views show: the audit entries. Each domain's serializers live in its app."""

from __future__ import annotations

from rest_framework import serializers

from grassroots.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor_id", "actor_name", "channel", "action", "object_type", "object_id",
                  "object_repr", "org_id", "changes", "hash"]
        read_only_fields = fields
