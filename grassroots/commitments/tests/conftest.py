"""Helpers for the commitments tests: commitments of 2024 (in the past), made as the system or as a role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting

D = dt.date
YEAR = 2024
END = D(YEAR, 12, 31)
MARCH = D(YEAR, 3, 1)
REVIEW = D(YEAR + 1, 1, 10)


def make(member: Any, *, user: Any = None, level: str = "common", theme: str = "", text: str = "带头遵守居民公约",
         deadline: dt.date = END, made_on: dt.date = MARCH, year: int = YEAR) -> Any:
    from grassroots.commitments.services import commitment_make

    with acting(user, "web" if user else "system"):
        return commitment_make(member, year=year, level=level, theme=theme, text=text, deadline=deadline,
                               made_on=made_on)


def set_result(c: Any, result: str = "kept", *, note: str = "", on: dt.date = REVIEW,
               user: Any = None) -> Any:
    from grassroots.commitments.services import result_set

    with acting(user, "web" if user else "system"):
        return result_set(c, version=c.version, result=result, note=note or ("" if result == "kept" else "未完成"),
                          on=on)
