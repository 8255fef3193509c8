"""`{% recent_imports url as jobs %}`: the reader's own import jobs of the last days made on the upload page at
`url`, newest first, so that a page left during a long dry run can be found again."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from grassroots.ui.jobs import flow_of
from grassroots.ui.models import ImportJob

register = template.Library()
RECENT = dt.timedelta(days=7)
SHOWN = 5


@register.simple_tag(takes_context=True)
def recent_imports(context: template.Context, url: str) -> list[ImportJob]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    jobs = ImportJob.objects.filter(user=user, created_at__gte=timezone.now() - RECENT).select_related("org")
    found: list[ImportJob] = []
    for job in jobs[:50]:
        try:
            same = flow_of(job).upload_url(job.org) == url
        except (ImportError, AttributeError, ValueError):  # a flow that is no more
            same = False
        if same:
            found.append(job)
            if len(found) == SHOWN:
                break
    return found
