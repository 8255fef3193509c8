"""Helpers shared by the page tests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client


def client_as(cast: Any, role: str) -> Client:
    """A client logged in as the cast's `role` ("anonymous": not logged in), reading pages in English (the
    tests assert English messages)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role != "anonymous":
        client.force_login(cast.users[role])
    return client
