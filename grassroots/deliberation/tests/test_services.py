"""Deliberation services: seats on a date, quorum and threshold at their boundaries under two rule versions, the
Party members' meeting judged by the recruitment vote's rule, secret ballots that must add up, the path refusing a
step whose earlier step is missing, and topics refusing opinions outside the consultation period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.deliberation import services as s
from grassroots.deliberation.models import Vote
from grassroots.meetings import services as meeting_services
from grassroots.rules import registry

from .conftest import meeting_with

D = dt.date


def _vote(bm: Any, yes: int, no: int = 0, abstain: int = 0, **kw: Any) -> Vote:
    with acting(None, "system"):
        return s.vote_record(meeting=bm.meeting, question="表决事项", yes=yes, no=no, abstain=abstain, **kw)


def test_quorum_boundary_two_thirds_present(world: Any) -> None:
    # nine seats: six present is exactly two thirds (quorate), five is not
    at_six = meeting_with(world, D(2024, 3, 1), 6)
    at_five = meeting_with(world, D(2024, 3, 2), 5)
    assert at_six.quorate is True and at_five.quorate is False
    assert at_six.rule == "deliberation.reps_meeting@2010"
    v6 = _vote(at_six, yes=4, no=2)
    v5 = _vote(at_five, yes=5)
    assert (v6.entitled, v6.present, v6.quorate, v6.passed) == (9, 6, True, True)
    # no quorum: nothing decided, however many voted yes
    assert (v5.quorate, v5.passed) == (False, False)


def test_threshold_boundary_more_than_half_of_present(world: Any) -> None:
    bm = meeting_with(world, D(2024, 3, 1), 6)
    assert _vote(bm, yes=3, no=3).passed is False  # exactly half: not more than half
    assert _vote(bm, yes=4, no=2).passed is True  # one more


def _two_versions(monkeypatch: Any) -> None:
    """The representatives' rule in two dated versions: to 2024-06-01 the law's numbers; from then (a stricter
    local revision for the test) three quarters present and two thirds of those present."""
    entries = [
        {"id": "deliberation.reps_meeting", "version": "old", "effective_from": "2010-10-28",
         "effective_to": "2024-06-01", "title_en": "old", "title_zh": "旧",
         "params": {"quorum": [2, 3], "quorum_of": "entitled", "pass": [1, 2], "pass_of": "present", "strict": True}},
        {"id": "deliberation.reps_meeting", "version": "new", "effective_from": "2024-06-01", "title_en": "new",
         "title_zh": "新", "params": {"quorum": [3, 4], "quorum_of": "entitled", "pass": [2, 3], "pass_of": "present",
                                      "strict": False}},
    ]
    rules = {**registry._load(), **registry.parse(entries, "test")}
    monkeypatch.setattr(registry, "_load", lambda: rules)


def test_boundaries_under_two_rule_versions(world: Any, monkeypatch: Any) -> None:
    _two_versions(monkeypatch)
    before_q, after_q = meeting_with(world, D(2024, 5, 31), 6), meeting_with(world, D(2024, 6, 1), 6)
    # six of nine: two thirds (quorate before), less than three quarters (not after)
    assert (before_q.quorate, before_q.rule) == (True, "deliberation.reps_meeting@old")
    assert (after_q.quorate, after_q.rule) == (False, "deliberation.reps_meeting@new")
    seven = meeting_with(world, D(2024, 6, 2), 7)  # 7 of 9: 28 >= 27, three quarters reached
    assert seven.quorate is True
    assert meeting_with(world, D(2024, 6, 3), 6).quorate is False  # one fewer
    # the threshold: more than half before; at least two thirds after (non-strict)
    v_before = _vote(before_q, yes=4, no=2)
    assert (v_before.passed, v_before.rule) == (True, "deliberation.reps_meeting@old")
    nine = meeting_with(world, D(2024, 6, 4), 9)
    assert _vote(nine, yes=6, no=3).passed is True  # exactly two thirds of nine present
    failed = _vote(nine, yes=5, no=4)  # one fewer: more than half, but not two thirds
    assert (failed.passed, failed.rule) == (False, "deliberation.reps_meeting@new")
    # the same count judged differently across the change
    before_nine = meeting_with(world, D(2024, 5, 30), 9)
    assert _vote(before_nine, yes=5, no=4).passed is True


def test_secret_ballot_counts_must_add_up(world: Any) -> None:
    bm = meeting_with(world, D(2024, 3, 1), 8)
    with pytest.raises(RuleError) as e:
        _vote(bm, yes=5, no=1, abstain=1, secret=True, issued=8, returned=8, void=0)
    assert e.value.field == "void"
    with pytest.raises(RuleError) as e:
        _vote(bm, yes=5, no=1, abstain=1, secret=True, issued=9, returned=8, void=1)
    assert e.value.field == "issued"
    with pytest.raises(RuleError) as e:
        _vote(bm, yes=5, no=1, abstain=1, secret=True, issued=7, returned=8, void=1)
    assert e.value.field == "returned"
    v = _vote(bm, yes=5, no=1, abstain=1, secret=True, issued=8, returned=8, void=1)
    assert (v.ballot, v.passed, v.void) == ("secret", True, 1)
    assert Vote.objects.count() == 1


def test_open_vote_more_votes_than_present_refused(world: Any) -> None:
    bm = meeting_with(world, D(2024, 3, 1), 6)
    with pytest.raises(RuleError) as e:
        _vote(bm, yes=5, no=2)
    assert e.value.field == "yes"


def test_seat_not_held_on_the_date_refused_by_name(world: Any) -> None:
    with acting(None, "system"):
        later = s.seat_add(body=world.body, name="新代表", from_on=D(2024, 5, 1))
        ended = s.seat_end(seat=world.seats[8], to_on=D(2024, 4, 1))
        with pytest.raises(RuleError) as e:
            s.meeting_record(org=world.body.org, kind="reps_meeting", date=D(2024, 4, 10), topic="议事",
                             body=world.body, attendance={later.pk: "present", ended.pk: "present"})
    assert e.value.field == "attendance" and "新代表" in str(e.value) and "代表6" in str(e.value)
    assert len(s.seats_on(world.body, D(2024, 4, 10))) == 8


def test_general_meeting_vote_reuses_the_recruitment_rule(cast: Any) -> None:
    with acting(None, "system"):
        m = meeting_services.record_meeting(org=cast.branch_a, kind="general_meeting", date=D(2024, 3, 1),
                                            topic="审议", attendance={cast.member.pk: ("present", ""),
                                                                     cast.member_a2.pk: ("present", "")})
        v = s.vote_record(meeting=m, question="审议事项", yes=2, no=0, abstain=0)
    assert v.rule == registry.in_force("recruitment.vote", D(2024, 3, 1)).cite
    assert (v.entitled, v.present, v.quorate, v.passed) == (2, 2, True, True)
    assert sorted(v.who["members"]) == sorted([cast.member.pk, cast.member_a2.pk])
    with acting(None, "system"):
        v1 = s.vote_record(meeting=m, question="另一事项", yes=1, no=1, abstain=0)
    assert v1.passed is False  # one of two entitled is not more than half


def _path_meetings(cast: Any, world: Any, *, day: dt.date = dt.date(2024, 3, 1)) -> dict[int, Any]:
    from grassroots.meetings.models import CommitteeSeat

    CommitteeSeat.objects.create(org=cast.branch_a, member=cast.member, role="secretary", since=D(2020, 1, 1))
    with acting(None, "system"):
        committee = s.body_create(org=cast.branch_a, kind="two_committees", name="两委", set_up_on=D(2024, 1, 2))
        two = [s.seat_add(body=committee, name=f"委员{i}", from_on=D(2024, 1, 2)) for i in range(3)]
        m1 = meeting_services.record_meeting(org=cast.branch_a, kind="committee_meeting", date=day, topic="提议",
                                             attendance={cast.member.pk: ("present", "")})
        m2 = s.meeting_record(org=cast.branch_a, kind="two_committees", date=day + dt.timedelta(days=3),
                              topic="商议", body=committee, attendance={t.pk: "present" for t in two})
        m3 = meeting_services.record_meeting(org=cast.branch_a, kind="general_meeting",
                                             date=day + dt.timedelta(days=6), topic="审议",
                                             attendance={cast.member.pk: ("present", ""),
                                                         cast.member_a2.pk: ("present", "")})
    m4 = meeting_with(world, day + dt.timedelta(days=9), 8)
    return {1: m1, 2: m2.meeting, 3: m3, 4: m4.meeting}


def test_path_refuses_a_step_whose_earlier_step_is_missing(cast: Any, world: Any) -> None:
    meetings = _path_meetings(cast, world)
    with acting(None, "system"):
        case = s.case_create(org=cast.branch_a, title="村道硬化", opened_on=D(2024, 2, 20))
        s.step_record(case=case, step=1, meeting=meetings[1])
        with pytest.raises(RuleError) as e:
            s.step_record(case=case, step=3, meeting=meetings[3])
        assert "2 " in str(e.value) and "missing" in str(e.value)
        vote = s.vote_record(meeting=meetings[4], question="村道硬化", yes=6, no=2, abstain=0)
        with pytest.raises(RuleError) as e:
            s.step_record(case=case, step=4, vote=vote)
        assert "missing" in str(e.value)
        s.step_record(case=case, step=2, meeting=meetings[2])
        s.step_record(case=case, step=3, meeting=meetings[3])
        s.step_record(case=case, step=4, vote=vote)
        with pytest.raises(RuleError):
            s.step_record(case=case, step=6, on=D(2024, 4, 1), where="公开栏", text="结果")
        s.step_record(case=case, step=5, on=D(2024, 3, 15), where="村务公开栏", text="决议公开")
        s.step_record(case=case, step=6, on=D(2024, 5, 1), where="村务公开栏", text="已完工")
    assert list(case.steps.values_list("step", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_a_decision_dated_before_an_earlier_step_is_refused(cast: Any, world: Any) -> None:
    meetings = _path_meetings(cast, world)
    early = meeting_with(world, D(2024, 3, 2), 8)  # before the two committees (3-4) and members' meeting (3-7)
    with acting(None, "system"):
        case = s.case_create(org=cast.branch_a, title="水渠修缮", opened_on=D(2024, 2, 20))
        for n in (1, 2, 3):
            s.step_record(case=case, step=n, meeting=meetings[n])
        vote = s.vote_record(meeting=early.meeting, question="水渠修缮", yes=8, no=0, abstain=0)
        with pytest.raises(RuleError) as e:
            s.step_record(case=case, step=4, vote=vote)
    assert "comes before" in str(e.value)


def test_a_step_four_vote_without_quorum_decides_nothing(cast: Any, world: Any) -> None:
    meetings = _path_meetings(cast, world)
    thin = meeting_with(world, D(2024, 3, 20), 4)
    with acting(None, "system"):
        case = s.case_create(org=cast.branch_a, title="路灯安装", opened_on=D(2024, 2, 20))
        for n in (1, 2, 3):
            s.step_record(case=case, step=n, meeting=meetings[n])
        v = s.vote_record(meeting=thin.meeting, question="路灯安装", yes=4, no=0, abstain=0)
        assert (v.quorate, v.passed) == (False, False)
        s.step_record(case=case, step=4, vote=v)
        with pytest.raises(RuleError) as e:
            s.step_record(case=case, step=5, on=D(2024, 3, 25), where="公开栏", text="公开")
        assert "step 4" in str(e.value) and "quorum" in str(e.value)
        again = s.vote_record(meeting=meetings[4], question="路灯安装", yes=8, no=0, abstain=0)
        s.step_record(case=case, step=4, vote=again)
        s.step_record(case=case, step=5, on=D(2024, 3, 25), where="公开栏", text="公开")


def test_topic_refuses_opinions_outside_the_period(cast: Any, monkeypatch: Any) -> None:
    with acting(None, "system"):
        topic = s.topic_create(org=cast.branch_a, title="小区停车", opens_on=D(2024, 3, 1), closes_on=D(2024, 3, 31))
        s.opinion_enter(topic=topic, received_on=D(2024, 3, 31), text="增设车位", author="张三")
        with pytest.raises(RuleError) as e:
            s.opinion_enter(topic=topic, received_on=D(2024, 4, 1), text="晚了")
    assert e.value.field == "received_on" and "consultation period" in str(e.value)
    monkeypatch.setattr(s, "today", lambda: D(2024, 4, 2))
    with acting(None, "web"), pytest.raises(RuleError):
        s.opinion_submit(topic=topic, text="晚了")
    monkeypatch.setattr(s, "today", lambda: D(2024, 3, 5))
    with acting(None, "web"):
        op = s.opinion_submit(topic=topic, text="建议错时停车", author="王五")
    assert op.channel == "station" and topic.opinions.count() == 2


def test_writes_need_the_organization(cast: Any, world: Any) -> None:
    from grassroots.core.errors import PermissionDeniedError

    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        s.seat_add(body=world.body, name="某人", from_on=D(2024, 2, 1))
