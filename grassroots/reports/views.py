"""Reports to download: the annual summary of an organization as a Word document.

Thin: the organization comes from `scope_for(request.user).orgs()` (out of scope: 404); the figures from
`reports.annual`, the document from `reports.docx`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from grassroots.access.scope import scope_for
from grassroots.reports.annual import annual_summary
from grassroots.reports.docx import DOCX_CONTENT_TYPE, write_docx
from grassroots.ui.forms import query_int


def annual_filename(code: str, year: int, language: str) -> str:
    return f"{code}-{year}-annual-summary{'-en' if language == 'en' else ''}.docx"


@login_required
@require_GET
def annual(request: HttpRequest, code: str) -> HttpResponse:
    """`?year=YYYY` (default: last year), `&lang=en` for English (default Chinese)."""
    org = get_object_or_404(scope_for(request.user).orgs(), code=code)
    last_year = timezone.localdate().year - 1
    year = query_int(request, "year", last_year, 1949, last_year + 1)
    language = "en" if request.GET.get("lang", "") == "en" else "zh-hans"
    content = write_docx(annual_summary(org, year), language)
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, annual_filename(org.code, year, language))
    return response
