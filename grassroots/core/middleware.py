from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .context import acting


class ChannelMiddleware:
    """Marks every request as the web or the API channel, with its user, for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        # The anonymous user is passed as is (never None: None means the system itself).
        with acting(getattr(request, "user", None) or AnonymousUser(), channel):
            return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language with the switch (the language cookie).

    The browser's Accept-Language is not consulted for pages: many secretaries use phones set to English by
    default, and the interface is Chinese first. The API does honour Accept-Language (scripts ask for what
    they parse), and is Chinese without it.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        if chosen not in supported and request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META:
            # An API client that asks for a language by HTTP content negotiation gets it.
            chosen = translation.get_language_from_request(request)
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
