"""Recruitment findings, rule by rule at their boundaries; the source over a subtree; `grassroots check`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from grassroots.cli import main
from grassroots.core import idnumber
from grassroots.recruitment.findings import add_months, candidate_findings
from grassroots.recruitment.models import (
    BranchVote,
    Candidate,
    CandidateStep,
    ContactRole,
    Sponsor,
    Stage,
    StepKind,
    VotePurpose,
)
from grassroots.rules.findings import DONE, DUE_SOON, OVERDUE, VIOLATED, Finding, findings_for

D = dt.date
_seq = [100]


@pytest.fixture(autouse=True)
def recruitment_only(monkeypatch: Any) -> None:
    """These tests are about the recruitment source: the dues and meetings sources (which would list the
    cast's unrecorded meetings and dues) have their own tests."""
    from grassroots.rules import findings

    monkeypatch.setattr(findings, "_SOURCES", {"recruitment": findings.sources()["recruitment"]})


def make_candidate(org: Any, *, name: str = "张三", applied: dt.date, activist: dt.date | None = None,
                   target: dt.date | None = None, admitted: dt.date | None = None,
                   converted: dt.date | None = None, closed: dt.date | None = None) -> Candidate:
    """A candidate with its stage dates set directly (the services derive them from the steps)."""
    _seq[0] += 1
    birth = D(1998, 5, 6)
    stage = (Stage.CLOSED if closed else Stage.FULL if converted else Stage.PROBATIONARY if admitted
             else Stage.DEVELOPMENT_TARGET if target else Stage.ACTIVIST if activist else Stage.APPLICANT)
    candidate = Candidate.objects.create(
        name=name, sex="M", birth_date=birth, id_number=idnumber.make("530522", birth, _seq[0] % 1000),
        education="bachelor", occupation="in_service", org=org, stage=stage, applied_on=applied,
        activist_on=activist, target_on=target, admitted_on=admitted, converted_on=converted, closed_on=closed)
    add_step(candidate, StepKind.APPLIED, applied)
    return candidate


def add_step(candidate: Candidate, kind: str, on: dt.date, **kw: Any) -> CandidateStep:
    return CandidateStep.objects.create(candidate=candidate, kind=kind, date=on, **kw)


def add_sponsor(candidate: Candidate, member: Any, role: str, since: dt.date) -> Sponsor:
    return Sponsor.objects.create(candidate=candidate, member=member, role=role, since=since)


def add_vote(candidate: Candidate, purpose: str, on: dt.date, *, passed: bool = True,
             quorate: bool = True) -> BranchVote:
    return BranchVote.objects.create(candidate=candidate, org=candidate.org, purpose=purpose, date=on, yes=3, no=0,
                                     abstain=0, quorate=quorate, passed=passed, rule="recruitment.vote@2014")


def about(candidate: Candidate, as_of: dt.date, rule_id: str) -> list[Finding]:
    fresh = Candidate.objects.prefetch_related("steps", "sponsors", "votes").select_related("org").get(
        pk=candidate.pk)
    return [f for f in candidate_findings(fresh, as_of) if f.rule_id == rule_id]


def states(candidate: Candidate, as_of: dt.date, rule_id: str) -> list[str]:
    return [f.state for f in about(candidate, as_of, rule_id)]


# --- the talk -------------------------------------------------------------------------------------

APPLIED = D(2025, 3, 10)
TALK_DUE = D(2025, 4, 10)  # one month after the application


@pytest.mark.parametrize(("as_of", "expected"), [
    (TALK_DUE - dt.timedelta(days=15), []),
    (TALK_DUE - dt.timedelta(days=14), [DUE_SOON]),
    (TALK_DUE, [DUE_SOON]),
    (TALK_DUE + dt.timedelta(days=1), [OVERDUE]),
])
def test_talk_deadline_states(cast: Any, as_of: dt.date, expected: list[str]) -> None:
    c = make_candidate(cast.branch_a, applied=APPLIED)
    assert states(c, as_of, "recruitment.talk_within") == expected


@pytest.mark.parametrize(("talked", "expected"), [(TALK_DUE, DONE), (TALK_DUE + dt.timedelta(days=1), VIOLATED)])
def test_talk_done_on_the_due_date_or_late(cast: Any, talked: dt.date, expected: str) -> None:
    c = make_candidate(cast.branch_a, applied=APPLIED)
    add_step(c, StepKind.TALKED, talked)
    [finding] = about(c, D(2025, 5, 1), "recruitment.talk_within")
    assert finding.state == expected and finding.due == TALK_DUE
    assert finding.rule == "recruitment.talk_within@2014"
    assert talked.isoformat() in finding.message and TALK_DUE.isoformat() in finding.message


def test_finding_names_the_candidate_branch_and_page(cast: Any) -> None:
    c = make_candidate(cast.branch_a, name="陈静", applied=APPLIED)
    [f] = about(c, D(2025, 4, 11), "recruitment.talk_within")
    assert (f.subject_type, f.subject_id, f.subject_label) == ("candidate", c.pk, "陈静")
    assert (f.org_id, f.org_name, f.url) == (cast.branch_a.pk, "第一支部", f"/candidates/{c.pk}/")
    assert f.message == "The talk with the applicant was due by 2025-04-10 and has not been recorded."


def test_finding_disappears_when_the_step_is_recorded(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=APPLIED)
    as_of = D(2025, 4, 20)
    assert [f.state for f in findings_for(cast.branch_a, as_of)] == [OVERDUE]
    add_step(c, StepKind.TALKED, D(2025, 4, 8))
    assert findings_for(cast.branch_a, as_of) == []
    assert [f.state for f in findings_for(cast.branch_a, as_of, include_done=True)] == [DONE]


def test_a_step_recorded_after_as_of_does_not_count_yet(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=APPLIED)
    add_step(c, StepKind.TALKED, D(2025, 4, 30))
    assert states(c, D(2025, 4, 20), "recruitment.talk_within") == [OVERDUE]
    assert states(c, D(2025, 4, 30), "recruitment.talk_within") == [VIOLATED]


def test_violations_older_than_twelve_months_are_not_listed(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=APPLIED)
    add_step(c, StepKind.TALKED, D(2025, 4, 20))  # late
    assert states(c, D(2026, 4, 19), "recruitment.talk_within") == [VIOLATED]
    assert states(c, D(2026, 4, 20), "recruitment.talk_within") == []


def test_no_talk_finding_once_an_activist_or_when_closed(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=APPLIED, activist=D(2025, 9, 1))
    assert states(c, D(2025, 8, 31), "recruitment.talk_within") == [OVERDUE]
    assert states(c, D(2025, 9, 1), "recruitment.talk_within") == []
    closed = make_candidate(cast.branch_b, applied=APPLIED, closed=D(2025, 4, 15))
    assert about(closed, D(2025, 5, 1), "recruitment.talk_within") == []


# --- activists ------------------------------------------------------------------------------------

ACTIVIST_ON = D(2024, 1, 15)


def test_training_contacts_due_when_the_activist_is_decided(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=D(2023, 6, 1), activist=ACTIVIST_ON)
    assert states(c, ACTIVIST_ON - dt.timedelta(days=1), "recruitment.training_contacts") == []
    assert states(c, ACTIVIST_ON, "recruitment.training_contacts") == [DUE_SOON]
    assert states(c, ACTIVIST_ON + dt.timedelta(days=1), "recruitment.training_contacts") == [OVERDUE]
    add_sponsor(c, cast.member_a2, ContactRole.TRAINING_CONTACT, ACTIVIST_ON + dt.timedelta(days=1))
    assert states(c, D(2024, 3, 1), "recruitment.training_contacts") == [VIOLATED]


def test_training_contacts_assigned_on_the_day_are_done(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=D(2023, 6, 1), activist=ACTIVIST_ON)
    add_sponsor(c, cast.member_a2, ContactRole.TRAINING_CONTACT, ACTIVIST_ON)
    assert states(c, D(2024, 3, 1), "recruitment.training_contacts") == [DONE]


def test_half_yearly_assessment_chain(cast: Any) -> None:
    c = make_candidate(cast.branch_a, applied=D(2023, 6, 1), activist=ACTIVIST_ON)
    first_due = D(2024, 7, 15)
    assert states(c, first_due - dt.timedelta(days=15), "recruitment.activist_assessment") == []
    assert states(c, first_due - dt.timedelta(days=14), "recruitment.activist_assessment") == [DUE_SOON]
    assert states(c, first_due + dt.timedelta(days=1), "recruitment.activist_assessment") == [OVERDUE]
    add_step(c, StepKind.ASSESSED, D(2024, 7, 10))  # in time: the next is due six months after it
    found = about(c, D(2025, 1, 11), "recruitment.activist_assessment")
    assert [(f.state, f.due) for f in found] == [(DONE, first_due), (OVERDUE, D(2025, 1, 10))]
    add_step(c, StepKind.ASSESSED, D(2025, 1, 12))  # two days late
    found = about(c, D(2025, 2, 1), "recruitment.activist_assessment")
    assert [(f.state, f.due) for f in found] == [(DONE, first_due), (VIOLATED, D(2025, 1, 10))]


def test_listing_before_a_year_as_activist_is_a_violation(cast: Any) -> None:
    early = make_candidate(cast.branch_a, applied=D(2023, 6, 1), activist=ACTIVIST_ON, target=D(2025, 1, 14))
    assert states(early, D(2025, 2, 1), "recruitment.activist_min_period") == [VIOLATED]
    on_time = make_candidate(cast.branch_b, applied=D(2023, 6, 1), activist=ACTIVIST_ON, target=D(2025, 1, 15))
    assert states(on_time, D(2025, 2, 1), "recruitment.activist_min_period") == []
    # Assessments stop with the listing: no assessment is due after becoming a development target.
    add_step(on_time, StepKind.ASSESSED, D(2024, 7, 1))
    assert OVERDUE not in states(on_time, D(2025, 2, 1), "recruitment.activist_assessment")


# --- development targets --------------------------------------------------------------------------

LISTED = D(2025, 3, 3)
PRE_REVIEW = D(2025, 5, 20)


def _target(cast: Any, **kw: Any) -> Candidate:
    return make_candidate(cast.branch_a, applied=D(2023, 6, 1), activist=D(2024, 1, 15), target=LISTED, **kw)


def test_two_introducers_due_on_listing(cast: Any) -> None:
    c = _target(cast)
    add_sponsor(c, cast.member, ContactRole.INTRODUCER, LISTED)
    assert states(c, LISTED, "recruitment.introducers") == [DUE_SOON]
    assert states(c, LISTED + dt.timedelta(days=1), "recruitment.introducers") == [OVERDUE]
    add_sponsor(c, cast.member_a2, ContactRole.INTRODUCER, LISTED)
    assert states(c, LISTED + dt.timedelta(days=1), "recruitment.introducers") == [DONE]


def test_2014_notice_before_the_pre_review(cast: Any) -> None:
    c = _target(cast)
    assert states(c, D(2025, 5, 1), "recruitment.public_notice") == []  # no pre-review yet: nothing due
    add_step(c, StepKind.PRE_REVIEW, PRE_REVIEW)
    assert states(c, PRE_REVIEW, "recruitment.public_notice") == [DUE_SOON]
    assert states(c, PRE_REVIEW + dt.timedelta(days=1), "recruitment.public_notice") == [OVERDUE]
    add_step(c, StepKind.NOTICE, D(2025, 5, 12), end_date=PRE_REVIEW)  # ends on the day: in time
    [f] = about(c, D(2025, 6, 1), "recruitment.public_notice")
    assert (f.state, f.rule) == (DONE, "recruitment.public_notice@2014")


def test_notice_over_national_day_counts_working_days(cast: Any) -> None:
    # 2025-09-29 (Mon) to 2025-10-09 (Thu): 29, 30 Sep and 9 Oct are working days (1-8 Oct are holidays).
    c = _target(cast)
    add_step(c, StepKind.NOTICE, D(2025, 9, 29), end_date=D(2025, 10, 9))
    [f] = about(c, D(2025, 10, 20), "recruitment.public_notice")
    assert f.state == VIOLATED
    assert "lasted 3 working day(s), fewer than 5" in f.message
    ok = make_candidate(cast.branch_b, applied=D(2023, 6, 1), activist=D(2024, 1, 15), target=LISTED)
    # Sep 28 (a Sunday make-up workday) + 29, 30 Sep + 9, 10 Oct: five working days.
    add_step(ok, StepKind.NOTICE, D(2025, 9, 28), end_date=D(2025, 10, 10))
    assert about(ok, D(2025, 10, 20), "recruitment.public_notice") == []


def test_2026_notice_before_listing(cast: Any) -> None:
    listed = D(2026, 6, 1)
    c = make_candidate(cast.branch_a, applied=D(2024, 6, 1), activist=D(2025, 1, 15), target=listed)
    [f] = about(c, listed + dt.timedelta(days=1), "recruitment.public_notice")
    assert (f.state, f.rule, f.due) == (OVERDUE, "recruitment.public_notice@2026", listed)
    add_step(c, StepKind.NOTICE, D(2026, 5, 22), end_date=D(2026, 5, 28))
    assert states(c, listed + dt.timedelta(days=1), "recruitment.public_notice") == [DONE]  # 5 working days


def test_political_review_and_training_before_the_pre_review(cast: Any) -> None:
    c = _target(cast)
    add_step(c, StepKind.PRE_REVIEW, PRE_REVIEW)
    day = PRE_REVIEW + dt.timedelta(days=1)
    assert states(c, day, "recruitment.political_review") == [OVERDUE]
    assert states(c, day, "recruitment.training") == [OVERDUE]
    add_step(c, StepKind.POLITICAL_REVIEW, D(2025, 4, 1))
    add_step(c, StepKind.TRAINING, D(2025, 4, 7), end_date=D(2025, 4, 9))  # three days
    assert states(c, day, "recruitment.political_review") == [DONE]
    assert states(c, day, "recruitment.training") == [DONE]


def test_training_shorter_than_three_days_or_24_hours(cast: Any) -> None:
    c = _target(cast)
    add_step(c, StepKind.TRAINING, D(2025, 4, 7), end_date=D(2025, 4, 8), details={"hours": 16})
    [f] = about(c, D(2025, 4, 20), "recruitment.training")
    assert f.state == VIOLATED and "2 day(s) and 16 class hour(s)" in f.message
    ok = make_candidate(cast.branch_b, applied=D(2023, 6, 1), activist=D(2024, 1, 15), target=LISTED)
    add_step(ok, StepKind.TRAINING, D(2025, 4, 7), end_date=D(2025, 4, 8), details={"hours": 24})
    assert about(ok, D(2025, 4, 20), "recruitment.training") == []  # no pre-review yet: only the length


MEETING_DUE = D(2025, 6, 20)  # one month after the pre-review


@pytest.mark.parametrize(("as_of", "expected"), [
    (MEETING_DUE - dt.timedelta(days=15), []),
    (MEETING_DUE - dt.timedelta(days=14), [DUE_SOON]),
    (MEETING_DUE, [DUE_SOON]),
    (MEETING_DUE + dt.timedelta(days=1), [OVERDUE]),
])
def test_branch_meeting_within_a_month_of_the_pre_review(cast: Any, as_of: dt.date, expected: list[str]) -> None:
    c = _target(cast)
    add_step(c, StepKind.PRE_REVIEW, PRE_REVIEW)
    assert states(c, as_of, "recruitment.meeting_after_pre_review") == expected


def test_branch_meeting_held_late_and_a_meeting_without_quorum(cast: Any) -> None:
    c = _target(cast)
    add_step(c, StepKind.PRE_REVIEW, PRE_REVIEW)
    add_vote(c, VotePurpose.ADMISSION, MEETING_DUE, quorate=False, passed=False)  # does not count
    assert states(c, MEETING_DUE + dt.timedelta(days=1), "recruitment.meeting_after_pre_review") == [OVERDUE]
    add_vote(c, VotePurpose.ADMISSION, MEETING_DUE + dt.timedelta(days=1))
    assert states(c, D(2025, 7, 1), "recruitment.meeting_after_pre_review") == [VIOLATED]


# --- approval, oath, probation --------------------------------------------------------------------

VOTED = D(2025, 6, 10)
APPROVAL_DUE = D(2025, 9, 10)


def _admitted(cast: Any) -> Candidate:
    c = _target(cast, admitted=VOTED)
    add_step(c, StepKind.PRE_REVIEW, D(2025, 5, 20))
    add_vote(c, VotePurpose.ADMISSION, VOTED)
    return c


@pytest.mark.parametrize(("as_of", "expected"), [
    (APPROVAL_DUE - dt.timedelta(days=15), []),
    (APPROVAL_DUE - dt.timedelta(days=14), [DUE_SOON]),
    (APPROVAL_DUE, [DUE_SOON]),
    (APPROVAL_DUE + dt.timedelta(days=1), [OVERDUE]),
])
def test_higher_approval_within_three_months(cast: Any, as_of: dt.date, expected: list[str]) -> None:
    assert states(_admitted(cast), as_of, "recruitment.higher_approval") == expected


def test_higher_approval_late_unless_special(cast: Any) -> None:
    c = _admitted(cast)
    add_step(c, StepKind.HIGHER_APPROVAL, APPROVAL_DUE + dt.timedelta(days=1))
    assert states(c, D(2025, 10, 1), "recruitment.higher_approval") == [VIOLATED]
    special = make_candidate(cast.branch_b, applied=D(2023, 6, 1), activist=D(2024, 1, 15), target=LISTED,
                             admitted=VOTED)
    add_vote(special, VotePurpose.ADMISSION, VOTED)
    add_step(special, StepKind.HIGHER_APPROVAL, D(2025, 12, 10), details={"special": True})  # within 6 months
    assert states(special, D(2025, 12, 20), "recruitment.higher_approval") == [DONE]


def test_oath_after_approval(cast: Any) -> None:
    c = _admitted(cast)
    approved = D(2025, 7, 1)
    add_step(c, StepKind.HIGHER_APPROVAL, approved)
    oath_due = add_months(approved, 3)
    assert states(c, oath_due, "recruitment.oath") == [DUE_SOON]
    assert states(c, oath_due + dt.timedelta(days=1), "recruitment.oath")[0] == OVERDUE
    add_step(c, StepKind.OATH, D(2025, 7, 1))
    assert OVERDUE not in states(c, oath_due + dt.timedelta(days=1), "recruitment.oath")


PROBATION_END = D(2026, 6, 10)  # one year after the admitting meeting


def _probationary(cast: Any) -> Candidate:
    c = _admitted(cast)
    add_step(c, StepKind.HIGHER_APPROVAL, D(2025, 7, 1))
    add_step(c, StepKind.OATH, D(2025, 7, 1))
    return c


@pytest.mark.parametrize(("as_of", "expected"), [
    (PROBATION_END - dt.timedelta(days=15), []),
    (PROBATION_END - dt.timedelta(days=14), [DUE_SOON]),
    (PROBATION_END, [DUE_SOON]),
    (PROBATION_END + dt.timedelta(days=1), [OVERDUE]),
])
def test_conversion_meeting_at_the_end_of_probation(cast: Any, as_of: dt.date, expected: list[str]) -> None:
    c = _probationary(cast)
    conversion = [f for f in about(c, as_of, "recruitment.probation") if "conversion" in f.message]
    assert [f.state for f in conversion] == expected
    assert all(f.due == PROBATION_END for f in conversion)


def test_conversion_meeting_held_on_time_and_after_an_extension(cast: Any) -> None:
    c = _probationary(cast)
    add_vote(c, VotePurpose.CONVERSION, PROBATION_END, passed=False)  # held in time, not passed
    conversion = [f for f in about(c, D(2026, 6, 20), "recruitment.probation") if "conversion" in f.message]
    assert [f.state for f in conversion] == [DONE]
    add_step(c, StepKind.PROBATION_EXTENDED, D(2026, 6, 12), details={"months": 6})
    extended_end = D(2026, 12, 10)
    conversion = [f for f in about(c, extended_end + dt.timedelta(days=1), "recruitment.probation")
                  if "conversion" in f.message]
    assert [(f.state, f.due) for f in conversion] == [(OVERDUE, extended_end)]
    assert states(c, D(2026, 7, 1), "recruitment.extension") == []


def test_an_extension_outside_six_to_twelve_months_is_a_violation(cast: Any) -> None:
    c = _probationary(cast)
    add_step(c, StepKind.PROBATION_EXTENDED, D(2026, 6, 12), details={"months": 3})
    [f] = about(c, D(2026, 7, 1), "recruitment.extension")
    assert f.state == VIOLATED and "by 3 month(s)" in f.message


def test_a_converted_member_has_no_open_findings(cast: Any) -> None:
    c = _probationary(cast)
    add_vote(c, VotePurpose.CONVERSION, PROBATION_END)
    Candidate.objects.filter(pk=c.pk).update(converted_on=PROBATION_END, stage=Stage.FULL)
    assert [f for f in findings_for(cast.branch_a, D(2026, 12, 1)) if f.state in (OVERDUE, DUE_SOON)] == []


# --- the source over a subtree ------------------------------------------------------------------------

def test_source_covers_the_subtree_only(cast: Any) -> None:
    make_candidate(cast.branch_a, name="甲", applied=APPLIED)
    make_candidate(cast.branch_b, name="乙", applied=D(2025, 3, 1))
    make_candidate(cast.branch_c, name="丙", applied=APPLIED)
    as_of = D(2025, 4, 20)
    assert [f.subject_label for f in findings_for(cast.street, as_of)] == ["乙", "甲"]  # earlier due first
    assert [f.subject_label for f in findings_for(cast.branch_b, as_of)] == ["乙"]
    assert [f.subject_label for f in findings_for(cast.other_street, as_of)] == ["丙"]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_candidates(cast: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        c = make_candidate(cast.branch_a if i % 2 else cast.branch_b, name=f"人{i}", applied=D(2024, 1, 1),
                           activist=D(2024, 6, 1) if i % 3 else None)
        add_step(c, StepKind.TALKED, D(2024, 1, 20))
        add_sponsor(c, cast.member_a2, ContactRole.TRAINING_CONTACT, D(2024, 6, 1))
    with django_assert_max_num_queries(6):
        found = findings_for(cast.street, D(2025, 1, 1))
    assert len(found) == 40  # the activists' first assessments (due 2024-12-01) are overdue


# --- grassroots check -------------------------------------------------------------------------------

def _check_cast(cast: Any) -> None:
    late = make_candidate(cast.branch_a, name="迟到", applied=APPLIED)
    add_step(late, StepKind.TALKED, D(2025, 4, 15))
    make_candidate(cast.branch_b, name="未谈", applied=APPLIED)
    make_candidate(cast.branch_c, name="外人", applied=APPLIED)


def test_check_text_groups_by_state(cast: Any, capsys: Any) -> None:
    _check_cast(cast)
    assert main(["check", "--org", "S", "--as-of", "2025-04-20", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.index("Violated (1)") < out.index("未谈") and out.index("Overdue (1)") > out.index("迟到")
    line = next(row for row in out.splitlines() if "未谈" in row)
    assert "recruitment.talk_within@2014" in line and "第二支部" in line and "2025-04-10" in line
    assert "has not been recorded" in line
    assert "外人" not in out


def test_check_json_lists_findings_and_counts(cast: Any, capsys: Any) -> None:
    _check_cast(cast)
    assert main(["check", "--org", "S", "--as-of", "2025-04-20", "--json", "--all"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2025-04-20" and data["org"]["code"] == "S"
    assert {(f["subject_label"], f["state"], f["rule_id"]) for f in data["findings"]} == {
        ("迟到", VIOLATED, "recruitment.talk_within"), ("未谈", OVERDUE, "recruitment.talk_within")}
    assert {row["code"]: (row["violated"], row["overdue"]) for row in data["counts"]} == {"A": (1, 0), "B": (0, 1)}
    assert data["totals"] == {"violated": 1, "overdue": 1, "due_soon": 0, "done": 0}


def test_check_without_all_leaves_done_out_and_respects_scope(cast: Any, capsys: Any) -> None:
    c = make_candidate(cast.branch_a, name="按时", applied=APPLIED)
    add_step(c, StepKind.TALKED, D(2025, 4, 1))
    assert main(["check", "--org", "A", "--as-of", "2025-04-20", "--json", "--as", "secretary"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["check", "--org", "A", "--as-of", "2025-04-20", "--json", "--all"]) == 0
    assert [f["state"] for f in json.loads(capsys.readouterr().out)["findings"]] == [DONE]
    with pytest.raises(SystemExit) as exc:
        main(["check", "--org", "C", "--as", "secretary"])
    assert "no organization with code 'C'" in str(exc.value)


# --- the organization page and the API ----------------------------------------------------------------

def _page_cast(cast: Any) -> None:
    make_candidate(cast.branch_a, name="甲一", applied=D(2025, 3, 1))
    make_candidate(cast.branch_a, name="甲二", applied=D(2025, 4, 1))  # due 2025-05-01: due soon on 04-20
    make_candidate(cast.branch_b, name="乙一", applied=D(2025, 3, 1))
    make_candidate(cast.branch_c, name="丙一", applied=D(2025, 3, 1))


def _get(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_org_page_shows_the_to_do_list_and_counts_per_branch(cast: Any, client: Any,
                                                            django_assert_max_num_queries: Any) -> None:
    _page_cast(cast)
    url = reverse("org-detail", args=["G"]) + "?as_of=2025-04-20"
    _get(client, cast.street_admin, url)  # warm up (session, translations)
    with django_assert_max_num_queries(40):
        page = _get(client, cast.street_admin, url)
    table = page[page.index('id="findings-by-branch"'):page.index("</table>", page.index('id="findings-by-branch"'))]
    row_a = table[table.index('data-code="A"'):table.index("</tr>", table.index('data-code="A"'))]
    assert reverse("org-detail", args=["A"]) in row_a
    # Columns: violated, overdue, due soon, total.
    cells = [c.split(">", 1)[1] for c in row_a.split('<td class="num')[1:]]
    assert [c.split("<", 1)[0] for c in cells] == ["0", "1", "1", "2"]
    assert 'data-code="B"' in table and 'data-code="C"' not in table
    # The organization page summarises; the list of every to-do is its own page.
    assert 'id="findings-table"' not in page
    listed = _get(client, cast.street_admin, reverse("org-findings", args=["G"]) + "?as_of=2025-04-20")
    to_do = listed[listed.index('id="findings-table"'):]
    assert to_do.count('data-state="overdue"') == 2 and to_do.count('data-state="due_soon"') == 1
    assert "甲一" in to_do and "乙一" in to_do and "丙一" not in to_do


def test_query_count_of_the_org_page_does_not_grow_with_findings(cast: Any, client: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("org-detail", args=["S"]) + "?as_of=2025-04-20"
    list_url = reverse("org-findings", args=["S"]) + "?as_of=2025-04-20"
    _page_cast(cast)
    _get(client, cast.street_admin, url)
    _get(client, cast.street_admin, list_url)
    with CaptureQueriesContext(connection) as few:
        _get(client, cast.street_admin, url)
    with CaptureQueriesContext(connection) as few_listed:
        _get(client, cast.street_admin, list_url)
    for i in range(30):
        make_candidate(cast.branch_b if i % 2 else cast.branch_a, name=f"人{i}", applied=D(2025, 3, 1))
    with CaptureQueriesContext(connection) as many:
        _get(client, cast.street_admin, url)
    with CaptureQueriesContext(connection) as many_listed:
        page = _get(client, cast.street_admin, list_url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many_listed.captured_queries) == len(few_listed.captured_queries)
    assert page.count('data-state="overdue"') == 32  # 甲一, 乙一 and the thirty


def test_a_branch_page_has_no_per_branch_table(cast: Any, client: Any) -> None:
    _page_cast(cast)
    page = _get(client, cast.secretary, reverse("org-detail", args=["A"]) + "?as_of=2025-04-20")
    assert 'id="findings-by-branch"' not in page
    listed = _get(client, cast.secretary, reverse("org-findings", args=["A"]) + "?as_of=2025-04-20")
    assert listed.count('data-state="overdue"') == 1


def test_api_findings_and_stage_counts(cast: Any, client: Any) -> None:
    _page_cast(cast)
    client.force_login(cast.street_admin)
    data = client.get("/api/orgs/G/findings/?as_of=2025-04-20").json()
    assert data["as_of"] == "2025-04-20"
    assert [(f["subject_label"], f["state"]) for f in data["findings"]] == [
        ("甲一", OVERDUE), ("乙一", OVERDUE), ("甲二", DUE_SOON)]  # same due date: by branch name
    assert {row["code"]: row["overdue"] for row in data["counts"]} == {"A": 1, "B": 1}
    assert data["findings"][0]["url"].startswith("/candidates/")
    stats = client.get("/api/orgs/G/stats/?as_of=2025-04-20").json()
    assert (stats["applicants"], stats["activists"], stats["applications"]) == (3, 0, 3)
    client.force_login(cast.secretary)
    assert client.get("/api/orgs/G/findings/").status_code == 404
    assert client.get("/api/orgs/A/findings/?as_of=2025-04-20").json()["counts"][0]["code"] == "A"
    assert client.get("/api/orgs/A/findings/?as_of=2025-02-30").status_code == 400
