"""The branch general meeting's vote: who was entitled, quorum, result, written opinions, bad ballots."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import make_member
from grassroots.core.errors import RuleError
from grassroots.core.models import AuditEntry
from grassroots.members.services import member_record_event
from grassroots.recruitment import services
from grassroots.recruitment.models import BranchVote
from grassroots.recruitment.tests.factories import make_probationary, make_ready_for_vote, row_counts

D = dt.date
VOTE_ON = D(2023, 8, 1)  # the ready candidate's pre-review is on 2023-07-30


@pytest.fixture
def branch(cast: Any) -> dict[str, Any]:
    """Branch A with four members entitled to vote on VOTE_ON, and several who are not."""
    a = cast.branch_a
    return {
        "entitled": [cast.member, cast.member_a2, make_member(a, name="陈一"), make_member(a, name="陈二")],
        "probationary": make_member(a, name="刘预", joined_on=D(2023, 1, 10), status="probationary", converted_on=None),
        "full_later": make_member(a, name="刘晚", joined_on=D(2022, 9, 1), converted_on=D(2023, 9, 1)),
        "suspended": _suspended(a),
        "other_branch": cast.member_b,
        "left": _left(a),
    }


def _suspended(org: Any) -> Any:
    m = make_member(org, name="失联")
    member_record_event(m, kind="suspended", on=D(2023, 3, 1))
    return m


def _left(org: Any) -> Any:
    m = make_member(org, name="调走")
    member_record_event(m, kind="transferred_out", on=D(2023, 5, 1), details={"to": "外省"})
    return m


@pytest.fixture
def ready(cast: Any, branch: dict[str, Any]) -> Any:
    return make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1))


def _vote(c: Any, attended: list[Any], *, written: list[Any] = (), yes: int, no: int = 0, abstain: int = 0,  # type: ignore[assignment]
          on: dt.date = VOTE_ON) -> BranchVote:
    return services.branch_vote_record(c, purpose="admission", on=on, attended=attended, written=written, yes=yes,
                                       no=no, abstain=abstain)


def test_entitled_are_the_full_members_on_the_date(ready: Any, branch: dict[str, Any]) -> None:
    vote = _vote(ready, branch["entitled"], yes=4)
    assert {m.pk for m in vote.entitled.all()} == {m.pk for m in branch["entitled"]}
    assert (vote.quorate, vote.passed, vote.rule) == (True, True, "recruitment.vote@2014")
    step = ready.steps.get(kind="admission_vote")
    assert (step.details["entitled"], step.details["attended"], step.details["vote"]) == (4, 4, vote.pk)
    assert AuditEntry.objects.filter(action="candidate.admission_vote", object_id=str(ready.pk)).count() == 1


@pytest.mark.parametrize("attended,yes,quorate,passed", [
    (2, 2, False, False),  # exactly half attended: no quorum, however they voted
    (3, 2, True, False),  # quorum; yes exactly half of the entitled: fails
    (3, 3, True, True),  # yes more than half of the entitled
    (4, 2, True, False),  # all attended, yes exactly half
    (4, 0, True, False),
])
def test_quorum_and_result_at_the_half(ready: Any, branch: dict[str, Any], attended: int, yes: int, quorate: bool,
                                       passed: bool) -> None:
    vote = _vote(ready, branch["entitled"][:attended], yes=yes, no=attended - yes)
    assert (vote.quorate, vote.passed) == (quorate, passed)


def test_written_opinions_count_as_ballots_not_as_attendance(ready: Any, branch: dict[str, Any]) -> None:
    e = branch["entitled"]
    before = row_counts()
    with pytest.raises(RuleError) as err:  # four ballots from three present
        _vote(ready, e[:3], yes=3, no=1)
    assert err.value.field == "yes" and row_counts() == before
    vote = _vote(ready, e[:3], written=[e[3]], yes=3, no=1)  # two yes in the room, one written yes
    assert (vote.quorate, vote.passed) == (True, True)
    assert [m.pk for m in vote.written.all()] == [e[3].pk]


def test_written_opinions_do_not_make_a_quorum(ready: Any, branch: dict[str, Any]) -> None:
    e = branch["entitled"]
    vote = _vote(ready, e[:2], written=e[2:], yes=4)
    assert (vote.quorate, vote.passed) == (False, False)


@pytest.mark.parametrize("who", ["probationary", "full_later", "suspended", "other_branch", "left"])
def test_those_not_entitled_cannot_attend_or_write(ready: Any, branch: dict[str, Any], who: str) -> None:
    before = row_counts()
    with pytest.raises(RuleError) as err:
        _vote(ready, [*branch["entitled"], branch[who]], yes=5)
    assert err.value.field == "attended" and branch[who].name in err.value.message
    with pytest.raises(RuleError) as err:
        _vote(ready, branch["entitled"][:3], written=[branch[who]], yes=4)
    assert err.value.field == "written"
    assert row_counts() == before


def test_an_entitled_member_who_attended_gives_no_written_opinion(ready: Any, branch: dict[str, Any]) -> None:
    e = branch["entitled"]
    with pytest.raises(RuleError) as err:
        _vote(ready, e[:3], written=[e[0]], yes=3)
    assert err.value.field == "written" and e[0].name in err.value.message


def test_full_later_member_is_entitled_once_full(ready: Any, branch: dict[str, Any]) -> None:
    on = D(2023, 9, 1)
    vote = _vote(ready, [*branch["entitled"], branch["full_later"]], yes=5, on=on)
    assert vote.entitled.count() == 5 and vote.passed


def test_a_vote_without_quorum_is_recorded_and_admits_nobody(ready: Any, branch: dict[str, Any]) -> None:
    e = branch["entitled"]
    vote = _vote(ready, e[:2], yes=2)
    assert BranchVote.objects.filter(pk=vote.pk, quorate=False, passed=False).exists()
    step = ready.steps.get(kind="admission_vote")
    assert (step.details["quorate"], step.details["passed"]) == (False, False)
    with pytest.raises(RuleError):
        services.candidate_approve(ready, on=D(2023, 8, 10))
    again = _vote(ready, e, yes=4, on=D(2023, 8, 15))  # the branch meets again
    assert again.passed
    with pytest.raises(RuleError) as err:  # one passed vote is enough
        _vote(ready, e, yes=4, on=D(2023, 8, 16))
    assert err.value.field == "purpose"
    services.candidate_approve(ready, on=D(2023, 8, 20))
    ready.refresh_from_db()
    assert ready.admitted_on == D(2023, 8, 15) and ready.member.joined_on == D(2023, 8, 15)


def test_bad_counts_are_refused(ready: Any, branch: dict[str, Any]) -> None:
    for kw in ({"yes": -1}, {"yes": 2, "no": True}, {"yes": 1.5}):
        with pytest.raises(RuleError):
            _vote(ready, branch["entitled"], **kw)  # type: ignore[arg-type]
    with pytest.raises(RuleError) as err:
        services.branch_vote_record(ready, purpose="election", on=VOTE_ON, attended=branch["entitled"], yes=4,
                                    no=0, abstain=0)
    assert err.value.field == "purpose"
    assert not BranchVote.objects.exists()


def test_the_probationer_has_no_vote_on_their_own_conversion(cast: Any, branch: dict[str, Any]) -> None:
    c = make_probationary(cast.branch_a, applied_on=D(2021, 6, 1))
    end = services.probation_end(c)
    assert end is not None
    with pytest.raises(RuleError) as err:
        services.branch_vote_record(c, purpose="conversion", on=end, attended=[*branch["entitled"], c.member],
                                    yes=5, no=0, abstain=0)
    assert err.value.field == "attended"
    vote = services.branch_vote_record(c, purpose="conversion", on=end, attended=branch["entitled"][:3],
                                       yes=3, no=0, abstain=0)
    assert c.member.pk not in {m.pk for m in vote.entitled.all()} and vote.passed
