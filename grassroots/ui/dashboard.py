"""What a dashboard panel is given: the organization, the year, the day its figures stand on, and the organizations
of the subtree the user may read (to link to), read once for all the panels.

The frame (`web`, the dashboard page) builds one `DashboardFrame` per request and hands it to every registered
panel's context function (`core.modules.Panel`); a panel lives in its domain app (`<app>/dashboard.py` and
`<app>/templates/<app>/_dashboard.html`) and returns its figures, each with the link to the records behind it,
and its chart's data under "chart" (the shape static/js/dashboard.js reads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def as_of_for(year: int, today: dt.date) -> dt.date:
    """31 December of the year; today for the year under way (1 January for a year to come)."""
    return min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))


def figure_url(name: str, code: str, anchor: str = "", **params: Any) -> str:
    """The page `name` of the organization `code`, with the non-empty `params` as its query and `#anchor`."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    path = _reversed(name, code, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return path + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


@lru_cache(maxsize=8192)
def _reversed(name: str, code: str, prefix: str, urlconf: str) -> str:
    """`reverse(name, args=[code])`, remembered: a dashboard links a few hundred figures to a few dozen pages
    (keyed by the script prefix and the URLconf, which `reverse` depends on)."""
    return reverse(name, args=[code], urlconf=urlconf)


def rate(part: Decimal, whole: Decimal) -> str:
    """`part` of `whole` as a percentage with one decimal ("37.5%"); "" when there is no whole."""
    if not whole:
        return ""
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class DashboardFrame:
    scope: Any  # access.scope.Scope of the user
    org: Any  # orgs.Organization
    year: int
    today: dt.date

    @property
    def as_of(self) -> dt.date:
        return as_of_for(self.year, self.today)

    @cached_property
    def readable(self) -> dict[int, Any]:
        """The organizations of org's subtree the user may read (to link to), by pk, in one query."""
        orgs = self.scope.orgs().filter(path__startswith=self.org.path).only("pk", "code", "name", "path")
        return {o.pk: o for o in orgs}
