"""The proposal services: numbering, proposers, the review (accept, merge, turn into an opinion in one step), the
answer deadline in working days across a Chinese holiday, the extension once only, answers kept per round,
reopening only after an unsatisfied rating, per-organization terms, and permission."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.opinions.models import Opinion
from grassroots.proposals import services as s
from grassroots.proposals.models import Proposal, ProposalAnswer, ProposalState

from .conftest import D

ANSWER = {"background": "路面年久失修", "handling": "已列入维修计划", "problems": "资金不足",
          "measures": "争取专项资金", "handler_name": "赵工", "handler_phone": "0875-5150000"}


MONDAY = D(2024, 9, 23)


def _accept(p: Any, on: dt.date = MONDAY) -> Any:
    return s.accept(proposal=p, on=on, lead_unit="街道城建办", co_handlers="东风社区", version=p.version)


def test_numbered_per_org_and_year_with_lead_first(cast: Any, world: Any) -> None:
    p = world.proposal
    assert p.number == "A-2024-T001" and p.state == ProposalState.RECEIVED
    assert [(x.name, x.role, x.seat_id) for x in p.proposers.order_by("order")] == [
        ("王代表", "representative", world.seat_wang.pk), ("张居民", "residents_rep", None)]
    assert p.rule == "proposals.terms@2019"
    with acting(None, "system"):
        q = s.proposal_create(org=cast.branch_a, title="二", received_on=D(2024, 10, 8), proposers=[{"name": "甲"}])
        r = s.proposal_create(org=cast.branch_a, title="三", received_on=D(2025, 1, 6), proposers=[{"name": "乙"}])
    assert (q.number, r.number) == ("A-2024-T002", "A-2025-T001")


def test_entered_after_the_day_with_a_seat_held_then_only(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        with pytest.raises(RuleError) as err:
            s.proposal_create(org=cast.branch_a, title="x", received_on=D(2025, 3, 1),
                              proposers=[{"seat": world.seat_li}])
        assert err.value.field == "proposers"
        with pytest.raises(RuleError) as err:
            s.proposal_create(org=cast.branch_a, title="x", received_on=D(2024, 3, 1), proposers=[])
        assert err.value.field == "proposers"
        with pytest.raises(RuleError) as err:
            s.proposal_create(org=cast.branch_a, title="x", received_on=dt.date.today() + dt.timedelta(days=3),
                              proposers=[{"name": "甲"}])
        assert err.value.field == "received_on"
        p = s.proposal_create(org=cast.branch_a, title="x", received_on=D(2024, 3, 1),
                              proposers=[{"seat": world.seat_li}, {"member": cast.member}],
                              attachments=[(SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20), "原件")])
    assert [x.role for x in p.proposers.all()] == ["representative", "member"]
    assert p.attachments.count() == 1
    with acting(None, "system"), pytest.raises(RuleError) as err:
        s.attachment_add(proposal=p, file=SimpleUploadedFile("p.png", b"not a png at all"))
    assert err.value.field == "file"


def test_answer_deadline_in_working_days_across_national_day(cast: Any, world: Any) -> None:
    # accepted Monday 2024-09-23; 30 working days from the 24th skip the National Day holiday (1-7 October) and
    # count the make-up working days (29 September, 12 October)
    with acting(None, "system"):
        p = _accept(world.proposal)
    assert p.review_due == D(2024, 9, 27)  # 5 working days after Friday 20 September
    # 24-27 Sep (4), 29-30 Sep (6), 8-12 Oct (11), 14 Oct-1 Nov (26), 4-7 Nov (30)
    assert p.answer_due == D(2024, 11, 7)
    assert p.answer_due == p.first_answer_due and p.round == 1


def test_extension_once_only_with_a_reason(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        p = _accept(world.proposal)
        with pytest.raises(RuleError) as err:
            s.extend(proposal=p, on=D(2024, 10, 20), reason="", version=p.version)
        assert err.value.field == "reason"
        p = s.extend(proposal=p, on=D(2024, 10, 20), reason="需协调供电部门", version=p.version)
        assert p.answer_due == D(2024, 11, 28)  # 15 more working days: 8 Nov, 11-15, 18-22, 25-28 Nov
        with pytest.raises(RuleError, match="already extended"):
            s.extend(proposal=p, on=D(2024, 10, 21), reason="再次", version=p.version)


def test_answers_kept_per_round_and_reopen_only_after_unsatisfied(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        p = _accept(world.proposal)
        with pytest.raises(RuleError):
            s.rate(proposal=p, satisfaction="satisfied", on=D(2024, 10, 9), version=p.version)
        s.answer(proposal=p, answered_on=D(2024, 10, 9), version=p.version, **ANSWER)
        p.refresh_from_db()
        p = s.rate(proposal=p, satisfaction="basic", on=D(2024, 10, 12), version=p.version)
        with pytest.raises(RuleError, match="unsatisfied"):
            s.reopen(proposal=p, on=D(2024, 10, 14), reason="再办", version=p.version)
    # another proposal: unsatisfied, reopened with a new deadline, answered again
    with acting(None, "system"):
        q = s.proposal_create(org=cast.branch_a, title="路灯", received_on=D(2024, 9, 20), proposers=[{"name": "甲"}])
        q = _accept(q)
        s.answer(proposal=q, answered_on=D(2024, 10, 9), version=q.version, **ANSWER)
        q.refresh_from_db()
        q = s.rate(proposal=q, satisfaction="unsatisfied", on=D(2024, 10, 12), comment="太慢", version=q.version)
        q = s.reopen(proposal=q, on=D(2024, 10, 14), reason="不满意，重新办理", version=q.version)
        assert (q.state, q.round, q.satisfaction) == (ProposalState.ACCEPTED, 2, "")
        assert q.answer_due == D(2024, 11, 25)  # 30 working days from 15 October
        assert not q.can_extend
        with pytest.raises(RuleError) as err:
            s.answer(proposal=q, answered_on=D(2024, 10, 13), version=q.version, **ANSWER)
        assert err.value.field == "answered_on"
        s.answer(proposal=q, answered_on=D(2024, 11, 1), version=q.version,
                 **{**ANSWER, "handling": "已完成维修"})
        q.refresh_from_db()
        q = s.rate(proposal=q, satisfaction="satisfied", on=D(2024, 11, 3), version=q.version)
        q = s.close(proposal=q, on=D(2024, 11, 3), version=q.version)
    rounds = list(ProposalAnswer.objects.filter(proposal=q).values_list("round", "handling", "satisfaction",
                                                                        "due"))
    assert rounds == [(1, "已列入维修计划", "unsatisfied", D(2024, 11, 7)),
                      (2, "已完成维修", "satisfied", D(2024, 11, 25))]
    assert q.state == ProposalState.CLOSED


def test_merge_into_a_duplicate(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        q = s.proposal_create(org=cast.branch_a, title="东风路", received_on=D(2024, 9, 21), proposers=[{"name": "甲"}])
        with pytest.raises(RuleError) as err:
            s.merge(proposal=q, into=q, on=D(2024, 9, 23), version=q.version)
        assert err.value.field == "into"
        q = s.merge(proposal=q, into=world.proposal, on=D(2024, 9, 23), note="同一事项", version=q.version)
    assert q.state == ProposalState.MERGED and q.merged_into == world.proposal and q.closed_on == D(2024, 9, 23)


def test_not_accepted_becomes_an_opinion_in_one_step(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        opinion = s.convert(proposal=world.proposal, on=D(2024, 9, 24), category=world.category,
                            note="属个人诉求", version=world.proposal.version)
    p = Proposal.objects.get(pk=world.proposal.pk)
    assert p.state == ProposalState.CONVERTED and p.opinion == opinion
    opinion = Opinion.objects.get(pk=opinion.pk)
    assert opinion.station == cast.street and opinion.category == world.category
    assert opinion.text == "修缮东风路路面\n路面坑洼，雨天积水。" and opinion.submitter_name == "王代表"
    assert opinion.received_on == D(2024, 9, 24) and opinion.from_proposal == p
    with acting(None, "system"), pytest.raises(RuleError):
        s.accept(proposal=p, on=D(2024, 9, 25), lead_unit="x", version=p.version)


def test_a_category_of_another_station_is_refused(cast: Any, world: Any) -> None:
    from grassroots.opinions import services as opinion_services

    with acting(None, "system"):
        other = opinion_services.category_create(cast.other_street, code="roads", name="道路")
        with pytest.raises(RuleError) as err:
            s.convert(proposal=world.proposal, on=D(2024, 9, 24), category=other, version=world.proposal.version)
    assert err.value.field == "category" and not Opinion.objects.exists()


def test_stale_version_and_permission(cast: Any, world: Any) -> None:
    with acting(None, "system"), pytest.raises(StaleVersionError):
        s.accept(proposal=world.proposal, on=D(2024, 9, 23), lead_unit="x", version=world.proposal.version - 1)
    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        s.accept(proposal=world.proposal, on=D(2024, 9, 23), lead_unit="x", version=world.proposal.version)
    with acting(cast.member_user, "web"), pytest.raises(PermissionDeniedError):
        s.proposal_create(org=cast.branch_a, title="x", received_on=D(2024, 9, 23), proposers=[{"name": "甲"}])
    with acting(cast.secretary, "web"):
        p = s.accept(proposal=world.proposal, on=D(2024, 9, 23), lead_unit="街道城建办",
                     version=world.proposal.version)
    assert p.state == ProposalState.ACCEPTED


def test_terms_per_organization(cast: Any, world: Any) -> None:
    from grassroots.rules import registry

    base = registry.in_force("proposals.terms", D(2024, 1, 1)).params
    with override_settings(GRASSROOTS_RULE_OVERRIDES={"proposals.terms": {
            "by_org": {"S": {"answer_months": 6}, "A": {"pass_on_workdays": 3}}}}):
        _rule, params = s.terms_for(cast.branch_a, D(2024, 9, 20))
        assert params["pass_on_workdays"] == 3 and params["answer_months"] == 6 and "answer_workdays" not in params
        with acting(None, "system"):
            p = _accept(world.proposal)
        assert p.answer_due == D(2025, 3, 23)
        _rule, other = s.terms_for(cast.branch_c, D(2024, 9, 20))
        assert other["answer_workdays"] == base["answer_workdays"]


def test_closing_an_unsatisfied_answer_needs_a_reason(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        p = _accept(world.proposal)
        s.answer(proposal=p, answered_on=D(2024, 10, 9), version=p.version, **ANSWER)
        p.refresh_from_db()
        with pytest.raises(RuleError) as err:
            s.extend(proposal=p, on=D(2024, 10, 10), reason="太晚了", version=p.version)
        assert err.value.field == "state"
        p = s.rate(proposal=p, satisfaction="unsatisfied", on=D(2024, 10, 12), version=p.version)
        with pytest.raises(RuleError) as err:
            s.close(proposal=p, on=D(2024, 10, 14), version=p.version)
        assert err.value.field == "note"
        p = s.close(proposal=p, on=D(2024, 10, 14), note="已向提案人当面解释，资金明年安排", version=p.version)
    assert (p.state, p.closed_on, p.review_note) == (ProposalState.CLOSED, D(2024, 10, 14),
                                                     "已向提案人当面解释，资金明年安排")
    with acting(None, "system"), pytest.raises(RuleError):
        s.reopen(proposal=p, on=D(2024, 10, 15), reason="再办", version=p.version)
