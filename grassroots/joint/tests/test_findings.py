"""Findings: an open task past its deadline, and a body that has not met within its interval (joint.meet_every,
3 months, unverified), at their boundaries, with dates computed at run time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.dates import add_months
from grassroots.joint import services as s
from grassroots.rules.findings import DUE_SOON, OVERDUE, due_soon_days, findings_for


def _by_rule(org: Any, day: dt.date) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in findings_for(org, day, only=["joint"]):
        out.setdefault(f.rule_id, []).append(f)
    return out


def test_task_overdue_the_day_after_its_deadline(cast: Any, world: Any) -> None:
    today = timezone.localdate()
    held = today - dt.timedelta(days=40)
    with acting(None, "system"):
        session = s.session_record(body=world.body, date=held, topic="议事", attendance={world.bank.pk: "present"},
                                   decisions=["清理楼道"])
        task = s.task_create(decision=session.decisions.get(), title="清理楼道", unit=world.bank,
                             due_on=today - dt.timedelta(days=1))
        later = s.task_create(decision=session.decisions.get(), title="回访", owner="王书记", due_on=today)
        far = s.task_create(decision=session.decisions.get(), title="总结", owner="王书记",
                            due_on=today + dt.timedelta(days=due_soon_days() + 1))
    found = {f.subject_id: f for f in _by_rule(cast.street, today)["joint.task_due"]}
    assert found[task.pk].state == OVERDUE and "县农业银行" in found[task.pk].message
    assert found[later.pk].state == DUE_SOON
    assert far.pk not in found
    assert found[task.pk].org_id == cast.branch_a.pk
    with acting(None, "system"):
        s.task_done(task=task, done_on=today)
    found = {f.subject_id for f in _by_rule(cast.street, today)["joint.task_due"]}
    assert task.pk not in found and later.pk in found
    assert "joint.task_due" not in _by_rule(cast.other_street, today)


def test_a_body_that_has_not_met_within_its_interval(cast: Any, world: Any) -> None:
    today = timezone.localdate()
    last = add_months(today, -3)  # due today: due soon, not overdue yet
    with acting(None, "system"):
        s.session_record(body=world.body, date=last, topic="季度会", attendance={})
    rows = _by_rule(cast.branch_a, today)["joint.meet_every"]
    assert [(f.subject_id, f.state, f.due) for f in rows] == [(world.body.pk, DUE_SOON, today)]
    tomorrow = today + dt.timedelta(days=1)
    rows = _by_rule(cast.branch_a, tomorrow)["joint.meet_every"]
    assert rows[0].state == OVERDUE and last.isoformat() in rows[0].message
    with acting(None, "system"):
        s.session_record(body=world.body, date=today, topic="又一次", attendance={})
    assert "joint.meet_every" not in _by_rule(cast.branch_a, today)


def test_an_ended_body_is_not_expected_to_meet(cast: Any, world: Any) -> None:
    today = timezone.localdate()
    assert _by_rule(cast.branch_a, today)["joint.meet_every"][0].state == OVERDUE  # set up in 2024, never met
    with acting(None, "system"):
        s.body_end(body=world.body, ended_on=today)
    assert "joint.meet_every" not in _by_rule(cast.branch_a, today)


def test_a_joint_meeting_is_no_organizational_life(cast: Any, world: Any) -> None:
    """The branch's own silence (meetings.silence) is not broken by a joint meeting it convened."""
    today = timezone.localdate()

    def silent() -> bool:
        return any(f.rule_id == "meetings.silence" and f.subject_id == cast.branch_a.pk
                   for f in findings_for(cast.branch_a, today, only=["meetings"]))

    assert silent()
    with acting(None, "system"):
        session = s.session_record(body=world.body, date=today, topic="联席会", attendance={})
    assert session.meeting.kind == "joint_meeting"
    assert silent()
