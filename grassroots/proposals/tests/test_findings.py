"""The proposal findings: a review not done within the pass-on days, an answer overdue, an unsatisfied rating not
followed up; none once each is done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.proposals import services as s
from grassroots.proposals.findings import proposal_findings

from .conftest import D

ANSWER = {"handling": "已办理", "handler_name": "赵工"}


def _states(cast: Any, day: dt.date) -> dict[str, str]:
    return {f.subject_type: f.state for f in proposal_findings(cast.street, day)}


def test_review_answer_and_follow_up(cast: Any, world: Any) -> None:
    p = world.proposal  # received Friday 20 September 2024, review due 27 September
    assert _states(cast, D(2024, 9, 20)) == {"proposal_review": "due_soon"}
    assert _states(cast, D(2024, 9, 30)) == {"proposal_review": "overdue"}
    with acting(None, "system"):
        p = s.accept(proposal=p, on=D(2024, 9, 30), lead_unit="城建办", version=p.version)
    assert p.answer_due == D(2024, 11, 15)  # 8-12 Oct (5), 14 Oct-15 Nov (30)
    assert _states(cast, D(2024, 10, 1)) == {}
    assert _states(cast, D(2024, 11, 1)) == {"proposal_answer": "due_soon"}
    found = list(proposal_findings(cast.street, D(2024, 11, 18)))
    assert [(f.subject_type, f.state, f.due, f.rule) for f in found] == [
        ("proposal_answer", "overdue", D(2024, 11, 15), "proposals.terms@2019")]
    assert "城建办" in found[0].message and found[0].org_id == cast.branch_a.pk
    with acting(None, "system"):
        s.answer(proposal=p, answered_on=D(2024, 11, 18), version=p.version, **ANSWER)
        p.refresh_from_db()
        p = s.rate(proposal=p, satisfaction="unsatisfied", on=D(2024, 11, 19), version=p.version)
    assert _states(cast, D(2024, 11, 21)) == {"proposal_follow_up": "due_soon"}
    assert _states(cast, D(2024, 12, 5)) == {"proposal_follow_up": "overdue"}  # 15 days after the rating
    with acting(None, "system"):
        s.reopen(proposal=p, on=D(2024, 11, 25), reason="重新办理", version=p.version)
    assert _states(cast, D(2024, 12, 5)) == {}
    assert _states(cast, D(2024, 9, 19)) == {}  # before it was received
    assert list(proposal_findings(cast.other_street, D(2024, 11, 28))) == []
