"""The progress of practical projects, in exact arithmetic (`fractions.Fraction`), rounded only for display.

- A leaf project's progress is its latest progress report's per cent on the day (0 with none), and 100 once it is
  done (a project marked done is done whatever the last report said).
- A parent's progress is never typed: it is the weighted roll-up of its sub-projects' progress,
  sum(weight × progress) / sum(weight). A sub-project dropped counts with weight 0, and a weight-0 part is ignored
  (the services refuse a weight below 1, so a dropped one is the only weight-0 part). A parent whose sub-projects
  are all dropped has no sub-project that counts: its progress is 0 (100 when it is itself done).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

HUNDRED = Fraction(100)


def rollup(parts: Iterable[tuple[int, Fraction]]) -> Fraction | None:
    """sum(weight × progress) / sum(weight) over the parts of weight above 0; None when no part counts. A negative
    weight is an error."""
    total_w = 0
    total = Fraction(0)
    for weight, value in parts:
        if weight < 0:
            raise ValueError("a weight is never negative")
        if weight == 0:
            continue
        total_w += weight
        total += weight * Fraction(value)
    if total_w == 0:
        return None
    return total / total_w


def display(value: Fraction | None, places: int = 0) -> str:
    """A per cent for the page, rounded half up (`12.5` → `13`); "" for None."""
    if value is None:
        return ""
    q = Decimal(10) ** -places
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(q, rounding=ROUND_HALF_UP))


def tree_progress(projects: Iterable[Any], latest: dict[int, int], day: dt.date | None = None) -> dict[int, Fraction]:
    """Progress by project id for `projects` (every project of the trees concerned: each parent with all its
    sub-projects), `latest` being each leaf's latest reported per cent (on `day`). A project done on or before
    `day` (or done at all, with no day) is at 100."""
    rows = list(projects)
    children: dict[int | None, list[Any]] = defaultdict(list)
    for p in rows:
        children[p.parent_id].append(p)
    out: dict[int, Fraction] = {}

    def done(p: Any) -> bool:
        return p.status == "done" and p.done_on is not None and (day is None or p.done_on <= day)

    def dropped(p: Any) -> bool:
        return p.status == "dropped"

    def value(p: Any) -> Fraction:
        if p.pk in out:
            return out[p.pk]
        kids = children.get(p.pk, [])
        if done(p):
            v = HUNDRED
        elif kids:
            v = rollup((0 if dropped(k) else k.weight, value(k)) for k in kids) or Fraction(0)
        else:
            v = Fraction(latest.get(p.pk, 0))
        out[p.pk] = v
        return v

    for p in rows:
        value(p)
    return out
