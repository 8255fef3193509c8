"""Recruitment services: the happy path end to end, refusals that write nothing, sponsors, the probation,
and the selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_member
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.members.models import MemberPeriod
from grassroots.members.services import member_record_event
from grassroots.recruitment import selectors, services
from grassroots.recruitment.models import Candidate, CandidateStep, Sponsor
from grassroots.recruitment.tests.factories import (
    full_members,
    make_activist,
    make_applicant,
    make_development_target,
    make_probationary,
    make_ready_for_vote,
    row_counts,
    vote_all_yes,
)

D = dt.date


def _stage_dates(c: Candidate) -> tuple[Any, ...]:
    c.refresh_from_db()
    return (c.stage, c.applied_on, c.activist_on, c.target_on, c.admitted_on, c.converted_on, c.closed_on)


def test_applicant_to_full_member_end_to_end(cast: Any) -> None:
    """Every step by hand, as the branch secretary; the stage dates follow the steps, the Member follows the
    votes."""
    li, wang = cast.member, cast.member_a2
    with acting(cast.secretary, "web"):
        c = make_applicant(cast.branch_a, applied_on=D(2022, 3, 1), name="张新")
        assert _stage_dates(c) == ("applicant", D(2022, 3, 1), None, None, None, None, None)
        services.candidate_record_step(c, kind="talked", on=D(2022, 3, 20))
        services.candidate_record_step(c, kind="recommended", on=D(2022, 4, 1))
        services.candidate_record_step(c, kind="activist_decided", on=D(2022, 4, 10))
        assert _stage_dates(c)[:3] == ("activist", D(2022, 3, 1), D(2022, 4, 10))
        services.candidate_assign_sponsors(c, role="training_contact", members=[li], on=D(2022, 4, 10))
        services.candidate_record_step(c, kind="assessed", on=D(2022, 10, 8))
        services.candidate_record_step(c, kind="assessed", on=D(2023, 4, 1))
        services.candidate_record_step(c, kind="target_listed", on=D(2023, 4, 10))
        assert _stage_dates(c)[:4] == ("development_target", D(2022, 3, 1), D(2022, 4, 10), D(2023, 4, 10))
        services.candidate_assign_sponsors(c, role="introducer", members=[li, wang], on=D(2023, 4, 12))
        services.candidate_record_step(c, kind="political_review", on=D(2023, 4, 20))
        services.candidate_record_step(c, kind="training", on=D(2023, 5, 8), end_date=D(2023, 5, 10),
                                       details={"hours": 20})
        services.candidate_record_step(c, kind="committee_review", on=D(2023, 5, 15))
        services.candidate_publish_notice(c, start=D(2023, 5, 22), end=D(2023, 5, 26))
        services.candidate_record_step(c, kind="pre_review", on=D(2023, 5, 29))
        vote = services.branch_vote_record(c, purpose="admission", on=D(2023, 6, 6), attended=[li, wang],
                                           yes=2, no=0, abstain=0)
        assert (vote.quorate, vote.passed, vote.rule) == (True, True, "recruitment.vote@2014")
        assert _stage_dates(c)[0] == "development_target"  # not admitted until the higher committee approves
        services.candidate_approve(c, on=D(2023, 7, 20))
        assert _stage_dates(c)[:5] == ("probationary", D(2022, 3, 1), D(2022, 4, 10), D(2023, 4, 10), D(2023, 6, 6))
        services.candidate_record_step(c, kind="oath", on=D(2023, 7, 28))
        member = c.member
        assert (member.name, member.status, member.joined_on, member.org_id) == (
            "张新", "probationary", D(2023, 6, 6), cast.branch_a.pk)
        assert services.probation_end(c) == D(2024, 6, 6)
        conv = services.branch_vote_record(c, purpose="conversion", on=D(2024, 6, 6), attended=[li, wang],
                                           yes=2, no=0, abstain=0)
        assert conv.passed and member.pk not in {m.pk for m in conv.entitled.all()}
        services.candidate_convert(c, on=D(2024, 6, 28))
    assert _stage_dates(c) == ("full", D(2022, 3, 1), D(2022, 4, 10), D(2023, 4, 10), D(2023, 6, 6),
                               D(2024, 6, 6), None)
    member.refresh_from_db()
    assert [(e.kind, e.date) for e in member.events.all()] == [("joined", D(2023, 6, 6)), ("converted", D(2024, 6, 6))]
    assert (member.status, member.converted_on) == ("full", D(2024, 6, 6))
    assert [(p.start, p.end, p.status) for p in MemberPeriod.objects.filter(member=member)] == [
        (D(2023, 6, 6), D(2024, 6, 6), "probationary"), (D(2024, 6, 6), None, "full")]
    actions = list(AuditEntry.objects.filter(object_type="recruitment.candidate", object_id=str(c.pk)).order_by("id")
                   .values_list("action", flat=True))
    assert actions == [f"candidate.{s.kind}" for s in CandidateStep.objects.filter(candidate=c).order_by("id")]
    entry = AuditEntry.objects.get(action="candidate.higher_approval")
    assert (entry.actor_name, entry.channel, entry.org_id) == ("secretary", "web", cast.branch_a.pk)
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()
    # every deadline met: nothing recorded late
    assert not [s.kind for s in c.steps.all() if s.details.get("late")]


def test_outsider_and_auditor_may_not_write(cast: Any) -> None:
    c = make_activist(cast.branch_a, applied_on=D(2024, 3, 1))
    before = row_counts()
    for user in (cast.outsider, cast.auditor, cast.member_user):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.candidate_record_step(c, kind="assessed", on=D(2024, 9, 1))
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            make_applicant(cast.branch_a, applied_on=D(2024, 3, 1))
    with acting(cast.street_admin, "web"):  # an organizer above the branch may
        services.candidate_record_step(c, kind="assessed", on=D(2024, 9, 1))
    assert row_counts()["CandidateStep"] == before["CandidateStep"] + 1


@pytest.fixture
def stages(cast: Any) -> dict[str, Candidate]:
    """One candidate at each point the refusals below start from (branch A)."""
    late_full = make_member(cast.branch_a, name="周新", joined_on=D(2022, 1, 5), converted_on=D(2023, 6, 1))
    probationer = make_member(cast.branch_a, name="钱预", joined_on=D(2023, 1, 5), status="probationary",
                              converted_on=None)
    suspended = make_member(cast.branch_b, name="孙失")
    member_record_event(suspended, kind="suspended", on=D(2023, 2, 1))
    recommended = make_applicant(cast.branch_a, applied_on=D(2024, 3, 1))
    services.candidate_record_step(recommended, kind="talked", on=D(2024, 3, 5))
    services.candidate_record_step(recommended, kind="recommended", on=D(2024, 3, 20))
    extended = make_probationary(cast.branch_a, applied_on=D(2021, 7, 1))
    services.candidate_extend_probation(extended, on=D(2023, 1, 10), months=6)
    return {
        "recommended": recommended,
        "extended": extended,
        "suspended": suspended,  # type: ignore[dict-item]
        "applicant": make_applicant(cast.branch_a, applied_on=D(2024, 3, 1)),
        "activist": make_activist(cast.branch_a, applied_on=D(2024, 4, 1)),
        "target": make_development_target(cast.branch_a, applied_on=D(2022, 2, 1)),
        "ready": make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1)),
        "probationary": make_probationary(cast.branch_a, applied_on=D(2021, 6, 1)),
        "late_full": late_full,  # type: ignore[dict-item]
        "probationer": probationer,  # type: ignore[dict-item]
    }


def tomorrow() -> dt.date:
    """The day after the day the test runs (a module constant would be the collection's, wrong after midnight)."""
    return timezone.localdate() + dt.timedelta(days=1)


Refusal = Callable[[Any, dict[str, Any]], Any]
REFUSALS: dict[str, tuple[Refusal, str]] = {
    "step before the application": (
        lambda cast, s: services.candidate_record_step(s["applicant"], kind="talked", on=D(2024, 2, 28)), "on"),
    "step in the future": (
        lambda cast, s: services.candidate_record_step(s["applicant"], kind="talked", on=tomorrow()), "on"),
    "listing before the activist decision": (
        lambda cast, s: services.candidate_record_step(s["applicant"], kind="target_listed", on=D(2025, 6, 1)),
        "kind"),
    "decision dated before the recommendation": (
        lambda cast, s: services.candidate_record_step(s["recommended"], kind="activist_decided", on=D(2024, 3, 19)),
        "on"),
    "a one-off step twice": (
        lambda cast, s: services.candidate_record_step(s["activist"], kind="talked", on=D(2024, 6, 1)), "kind"),
    "vote before the pre-review": (
        lambda cast, s: services.branch_vote_record(s["target"], purpose="admission", on=D(2023, 6, 1),
                                                    attended=full_members(cast.branch_a, D(2023, 6, 1)),
                                                    yes=2, no=0, abstain=0), "kind"),
    "probationary training contact": (
        lambda cast, s: services.candidate_assign_sponsors(s["activist"], role="training_contact",
                                                           members=[s["probationer"]], on=D(2024, 6, 1)), "members"),
    "three training contacts": (
        lambda cast, s: services.candidate_assign_sponsors(
            s["activist"], role="training_contact", members=[cast.member, cast.member_a2, s["late_full"]],
            on=D(2024, 6, 1)), "members"),
    "one introducer": (
        lambda cast, s: services.candidate_assign_sponsors(s["target"], role="introducer", members=[cast.member],
                                                           on=D(2023, 3, 10)), "members"),
    "introducer not yet full on the date": (
        lambda cast, s: services.candidate_assign_sponsors(s["target"], role="introducer",
                                                           members=[cast.member, s["late_full"]], on=D(2023, 5, 31)),
        "members"),
    "introducer suspended on the date": (
        lambda cast, s: services.candidate_assign_sponsors(s["target"], role="introducer",
                                                           members=[cast.member, s["suspended"]], on=D(2023, 3, 10)),
        "members"),
    "introducer twice": (
        lambda cast, s: services.candidate_assign_sponsors(s["target"], role="introducer",
                                                           members=[cast.member, cast.member], on=D(2023, 3, 10)),
        "members"),
    "more ballots than attendees": (
        lambda cast, s: services.branch_vote_record(s["ready"], purpose="admission", on=D(2023, 8, 1),
                                                    attended=[cast.member, cast.member_a2], yes=2, no=1, abstain=0),
        "yes"),
    "attendee not entitled": (
        lambda cast, s: services.branch_vote_record(s["ready"], purpose="admission", on=D(2023, 8, 1),
                                                    attended=[cast.member, cast.member_a2, s["probationer"]],
                                                    yes=3, no=0, abstain=0), "attended"),
    "written opinion from an attendee": (
        lambda cast, s: services.branch_vote_record(s["ready"], purpose="admission", on=D(2023, 8, 1),
                                                    attended=[cast.member, cast.member_a2],
                                                    written=[cast.member], yes=2, no=0, abstain=0), "written"),
    "approval without a vote": (lambda cast, s: services.candidate_approve(s["ready"], on=D(2023, 8, 1)), "on"),
    "extension of 5 months": (
        lambda cast, s: services.candidate_extend_probation(s["probationary"], on=D(2023, 6, 1), months=5), "months"),
    "second extension": (
        lambda cast, s: services.candidate_extend_probation(s["extended"], on=D(2023, 2, 10), months=6), "months"),
    "notice ending before it starts": (
        lambda cast, s: services.candidate_publish_notice(s["activist"], start=D(2024, 6, 10), end=D(2024, 6, 9)),
        "end"),
    "withdrawing a probationary member": (
        lambda cast, s: services.candidate_withdraw(s["probationary"], on=D(2023, 1, 10), reason="moved"), "kind"),
    "conversion vote before the end of probation": (
        lambda cast, s: vote_all_yes(s["probationary"], purpose="conversion",
                                     on=services.probation_end(s["probationary"]) - dt.timedelta(days=1)), "on"),
    "unknown step kind": (
        lambda cast, s: services.candidate_record_step(s["applicant"], kind="higher_approval", on=D(2024, 6, 1)),
        "kind"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_input_is_refused_and_writes_nothing(cast: Any, stages: dict[str, Any], case: str) -> None:
    action, field = REFUSALS[case]
    before = row_counts()
    snapshots = {k: _stage_dates(v) for k, v in stages.items() if isinstance(v, Candidate)}
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as err:
        action(cast, stages)
    assert err.value.field == field, err.value
    assert err.value.message  # a sentence for the user
    assert row_counts() == before
    assert {k: _stage_dates(v) for k, v in stages.items() if isinstance(v, Candidate)} == snapshots


def test_apply_refusals(cast: Any) -> None:
    make_applicant(cast.branch_a, applied_on=D(2024, 1, 10), birth=D(1990, 1, 1), name="甲")
    before = row_counts()
    with pytest.raises(RuleError) as err:  # the same person twice while the first application is open
        make_applicant(cast.branch_b, applied_on=D(2024, 2, 10), birth=D(1990, 1, 1), name="甲",
                       id_number=Candidate.objects.get(name="甲").id_number)
    assert err.value.field == "id_number"
    with pytest.raises(RuleError) as err:  # already a member
        make_applicant(cast.branch_a, applied_on=D(2024, 2, 10), id_number=cast.member.id_number,
                       birth=cast.member.birth_date)
    assert err.value.field == "id_number"
    with pytest.raises(RuleError) as err:  # a party group is not where one applies
        make_applicant(cast.group_a1, applied_on=D(2024, 2, 10))
    assert err.value.field == "org"
    assert row_counts() == before


def test_new_sponsors_replace_the_old_from_their_date(cast: Any) -> None:
    c = make_activist(cast.branch_a, applied_on=D(2024, 3, 1), contacts=[cast.member])
    services.candidate_assign_sponsors(c, role="training_contact", members=[cast.member_a2], on=D(2024, 9, 1))
    rows = [(s.member_id, s.since, s.until) for s in Sponsor.objects.filter(candidate=c).order_by("since")]
    assert rows == [(cast.member.pk, D(2024, 3, 31), D(2024, 9, 1)), (cast.member_a2.pk, D(2024, 9, 1), None)]
    step = c.steps.filter(kind="contacts_assigned").last()
    assert step is not None and step.details["rule"] == "recruitment.training_contacts@2014"


def test_failed_vote_then_withdrawal_closes(cast: Any) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1))
    vote = services.branch_vote_record(c, purpose="admission", on=D(2023, 8, 1),
                                       attended=[cast.member, cast.member_a2], yes=1, no=1, abstain=0)
    assert (vote.quorate, vote.passed) == (True, False)
    with pytest.raises(RuleError):
        services.candidate_approve(c, on=D(2023, 8, 2))
    with pytest.raises(RuleError):  # closing before the last step is out of order
        services.candidate_withdraw(c, on=D(2023, 7, 31), reason="not admitted")
    services.candidate_withdraw(c, on=D(2023, 8, 2), reason="not admitted")
    assert _stage_dates(c)[0] == "closed" and (c.closed_on, c.close_reason) == (D(2023, 8, 2), "not admitted")
    with pytest.raises(RuleError):
        services.candidate_record_step(c, kind="oath", on=D(2023, 9, 1))
    # the person may apply again
    again = make_applicant(cast.branch_a, applied_on=D(2024, 1, 5), name=c.name, id_number=c.id_number,
                           birth=c.birth_date)
    assert again.stage == "applicant"


def test_extension_moves_the_end_of_probation(cast: Any) -> None:
    c = make_probationary(cast.branch_a, applied_on=D(2021, 6, 1))
    end = services.probation_end(c)
    assert end == services.add_years(c.admitted_on, 1)  # type: ignore[arg-type]
    services.candidate_extend_probation(c, on=end, months=6, note="branch meeting")  # type: ignore[arg-type]
    assert services.probation_end(c) == services.add_months(end, 6)  # type: ignore[arg-type]
    step = c.steps.get(kind="probation_extended")
    assert (step.details["rule"], step.details["months"]) == ("recruitment.extension@2014", 6)
    with pytest.raises(RuleError):  # still on probation on the old end date
        vote_all_yes(c, purpose="conversion", on=end)  # type: ignore[arg-type]
    vote_all_yes(c, purpose="conversion", on=services.probation_end(c))  # type: ignore[arg-type]
    services.candidate_convert(c, on=services.probation_end(c) + dt.timedelta(days=3))  # type: ignore[operator]
    assert c.member is not None
    c.member.refresh_from_db()
    assert c.member.converted_on == services.add_months(end, 6)  # type: ignore[arg-type]


def test_cancel_probation_removes_the_member(cast: Any) -> None:
    c = make_probationary(cast.branch_a, applied_on=D(2021, 6, 1))
    assert c.member is not None
    services.candidate_cancel_probation(c, on=D(2023, 3, 1), reason="did not meet the conditions")
    c.member.refresh_from_db()
    ev = c.member.events.order_by("-id")[0]
    assert (ev.kind, ev.date, ev.details["reason"]) == ("removed", D(2023, 3, 1), "probation_cancelled")
    assert c.member.standing == "removed"
    assert _stage_dates(c)[0] == "closed" and c.close_reason == "did not meet the conditions"
    with pytest.raises(RuleError):
        services.candidate_convert(c, on=D(2023, 4, 1))


def test_timeline_lists_steps_then_what_is_due(cast: Any) -> None:
    c = make_applicant(cast.branch_a, applied_on=D(2024, 3, 1))
    entries = selectors.timeline(c, as_of=D(2024, 3, 10))
    assert [(e.kind, e.state) for e in entries] == [
        ("applied", "done"), ("talked", "next"), ("recommended", "next"), ("activist_decided", "next")]
    assert (entries[1].due, entries[1].rule) == (D(2024, 4, 1), "recruitment.talk_within@2014")
    assert selectors.timeline(c, as_of=D(2024, 4, 2))[1].state == "overdue"
    services.candidate_record_step(c, kind="talked", on=D(2024, 4, 5))  # late: recorded, marked
    talk = selectors.timeline(c, as_of=D(2024, 4, 5))[1]
    assert (talk.kind, talk.state, talk.late, talk.due) == ("talked", "done", True, D(2024, 4, 1))
    services.candidate_record_step(c, kind="recommended", on=D(2024, 4, 6))
    services.candidate_record_step(c, kind="activist_decided", on=D(2024, 4, 8))
    upcoming = {e.kind: e for e in selectors.timeline(c, as_of=D(2024, 5, 1)) if e.state != "done"}
    assert upcoming["assessed"].due == D(2024, 10, 8)
    assert upcoming["target_listed"].earliest == D(2025, 4, 8)
    assert "notice" not in upcoming  # listing would fall under the 2014 rules: no notice before it
    upcoming = {e.kind: e for e in selectors.timeline(c, as_of=D(2026, 6, 1)) if e.state != "done"}
    assert upcoming["notice"].rule == "recruitment.public_notice@2026"  # listing now would need a notice


def test_timeline_after_pre_review_and_after_admission(cast: Any) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1))
    pre = c.steps.get(kind="pre_review").date
    nxt = [e for e in selectors.timeline(c, as_of=pre) if e.state != "done"]
    assert [(e.kind, e.due) for e in nxt] == [("admission_vote", services.add_months(pre, 1))]
    p = make_probationary(cast.branch_a, applied_on=D(2021, 6, 1))
    nxt = [e for e in selectors.timeline(p, as_of=D(2023, 1, 1)) if e.state != "done"]
    assert [(e.kind, e.due) for e in nxt] == [("conversion_vote", services.probation_end(p))]


def test_pipeline_by_stage_on_a_day(cast: Any) -> None:
    a = make_applicant(cast.branch_a, applied_on=D(2024, 3, 1))
    b = make_activist(cast.branch_b, applied_on=D(2024, 1, 1), contacts=[cast.member_b])
    t = make_development_target(cast.branch_a, applied_on=D(2022, 2, 1))
    p = make_probationary(cast.branch_a, applied_on=D(2021, 6, 1))
    make_applicant(cast.branch_c, applied_on=D(2024, 3, 1))  # another street
    board = selectors.pipeline(cast.street, D(2024, 6, 1))
    assert {k: [c.pk for c in v] for k, v in board.items()} == {
        "applicant": [a.pk], "activist": [b.pk], "development_target": [t.pk], "probationary": [p.pk], "full": []}
    early = selectors.pipeline(cast.branch_a, D(2022, 8, 1))  # t an activist, p not yet admitted
    assert {k: [c.pk for c in v] for k, v in early.items()} == {
        "applicant": [], "activist": [t.pk], "development_target": [p.pk], "probationary": [], "full": []}
    assert [c.pk for c in selectors.pipeline(cast.branch_b, D(2024, 6, 1))["activist"]] == [b.pk]


def test_full_members_helper_sees_periods(cast: Any) -> None:
    assert {m.pk for m in full_members(cast.branch_a, D(2024, 1, 1))} == {cast.member.pk, cast.member_a2.pk}
