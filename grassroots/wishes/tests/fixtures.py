"""Helpers of the wishes tests: a wish of branch A (or the street S, or branch C) in any state, written through
the services as the system."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting

DAY = dt.date(2024, 3, 4)


def intake_on(org: Any) -> Any:
    from grassroots.wishes import services

    with acting(None, "system"):
        return services.set_intake(org, enabled=True)


def make_wish(org: Any, *, state: str = "collected", member: Any = None, day: dt.date = DAY,
              name: str = "张阿姨", phone: str = "13912345678", text: str = "想要一台收音机") -> Any:
    """A wish of `org` brought to `state` (claimed by `member` when it gets that far)."""
    from grassroots.wishes import services

    with acting(None, "system"):
        wish = services.record_wish(org, text=text, resident_name=name, resident_phone=phone, category="daily",
                                    place="东风社区3栋", collected_on=day)
        if state == "collected":
            return wish
        if state == "declined":
            return services.decline(wish, reason="不属于微心愿范围", on=day)
        wish = services.publish(wish, on=day)
        if state == "published":
            return wish
        wish = services.claim(wish, member=member, on=day + dt.timedelta(days=1))
        if state == "claimed":
            return wish
        wish = services.fulfil(wish, note="送去了收音机", on=day + dt.timedelta(days=3))
        if state == "fulfilled":
            return wish
        return services.confirm_for_resident(wish, on=day + dt.timedelta(days=4))
