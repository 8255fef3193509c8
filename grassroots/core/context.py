"""Who is acting, and through which channel: set once per request, import or CLI command.

Services read these to stamp audit entries, so the channel never has to be passed by hand.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

CHANNELS = ("web", "api", "import", "cli", "system")

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("grassroots_actor", default=None)
_channel: contextvars.ContextVar[str] = contextvars.ContextVar("grassroots_channel", default="system")


def current_actor() -> Any:
    return _actor.get()


def current_channel() -> str:
    return _channel.get()


def set_actor(actor: Any) -> None:
    """Name the actor for the rest of the current context (the API does this once it has authenticated)."""
    _actor.set(actor)


@contextlib.contextmanager
def acting(actor: Any, channel: str) -> Iterator[None]:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    t1 = _actor.set(actor)
    t2 = _channel.set(channel)
    try:
        yield
    finally:
        _actor.reset(t1)
        _channel.reset(t2)
