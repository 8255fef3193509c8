"""Who wants to know that a write touched an organization: `audit.record` (which every service write passes
through, with the org it concerns) calls `touched(org_id)`, and each listener registered with `listen` (the kept
findings, `grassroots.rules.stored`) is told. A listener must be cheap: it runs once per audit entry."""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[int], None]] = []


def listen(fn: Callable[[int], None]) -> None:
    if fn not in _listeners:
        _listeners.append(fn)


def touched(org_id: int | None) -> None:
    if org_id is None:
        return
    for fn in _listeners:
        fn(org_id)
