"""A fixed-window rate limit on Django's cache, for what the public may do without an account (submitting an
opinion, looking up or rating by tracking code, Open311 POSTs).

The cache is file-based in the data folder (settings.CACHES), so every gunicorn worker of one server counts
together; beyond one server, point CACHES at a shared cache (Redis or the database).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

# (limit, window in seconds) per action; overridable by settings.GRASSROOTS_RATE_LIMITS.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "opinion_submit": (5, 600),  # five opinions in ten minutes from one address
    "tracking_lookup": (20, 600),  # guessing tracking codes is slow: 20 tries in ten minutes
    "open311_post": (10, 600),
}


def limits(action: str) -> tuple[int, int]:
    configured = getattr(settings, "GRASSROOTS_RATE_LIMITS", {}) or {}
    limit, window = configured.get(action, DEFAULT_LIMITS[action])
    return int(limit), int(window)


def client_ip(request: Any) -> str:
    """The client's address: REMOTE_ADDR, or the last X-Forwarded-For hop when the server sits behind a proxy
    named in settings.GRASSROOTS_TRUSTED_PROXIES."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = getattr(settings, "GRASSROOTS_TRUSTED_PROXIES", ()) or ()
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in trusted and forwarded:
        return str(forwarded.split(",")[-1].strip())
    return remote


def allow(action: str, who: str) -> bool:
    """Count one attempt of `action` by `who`; False once the limit for the current window is passed."""
    limit, window = limits(action)
    key = f"ratelimit:{action}:{who}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        count = 1
    return count <= limit
