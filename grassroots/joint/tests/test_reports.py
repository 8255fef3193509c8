"""The dashboard panel and the annual-summary section: real figures of the year, as the records stood on the day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.joint import selectors
from grassroots.joint import services as s
from grassroots.joint.summary import joint_of, joint_text

D = dt.date


def _year(world: Any) -> None:
    with acting(None, "system"):
        one = s.session_record(body=world.body, date=D(2024, 4, 10), topic="一季度",
                               attendance={world.bank.pk: "present", world.school.pk: "absent"},
                               decisions=["照明改造", "消防检查"])
        two = s.session_record(body=world.body, date=D(2024, 7, 10), topic="二季度",
                               attendance={world.bank.pk: "present", world.school.pk: "present"},
                               decisions=["文体活动"])
        first, second = one.decisions.order_by("order")
        s.decision_to_project(decision=first, unit=world.bank, due_on=D(2024, 9, 1))
        t1 = s.task_create(decision=second, title="检查", owner="王", due_on=D(2024, 5, 1))
        s.task_create(decision=two.decisions.get(), title="活动", unit=world.school, due_on=D(2024, 8, 1))
        s.task_done(task=t1, done_on=D(2024, 4, 30))
        s.session_record(body=world.body, date=D(2025, 1, 20), topic="次年", attendance={world.bank.pk: "present"})


def test_year_counts_and_section(cast: Any, world: Any) -> None:
    _year(world)
    counts = selectors.year_counts(cast.street, 2024, D(2024, 12, 31))
    assert counts == {"meetings": 2, "units": 2, "attendances": 3, "decisions": 3, "projects": 1,
                      "projects_done": 0, "tasks": 2, "tasks_done": 1, "tasks_open": 1}
    # as the records stood on 1 June: one meeting, its task done
    june = selectors.year_counts(cast.street, 2024, D(2024, 6, 1))
    assert (june["meetings"], june["units"], june["decisions"], june["tasks_done"], june["tasks_open"]) == \
        (1, 1, 2, 1, 0)
    section = joint_of(cast.street, 2024, D(2024, 12, 31))
    assert section is not None and section.meetings == 2
    zh = joint_text(section, D(2024, 12, 31), "zh-hans")
    assert "召开党建联席会议2次" in zh.paragraphs[0] and "已办结1项" in zh.paragraphs[0]
    assert joint_of(cast.other_street, 2024, D(2024, 12, 31)) is None
    assert joint_of(cast.street, 2023, D(2023, 12, 31)) is None
    next_year = selectors.year_counts(cast.street, 2025, D(2025, 12, 31))
    assert (next_year["meetings"], next_year["units"], next_year["decisions"]) == (1, 1, 0)


def test_dashboard_panel(cast: Any, world: Any) -> None:
    from grassroots.joint.dashboard import joint
    from grassroots.ui.dashboard import DashboardFrame

    _year(world)
    panel = joint(DashboardFrame(scope=None, org=cast.street, year=2024, today=D(2025, 3, 1)))
    assert panel is not None
    assert panel["counts"]["meetings"] == 2 and panel["counts"]["tasks_done"] == 1
    assert panel["open_url"].endswith("/joint/tasks/?state=open")
