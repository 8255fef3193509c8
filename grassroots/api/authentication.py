"""HTTP Basic for the API, counted and locked like the login page (django-axes).

Django REST framework's `BasicAuthentication` already passes the request to `authenticate()`, so django-axes'
backend counts each wrong password and refuses a locked account or address. What it cannot do for the API is
answer: its middleware sees only Django's request, while the lock is marked on REST framework's. So a login
refused by a lock here raises `Throttled`: 429 with Retry-After and {"detail": the reason}, instead of the
401 "Invalid username/password." that would hide it.
"""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.authentication import BasicScheme
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication
from rest_framework.request import Request

from grassroots.access.logins import lockout_message, remaining


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self, detail: str, wait: int) -> None:
        super().__init__(detail, self.default_code)
        self.wait = wait  # REST framework's handler turns it into Retry-After


class ThrottledBasicAuthentication(BasicAuthentication):
    def authenticate_credentials(self, userid: str, password: str, request: Request | None = None) -> Any:
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                credentials = {"username": userid}
                raise LockedOut(lockout_message(request, credentials),
                                wait=math.ceil(remaining(request, credentials).total_seconds())) from None
            raise


class ThrottledBasicScheme(BasicScheme):
    """The OpenAPI schema names it as plain HTTP Basic (`basicAuth`), which it is."""

    target_class = "grassroots.api.authentication.ThrottledBasicAuthentication"
