"""The dashboard panel and the annual-summary section: real figures of the year, as the records stood on the day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.deliberation import selectors
from grassroots.deliberation import services as s
from grassroots.deliberation.summary import deliberation_of, deliberation_text

from .conftest import meeting_with

D = dt.date


def _year(cast: Any, world: Any) -> None:
    ok = meeting_with(world, D(2024, 3, 10), 8)
    thin = meeting_with(world, D(2024, 6, 10), 4)
    with acting(None, "system"):
        s.vote_record(meeting=ok.meeting, question="甲", yes=7, no=1, abstain=0)
        s.vote_record(meeting=ok.meeting, question="乙", yes=2, no=6, abstain=0)
        s.vote_record(meeting=thin.meeting, question="丙", yes=4, no=0, abstain=0)
        topic = s.topic_create(org=cast.branch_a, title="停车", opens_on=D(2024, 3, 1), closes_on=D(2024, 3, 31))
        s.opinion_enter(topic=topic, received_on=D(2024, 3, 5), text="意见一")
        s.opinion_enter(topic=topic, received_on=D(2024, 3, 6), text="意见二")
        s.meeting_record(org=cast.branch_a, kind="hearing", date=D(2024, 4, 10), topic="听证", topic_of=topic)


def test_year_counts_and_section(cast: Any, world: Any) -> None:
    _year(cast, world)
    counts = selectors.year_counts(cast.street, 2024, D(2024, 12, 31))
    assert counts == {"topics": 1, "opinions": 2, "briefings": 1, "meetings": 3, "votes": 3, "passed": 1,
                      "no_quorum": 1, "cases_decided": 0, "cases_published": 0}
    may = selectors.year_counts(cast.street, 2024, D(2024, 5, 1))
    assert (may["votes"], may["no_quorum"], may["briefings"]) == (2, 0, 1)
    section = deliberation_of(cast.street, 2024, D(2024, 12, 31))
    assert section is not None
    zh = deliberation_text(section, D(2024, 12, 31), "zh-hans")
    assert "表决3项" in zh.paragraphs[0] and "未达法定人数1项" in zh.paragraphs[0]
    assert deliberation_of(cast.other_street, 2024, D(2024, 12, 31)) is None


def test_dashboard_panel(cast: Any, world: Any) -> None:
    from grassroots.deliberation.dashboard import deliberation
    from grassroots.ui.dashboard import DashboardFrame

    _year(cast, world)
    panel = deliberation(DashboardFrame(scope=None, org=cast.street, year=2024, today=D(2025, 3, 1)))
    assert panel is not None and panel["counts"]["votes"] == 3 and panel["counts"]["passed"] == 1
