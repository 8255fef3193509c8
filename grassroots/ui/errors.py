"""Errors as pages in the site's frame and the user's language, with the reason and a way back.

- `DomainErrorMiddleware`: a service's `PermissionDeniedError` that a view lets through is a 403 with its reason;
  any other `RuleError` a 400 with its reason. Views that put a RuleError back on a form catch it themselves.
- The 400, 403, 404 and 500 handlers (`handler400`... in the root URLconf) render `ui/error.html`. The API's
  errors are JSON: its own handler (`grassroots.api.exceptions`) does the same mapping there, and an address
  under /api/ that no API route matches (`/api/members/-1/`) gets these handlers' answer as JSON `{"detail"}`,
  the error shape the schema promises, not an HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from grassroots.core.errors import PermissionDeniedError, RuleError

TITLES = {
    400: lambda: _("The request could not be done"),
    403: lambda: _("You may not see or do this"),
    404: lambda: _("Page not found"),
    500: lambda: _("Something went wrong on our side"),
}


def _reason(exception: Any) -> str:
    if isinstance(exception, RuleError):
        return exception.message
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        return exception.args[0]
    return ""


def _back(request: HttpRequest) -> str:
    """The page the user came from, when it is one of ours (never a link to another site)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a disallowed Host header is itself the 400 being shown
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host},
                                                   require_https=request.is_secure()):
        return referer
    return ""


def error_page(request: HttpRequest, status: int, reason: str = "") -> HttpResponse:
    """The error page; a bare text answer if even the template fails (a 500 must always answer); JSON for the API."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": reason or str(TITLES.get(status, TITLES[400])())}, status=status)
    hints = {
        403: _("Your role does not reach this organization or record. Ask the organizer above you if you need it."),
        404: _("The address may be mistyped, or the record is outside your organizations."),
        500: _("The error was logged. Nothing was half-written: try again, or go back."),
    }
    context = {"status": status, "title": TITLES.get(status, TITLES[400])(), "reason": reason,
               "hint": hints.get(status, ""), "back": _back(request)}
    try:
        body = loader.render_to_string("ui/error.html", context, request=request)
    except Exception:  # noqa: BLE001 - the error page of last resort
        text = f"{status} {context['title']}\n{reason}"
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 400, _reason(exception))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 403, _reason(exception))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)


class DomainErrorMiddleware:
    """Turns a service's refusal that reached the view layer into the matching error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDeniedError):
            return error_page(request, 403, exception.message)
        if isinstance(exception, RuleError):
            return error_page(request, 400, exception.message)
        return None
