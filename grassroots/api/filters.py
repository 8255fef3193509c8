"""Query-string filters of the API's own lists (the audit log). Each domain's filters live in its app."""

from __future__ import annotations

import django_filters

from grassroots.core.models import AuditEntry


class AuditFilter(django_filters.FilterSet):
    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "channel"]
