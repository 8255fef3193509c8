"""Every recruitment rule at its boundaries: the day before, the day of, the day after; working days across
weekends, National Day 2025 and Spring Festival 2026 with their make-up workdays; the rule version in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core import idnumber
from grassroots.core.errors import RuleError
from grassroots.core.workdays import workdays_between
from grassroots.recruitment import services
from grassroots.recruitment.models import CandidateStep
from grassroots.recruitment.tests.factories import (
    make_activist,
    make_applicant,
    make_development_target,
    make_probationary,
    make_ready_for_vote,
    make_reviewed,
    row_counts,
    vote_all_yes,
)

D = dt.date
DAY = dt.timedelta(days=1)


def _ok_or_refused(ok: bool, action: Any, field: str) -> Any:
    """Run `action`; when it must be refused, check the field and that nothing was written."""
    if ok:
        return action()
    before = row_counts()
    with pytest.raises(RuleError) as err:
        action()
    assert err.value.field == field, err.value
    assert row_counts() == before
    return None


# --- application ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("applied_on,ok", [(D(2018, 6, 14), False), (D(2018, 6, 15), True), (D(2018, 6, 16), True)])
def test_min_age_at_application(cast: Any, applied_on: dt.date, ok: bool) -> None:
    birth = D(2000, 6, 15)
    c = _ok_or_refused(ok, lambda: make_applicant(cast.branch_a, applied_on=applied_on, birth=birth,
                                                  id_number=idnumber.make("110101", birth, 7)), "birth_date")
    if ok:
        assert c.steps.get(kind="applied").details["rule"] == "recruitment.min_age@2014"


@pytest.mark.parametrize("talk_on,ok", [(D(2025, 1, 30), False), (D(2025, 1, 31), True)])
def test_talk_not_before_the_application(cast: Any, talk_on: dt.date, ok: bool) -> None:
    c = make_applicant(cast.branch_a, applied_on=D(2025, 1, 31))
    _ok_or_refused(ok, lambda: services.candidate_record_step(c, kind="talked", on=talk_on), "on")


@pytest.mark.parametrize("talk_on,late", [(D(2025, 2, 27), False), (D(2025, 2, 28), False), (D(2025, 3, 1), True)])
def test_talk_within_one_month_is_recorded_late_not_refused(cast: Any, talk_on: dt.date, late: bool) -> None:
    c = make_applicant(cast.branch_a, applied_on=D(2025, 1, 31))  # one month later: 28 February
    step = services.candidate_record_step(c, kind="talked", on=talk_on)
    assert step.details == {"rule": "recruitment.talk_within@2014", "due": "2025-02-28", "late": late}


@pytest.mark.parametrize("offset,late", [(-1, False), (0, False), (1, True)])
def test_half_yearly_assessment(cast: Any, offset: int, late: bool) -> None:
    c = make_activist(cast.branch_a, applied_on=D(2024, 2, 20), activist_on=D(2024, 3, 15))
    step = services.candidate_record_step(c, kind="assessed", on=D(2024, 9, 15) + offset * DAY)
    assert (step.details["due"], step.details["late"]) == ("2024-09-15", late)
    nxt = services.candidate_record_step(c, kind="assessed", on=D(2025, 3, 1))  # due six months after the last
    assert nxt.details["due"] == (services.add_months(step.date, 6)).isoformat()


# --- activist to development target ---------------------------------------------------------------------
@pytest.mark.parametrize("listed_on,ok", [(D(2025, 3, 14), False), (D(2025, 3, 15), True), (D(2025, 3, 16), True)])
def test_one_year_as_activist_before_listing(cast: Any, listed_on: dt.date, ok: bool) -> None:
    c = make_activist(cast.branch_a, applied_on=D(2024, 2, 20), activist_on=D(2024, 3, 15))
    step = _ok_or_refused(ok, lambda: services.candidate_record_step(c, kind="target_listed", on=listed_on), "on")
    c.refresh_from_db()
    if ok:
        assert step.details["rule"] == "recruitment.activist_min_period@2014"
        assert (c.stage, c.target_on) == ("development_target", listed_on)
    else:
        assert (c.stage, c.target_on) == ("activist", None)


NOTICES = [
    # a plain week: Thursday to Tuesday is 4 working days, to Wednesday 5
    (D(2025, 11, 13), D(2025, 11, 18), 4),
    (D(2025, 11, 13), D(2025, 11, 19), 5),
    # National Day 2025: 1-8 October off; Sunday 28 September and Saturday 11 October are make-up workdays
    (D(2025, 9, 28), D(2025, 10, 9), 4),
    (D(2025, 9, 28), D(2025, 10, 10), 5),
    (D(2025, 9, 29), D(2025, 10, 8), 2),  # ten calendar days, two working days
    (D(2025, 10, 9), D(2025, 10, 13), 4),  # 9, 10, Saturday 11, 13
    (D(2025, 10, 9), D(2025, 10, 14), 5),
    # Spring Festival 2026: 15-23 February off; Saturdays 14 and 28 February are make-up workdays
    (D(2026, 2, 12), D(2026, 2, 24), 4),
    (D(2026, 2, 12), D(2026, 2, 25), 5),
    (D(2026, 2, 14), D(2026, 2, 27), 5),  # Saturday 14, then 24-27
]


@pytest.mark.parametrize("start,end,days", NOTICES)
def test_notice_of_five_working_days(cast: Any, start: dt.date, end: dt.date, days: int) -> None:
    assert workdays_between(start, end) == days
    c = make_activist(cast.branch_a, applied_on=D(2024, 8, 1))
    step = _ok_or_refused(days >= 5, lambda: services.candidate_publish_notice(c, start=start, end=end), "end")
    if step is not None:
        assert (step.date, step.end_date, step.details["working_days"]) == (start, end, days)
        assert step.details["rule"] == "recruitment.public_notice@" + ("2014" if start < D(2026, 5, 1) else "2026")


def test_notice_not_before_the_activist_decision(cast: Any) -> None:
    c = make_activist(cast.branch_a, applied_on=D(2024, 8, 1))  # activist on 2024-08-31
    _ok_or_refused(False, lambda: services.candidate_publish_notice(c, start=D(2024, 8, 30), end=D(2024, 9, 10)),
                   "start")
    services.candidate_publish_notice(c, start=D(2024, 8, 31), end=D(2024, 9, 10))


# The 2026 rules (from 2026-05-01): a completed notice before listing. The notice from Monday 27 April to
# Wednesday 6 May 2026 has exactly 5 working days (27-30 April, 6 May), across the May Day holiday.
@pytest.mark.parametrize("listed_on,ok", [(D(2026, 5, 6), False), (D(2026, 5, 7), True), (D(2026, 5, 8), True)])
def test_listing_after_the_notice_has_ended(cast: Any, listed_on: dt.date, ok: bool) -> None:
    c = make_activist(cast.branch_a, applied_on=D(2025, 2, 1), activist_on=D(2025, 3, 1))
    notice = services.candidate_publish_notice(c, start=D(2026, 4, 27), end=D(2026, 5, 6))
    assert notice.details["working_days"] == 5
    step = _ok_or_refused(ok, lambda: services.candidate_record_step(c, kind="target_listed", on=listed_on), "on")
    if ok:
        assert (step.details["notice_rule"], step.details["notice"]) == ("recruitment.public_notice@2026", notice.pk)


@pytest.mark.parametrize("listed_on,ok", [(D(2026, 4, 29), True), (D(2026, 4, 30), True), (D(2026, 5, 1), False),
                                          (D(2026, 5, 2), False)])
def test_listing_judged_by_the_notice_rule_in_force(cast: Any, listed_on: dt.date, ok: bool) -> None:
    """Without any notice: allowed under the 2014 rules (notice before pre-review), refused under 2026."""
    c = make_activist(cast.branch_a, applied_on=D(2025, 2, 1), activist_on=D(2025, 3, 1))
    before = row_counts()
    if ok:
        step = services.candidate_record_step(c, kind="target_listed", on=listed_on)
        assert "notice_rule" not in step.details
        return
    with pytest.raises(RuleError) as err:
        services.candidate_record_step(c, kind="target_listed", on=listed_on)
    assert "recruitment.public_notice@2026" in err.value.message and err.value.field == "on"
    assert row_counts() == before


def test_a_notice_before_the_activist_year_is_enough_under_2026(cast: Any) -> None:
    """The notice may run while the activist year is still going; the listing waits for both."""
    c = make_activist(cast.branch_a, applied_on=D(2025, 5, 1), activist_on=D(2025, 5, 20))
    services.candidate_publish_notice(c, start=D(2026, 5, 11), end=D(2026, 5, 15))
    _ok_or_refused(False, lambda: services.candidate_record_step(c, kind="target_listed", on=D(2026, 5, 19)), "on")
    services.candidate_record_step(c, kind="target_listed", on=D(2026, 5, 20))


# Under the 2014 rules the notice comes before the pre-review.
@pytest.mark.parametrize("pre_review_on,notice,ok", [
    (D(2026, 4, 30), None, False),
    (D(2026, 4, 30), (D(2026, 4, 22), D(2026, 4, 29)), True),  # 22-24, 27-29: 6 working days, ended the day before
    (D(2026, 4, 29), (D(2026, 4, 22), D(2026, 4, 29)), False),  # ends on the pre-review day: not completed
    (D(2026, 5, 1), None, True),  # the 2026 rules put the notice before listing, not before pre-review
])
def test_pre_review_needs_a_notice_under_2014(cast: Any, pre_review_on: dt.date, notice: Any, ok: bool) -> None:
    c = make_reviewed(cast.branch_a, applied_on=D(2024, 12, 1))  # committee review on 2026-02-09
    if notice:
        services.candidate_publish_notice(c, start=notice[0], end=notice[1])
    step = _ok_or_refused(ok, lambda: services.candidate_record_step(c, kind="pre_review", on=pre_review_on), "on")
    if step is not None and notice:
        assert step.details["rule"] == "recruitment.public_notice@2014"


# --- the meeting, the approval ---------------------------------------------------------------------------
@pytest.mark.parametrize("days,hours,ok", [
    (2, 23, False), (3, 0, True), (1, 24, True), (2, 23.5, False),
])
def test_training_three_days_or_24_hours_at_vote_time(cast: Any, days: int, hours: float, ok: bool) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1), training_days=days, training_hours=hours)
    training = c.steps.get(kind="training")
    assert (training.details["days"], training.details["hours"], training.details["sufficient"]) == (days, hours, ok)
    _ok_or_refused(ok, lambda: vote_all_yes(c, purpose="admission", on=D(2023, 8, 1)), "training")


def test_training_in_sessions_adds_up(cast: Any) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1), training_days=2, training_hours=12)
    _ok_or_refused(False, lambda: vote_all_yes(c, purpose="admission", on=D(2023, 8, 1)), "training")
    # a further one-day session, after the pre-review: training is repeatable until admission
    services.candidate_record_step(c, kind="training", on=D(2023, 8, 2), details={"hours": 12})
    _ok_or_refused(False, lambda: vote_all_yes(c, purpose="admission", on=D(2023, 8, 1)), "training")  # not yet
    assert vote_all_yes(c, purpose="admission", on=D(2023, 8, 3)).passed


@pytest.mark.parametrize("vote_on,late", [(D(2023, 8, 29), False), (D(2023, 8, 30), False), (D(2023, 8, 31), True)])
def test_meeting_within_a_month_of_pre_review(cast: Any, vote_on: dt.date, late: bool) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1), pre_review_on=D(2023, 7, 30))
    vote = vote_all_yes(c, purpose="admission", on=vote_on)
    step = c.steps.get(kind="admission_vote")
    assert vote.passed and (step.details["due"], step.details["late"]) == ("2023-08-30", late)
    assert step.details["meeting_rule"] == "recruitment.meeting_after_pre_review@2014"


def test_vote_not_before_the_pre_review(cast: Any) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1), pre_review_on=D(2023, 7, 30))
    _ok_or_refused(False, lambda: vote_all_yes(c, purpose="admission", on=D(2023, 7, 29)), "on")
    assert vote_all_yes(c, purpose="admission", on=D(2023, 7, 30)).passed


@pytest.mark.parametrize("approve_on,special,late", [
    (D(2023, 11, 5), False, False), (D(2023, 11, 6), False, False), (D(2023, 11, 7), False, True),
    (D(2024, 2, 6), True, False), (D(2024, 2, 7), True, True), (D(2024, 2, 6), False, True),
])
def test_higher_approval_within_three_months(cast: Any, approve_on: dt.date, special: bool, late: bool) -> None:
    c = make_ready_for_vote(cast.branch_a, applied_on=D(2022, 5, 1), pre_review_on=D(2023, 7, 30))
    vote_all_yes(c, purpose="admission", on=D(2023, 8, 6))
    _ok_or_refused(False, lambda: services.candidate_approve(c, on=D(2023, 8, 5)), "on")  # before the vote
    services.candidate_approve(c, on=approve_on, special=special)
    step = c.steps.get(kind="higher_approval")
    assert (step.details["late"], step.details["special"], step.details["rule"]) == (
        late, special, "recruitment.higher_approval@2014")
    assert c.member is not None and c.member.joined_on == D(2023, 8, 6)
    c.refresh_from_db()
    assert (c.stage, c.admitted_on) == ("probationary", D(2023, 8, 6))


# --- probation --------------------------------------------------------------------------------------------
@pytest.fixture
def probationer(cast: Any) -> Any:
    return make_probationary(cast.branch_a, applied_on=D(2021, 6, 1))  # admitted 2022-09-06


@pytest.mark.parametrize("months,ok", [(5, False), (6, True), (12, True), (13, False), (0, False)])
def test_extension_between_six_and_twelve_months(probationer: Any, months: int, ok: bool) -> None:
    _ok_or_refused(ok, lambda: services.candidate_extend_probation(probationer, on=D(2023, 9, 1), months=months),
                   "months")
    if ok:
        assert services.probation_end(probationer) == services.add_months(D(2023, 9, 6), months)


def test_extension_once(probationer: Any) -> None:
    services.candidate_extend_probation(probationer, on=D(2023, 9, 1), months=6)
    _ok_or_refused(False, lambda: services.candidate_extend_probation(probationer, on=D(2024, 3, 1), months=6),
                   "months")


@pytest.mark.parametrize("vote_on,ok", [(D(2023, 9, 5), False), (D(2023, 9, 6), True), (D(2023, 9, 7), True)])
def test_conversion_vote_after_one_year_of_probation(probationer: Any, vote_on: dt.date, ok: bool) -> None:
    assert probationer.admitted_on == D(2022, 9, 6)
    _ok_or_refused(ok, lambda: vote_all_yes(probationer, purpose="conversion", on=vote_on), "on")
    if ok:
        _ok_or_refused(False, lambda: services.candidate_convert(probationer, on=vote_on - DAY), "on")
        services.candidate_convert(probationer, on=vote_on)
        probationer.member.refresh_from_db()
        # full membership dates from the end of probation, whenever the vote and approval came
        assert probationer.member.converted_on == D(2023, 9, 6)


def test_approval_of_conversion_needs_a_passed_vote(cast: Any, probationer: Any) -> None:
    services.branch_vote_record(probationer, purpose="conversion", on=D(2023, 9, 6), attended=[cast.member],
                                yes=1, no=0, abstain=0)  # one of two: no quorum
    _ok_or_refused(False, lambda: services.candidate_convert(probationer, on=D(2023, 9, 10)), "on")


def test_no_step_in_the_future(cast: Any) -> None:
    c = make_development_target(cast.branch_a, applied_on=D(2022, 2, 1))
    tomorrow = timezone.localdate() + DAY
    _ok_or_refused(False, lambda: services.candidate_record_step(c, kind="political_review", on=tomorrow), "on")
    step = services.candidate_record_step(c, kind="political_review", on=timezone.localdate())
    assert CandidateStep.objects.filter(pk=step.pk).exists()
