"""What the API's own views show: the audit entries. Each domain's serializers live in its app."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from grassroots.core.idnumber import mask_personal
from grassroots.core.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor_id", "actor_name", "channel", "action", "object_type", "object_id",
                  "object_repr", "org_id", "changes", "hash"]
        read_only_fields = fields

    def to_representation(self, instance: AuditEntry) -> dict[str, Any]:
        """The entry as written, its ID numbers, phones and contacts masked (`changes` as on the audit page: the
        stored entry keeps what was written, which its hash covers)."""
        data: dict[str, Any] = super().to_representation(instance)
        data["changes"] = mask_personal(data.get("changes"))
        return data
