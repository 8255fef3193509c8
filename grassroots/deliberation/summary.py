"""The annual summary's deliberation section: topics, written opinions, briefings and hearings, path cases decided
and published, votes held / passed / without quorum, as the records stood on the day (`selectors.year_counts`,
the dashboard panel's figures)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from grassroots.core.modules import SectionText
from grassroots.orgs.models import Organization

from . import selectors


@dataclass(frozen=True)
class Deliberation:
    topics: int
    opinions: int
    briefings: int
    meetings: int
    votes: int
    passed: int
    no_quorum: int
    cases_decided: int
    cases_published: int

    def as_json(self) -> dict[str, Any]:
        return {"deliberation": asdict(self)}


def deliberation_of(org: Organization, year: int, day: dt.date) -> Deliberation | None:
    counts = selectors.year_counts(org, year, day)
    if not any(counts.values()):
        return None
    return Deliberation(**counts)


def deliberation_text(d: Deliberation, day: dt.date, language: str) -> SectionText:
    if language.startswith("zh"):
        return SectionText("民主协商和议事表决", (
            f"截至{day.year}年{day.month}月{day.day}日，全年提出协商议题{d.topics}个，收到书面意见{d.opinions}条，"
            f"召开情况通报会和听证会{d.briefings}次；召开议事协商会议{d.meetings}次，表决{d.votes}项，"
            f"通过{d.passed}项，未达法定人数{d.no_quorum}项；按“四议两公开”作出决议{d.cases_decided}项，"
            f"公开决议{d.cases_published}项。",))
    return SectionText("Deliberation and votes", (
        f"As of {day.isoformat()}, {d.topics} topics were put to deliberation with {d.opinions} written opinions "
        f"received, and {d.briefings} briefings and hearings held; {d.meetings} deliberation meetings held "
        f"{d.votes} votes: {d.passed} passed, {d.no_quorum} without quorum (nothing decided). Under \"four "
        f"discussions and two openings\", {d.cases_decided} matters were decided and {d.cases_published} "
        f"decisions published.",))
