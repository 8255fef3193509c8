"""Kept parts of pages: the HTML (or JSON) a read-only view built, served again while nothing was written since.

A part is kept for one user, one address (path and query), one language and one day, under the *data mark*: the
audit chain's head (`core.audit.head_mark`), which every write through the services moves in its own transaction
(the brief: every write is audited), and, for a part showing kept findings, the findings' mark
(`rules.stored.freshness_mark`: the computations are not audited writes). When either moves, the key changes and
the part is built again: nothing is served that a committed write has changed, and there is no expiry to tune.

It is kept in the "pages" cache (settings.CACHES), by default in each web process's memory (bounded in entries
and time), so a restart or a new release starts empty. The part is never the page's frame: the frame carries the
session's CSRF token and the user's name, and is rendered on every request around the kept part. A part holding a
CSRF token is not kept (a form posting from it would carry another session's token).

`GRASSROOTS_KEPT_PAGES = False` turns it off (every part built on every request).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.http import HttpRequest
from django.utils import timezone, translation

from grassroots.core.audit import head_mark

ALIAS = "pages"
_MISSING = object()  # a kept part may be any value, None or "" too


def enabled() -> bool:
    return bool(getattr(settings, "GRASSROOTS_KEPT_PAGES", True)) and ALIAS in settings.CACHES


def _key(request: HttpRequest, part: str, marks: Iterable[Any]) -> str:
    user = getattr(request, "user", None)
    raw = "\x1f".join(str(x) for x in (
        part, getattr(user, "pk", ""), translation.get_language() or settings.LANGUAGE_CODE,
        timezone.localdate().isoformat(), request.get_full_path(), request.headers.get("HX-Target", ""),
        *head_mark(), *marks))
    return f"kept:{part}:{hashlib.sha256(raw.encode()).hexdigest()}"


def kept[T](request: HttpRequest, part: str, build: Callable[[], T], *,
            marks: Iterable[Any] | Callable[[], Iterable[Any]] = ()) -> T:
    """What `build()` makes for this request (HTML, or an API's data), kept under the data mark (and `marks`, e.g.
    the findings' mark, for what the audit does not mark; a callable is called only when parts are kept)."""
    if not enabled():
        return build()
    cache = caches[ALIAS]
    key = _key(request, part, marks() if callable(marks) else marks)
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    built = build()
    if not (isinstance(built, str) and "csrfmiddlewaretoken" in built):
        cache.set(key, built)
    return built


def forget_on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    """A setting changed while running (tests' override_settings; a server reads them once, at its start): what
    was kept may have been built under the old one."""
    if setting == "CACHES":  # Django makes the caches anew
        return
    try:
        caches[ALIAS].clear()
    except InvalidCacheBackendError:  # settings without it: nothing is kept
        pass
