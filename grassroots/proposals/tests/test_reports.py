"""The dashboard panel and the annual-summary section: the year's figures counted from the records, as they stood
on the day."""

from __future__ import annotations

from typing import Any

from grassroots.core.context import acting
from grassroots.proposals import selectors
from grassroots.proposals import services as s
from grassroots.proposals.summary import proposals_of, proposals_text

from .conftest import D

ANSWER = {"handling": "已办理", "handler_name": "赵工"}


def _year(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        def new(title: str, day: Any) -> Any:
            return s.proposal_create(org=cast.branch_a, title=title, received_on=day, proposers=[{"name": "甲"}])

        a = s.accept(proposal=world.proposal, on=D(2024, 9, 23), lead_unit="城建办", version=world.proposal.version)
        s.answer(proposal=a, answered_on=D(2024, 10, 9), version=a.version, **ANSWER)  # on time
        a.refresh_from_db()
        s.rate(proposal=a, satisfaction="satisfied", on=D(2024, 10, 10), version=a.version)
        b = new("二", D(2024, 3, 1))
        b = s.accept(proposal=b, on=D(2024, 3, 4), lead_unit="民政办", version=b.version)
        s.answer(proposal=b, answered_on=D(2024, 5, 20), version=b.version, **ANSWER)  # late
        b.refresh_from_db()
        s.rate(proposal=b, satisfaction="unsatisfied", on=D(2024, 5, 21), version=b.version)
        c = new("三", D(2024, 3, 1))
        s.merge(proposal=c, into=b, on=D(2024, 3, 4), version=c.version)
        d = new("四", D(2024, 4, 1))
        s.convert(proposal=d, on=D(2024, 4, 2), category=world.category, version=d.version)
        new("五", D(2024, 12, 20))
        new("次年", D(2025, 1, 6))


def test_year_counts_and_section(cast: Any, world: Any) -> None:
    _year(cast, world)
    counts = selectors.year_counts(cast.street, 2024, D(2024, 12, 31))
    assert counts == {"received": 5, "accepted": 2, "merged": 1, "converted": 1, "open_review": 1, "answered": 2,
                      "on_time": 1, "rated": 2, "satisfied": 1, "basic": 0, "unsatisfied": 1, "on_time_rate": 50,
                      "satisfaction_rate": 50}
    june = selectors.year_counts(cast.street, 2024, D(2024, 6, 1))
    assert (june["received"], june["accepted"], june["answered"], june["rated"]) == (3, 1, 1, 1)
    section = proposals_of(cast.street, 2024, D(2024, 12, 31))
    assert section is not None and section.received == 5
    zh = proposals_text(section, D(2024, 12, 31), "zh-hans").paragraphs[0]
    assert "收到提案5件" in zh and "转为群众意见1件" in zh and "按期答复率50%" in zh
    assert proposals_of(cast.other_street, 2024, D(2024, 12, 31)) is None
    assert proposals_of(cast.street, 2023, D(2023, 12, 31)) is None


def test_dashboard_panel(cast: Any, world: Any) -> None:
    from grassroots.proposals.dashboard import proposals
    from grassroots.ui.dashboard import DashboardFrame

    _year(cast, world)
    panel = proposals(DashboardFrame(scope=None, org=cast.street, year=2024, today=D(2025, 3, 1)))
    assert panel is not None
    assert (panel["counts"]["received"], panel["counts"]["converted"], panel["counts"]["on_time"]) == (5, 1, 1)
    assert panel["url"].endswith("/proposals/?year=2024")
    assert proposals(DashboardFrame(scope=None, org=cast.other_street, year=2024, today=D(2025, 3, 1))) is None
