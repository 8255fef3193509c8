from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from django.contrib.auth.models import AnonymousUser

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
