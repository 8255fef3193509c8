"""Deliberation findings: a decision recorded with an earlier step missing (data that came in by import), a decided
case not published within the rules' days, a topic closed with no briefing or hearing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.deliberation import services as s
from grassroots.deliberation.findings import deliberation_findings
from grassroots.deliberation.models import PathStep
from grassroots.rules.registry import in_force

from .conftest import meeting_with

D = dt.date


def test_findings(cast: Any, world: Any) -> None:
    bm = meeting_with(world, D(2024, 3, 10), 8)
    with acting(None, "system"):
        vote = s.vote_record(meeting=bm.meeting, question="修路", yes=7, no=1, abstain=0)
        broken = s.case_create(org=cast.branch_a, title="导入的事项", opened_on=D(2024, 3, 1))
        topic = s.topic_create(org=cast.branch_a, title="停车", opens_on=D(2024, 3, 1), closes_on=D(2024, 3, 31))
        answered = s.topic_create(org=cast.branch_a, title="绿化", opens_on=D(2024, 3, 1), closes_on=D(2024, 3, 31))
        s.meeting_record(org=cast.branch_a, kind="briefing", date=D(2024, 4, 10), topic="绿化通报", topic_of=answered,
                         parties=[("居民代表", "residents_reps", "同意")])
    # as an import would leave it: the decision with steps 2 and 3 missing (the service refuses it)
    PathStep.objects.create(case=broken, step=1, on=D(2024, 3, 1))
    PathStep.objects.create(case=broken, step=4, on=D(2024, 3, 10), vote=vote)
    found = {f.subject_label: f for f in deliberation_findings(cast.street, D(2024, 5, 20))}
    assert found["导入的事项"].state == "violated" and "2, 3" in found["导入的事项"].message
    assert found["导入的事项"].rule == in_force("deliberation.path", D(2024, 5, 20)).cite
    days = int(in_force("deliberation.briefing_after", D(2024, 5, 20))["days"])
    assert found["停车"].due == D(2024, 3, 31) + dt.timedelta(days=days) and found["停车"].state == "overdue"
    assert "绿化" not in found
    assert topic.pk == found["停车"].subject_id
    assert list(deliberation_findings(cast.other_street, D(2024, 5, 20))) == []


def test_decided_but_not_published(cast: Any, world: Any, monkeypatch: Any) -> None:
    bm = meeting_with(world, D(2024, 3, 10), 8)
    with acting(None, "system"):
        vote = s.vote_record(meeting=bm.meeting, question="修路", yes=7, no=1, abstain=0)
        case = s.case_create(org=cast.branch_a, title="修路", opened_on=D(2024, 3, 1))
    for n in (1, 2, 3):
        PathStep.objects.create(case=case, step=n, on=D(2024, 3, n))
    PathStep.objects.create(case=case, step=4, on=D(2024, 3, 10), vote=vote)
    days = int(in_force("deliberation.publish_within", D(2024, 3, 10))["days"])
    due = D(2024, 3, 10) + dt.timedelta(days=days)
    late = [f for f in deliberation_findings(cast.street, due + dt.timedelta(days=1)) if f.subject_label == "修路"]
    assert [(f.state, f.due) for f in late] == [("overdue", due)]
    PathStep.objects.create(case=case, step=5, on=due, where="公开栏", text="公开")
    assert not [f for f in deliberation_findings(cast.street, due + dt.timedelta(days=1)) if f.subject_label == "修路"]
