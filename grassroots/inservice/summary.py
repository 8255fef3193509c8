"""The annual summary's section on in-service members reporting to their community: members who reported to the
organization's communities, the services logged there and their hours, and its own members who reported where
they live (`selectors.year_counts`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Inservice:
    reported: int
    services: int
    hours: Decimal
    own_reported: int

    def as_json(self) -> dict[str, Any]:
        return {"inservice": {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}}


def inservice_of(org: Organization, year: int, day: dt.date) -> Inservice | None:
    counts = selectors.year_counts(org, year, day)
    if not counts["reported"] and not counts["own_reported"]:
        return None
    return Inservice(**counts)


def inservice_text(v: Inservice, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("在职党员到社区报到", (
            f"截至{day.year}年{day.month}月{day.day}日，全年共有{v.reported}名在职党员到本组织所在社区报到，"
            f"社区记录服务{v.services}次、{v.hours}小时；本组织有{v.own_reported}名党员到居住地社区报到。",))
    return SectionText("In-service members reporting to their community", (
        f"As of {day.isoformat()}, {v.reported} in-service members reported to the organization's communities this "
        f"year, which logged {v.services} services ({v.hours} hours); {v.own_reported} of the organization's own "
        f"members reported to the community where they live.",))
