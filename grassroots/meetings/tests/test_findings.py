"""The "meetings" findings source at its boundaries: duty periods, silence, absence, study hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from conftest import make_member
from grassroots.core.dates import add_months
from grassroots.meetings.models import Meeting
from grassroots.meetings.services import record_meeting
from grassroots.members.services import member_record_event
from grassroots.rules.findings import DUE_SOON, OVERDUE, VIOLATED, Finding, findings_for, sources

D = dt.date


def meet(org: Any, kind: str, date: dt.date, present: Sequence[Any] = (), **kw: Any) -> Meeting:
    return record_meeting(org=org, kind=kind, date=date, topic="主题",
                          attendance={m.pk: ("present", "") for m in present}, **kw)


def found(org: Any, as_of: dt.date, rule_id: str, subject: Any = None) -> list[Finding]:
    out = [f for f in findings_for(org, as_of, only=["meetings"]) if f.rule_id == rule_id]
    if subject is not None:
        out = [f for f in out if f.subject_id == subject.pk]
    return out


def test_the_source_is_registered() -> None:
    assert "meetings" in sources()


# --- duties ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("as_of", "expected"), [
    (D(2024, 3, 16), [(OVERDUE, D(2023, 12, 31))]),
    (D(2024, 3, 17), [(OVERDUE, D(2023, 12, 31)), (DUE_SOON, D(2024, 3, 31))]),
    (D(2024, 3, 31), [(OVERDUE, D(2023, 12, 31)), (DUE_SOON, D(2024, 3, 31))]),
    (D(2024, 4, 1), [(OVERDUE, D(2024, 3, 31))]),
])
def test_a_quarter_without_a_general_meeting(cast: Any, as_of: dt.date, expected: list[Any]) -> None:
    got = [(f.state, f.due) for f in found(cast.branch_a, as_of, "meetings.general_meeting", cast.branch_a)]
    assert got == expected  # one overdue line for every missed quarter, one due-soon line for the current one
    (overdue,) = [f for f in found(cast.branch_a, as_of, "meetings.general_meeting", cast.branch_a)
                  if f.state == OVERDUE]
    assert "2023Q2, 2023Q3" in overdue.message  # every quarter that ended within the last 12 months
    assert overdue.url == f"/orgs/{cast.branch_a.code}/duties/"


def test_a_general_meeting_on_the_last_day_meets_the_quarter_and_not_the_next(cast: Any) -> None:
    meet(cast.branch_a, "general_meeting", D(2024, 3, 31), [cast.member, cast.member_a2])
    (f,) = found(cast.branch_a, D(2024, 4, 1), "meetings.general_meeting", cast.branch_a)
    assert f.due == D(2023, 12, 31) and "2024Q1" not in f.message and "2023Q4" in f.message
    (q2,) = found(cast.branch_a, D(2024, 7, 1), "meetings.general_meeting", cast.branch_a)
    assert (q2.state, q2.due, q2.org_id, q2.rule) == (OVERDUE, D(2024, 6, 30), cast.branch_a.pk,
                                                       "meetings.general_meeting@2018")
    assert "2024Q2" in q2.message and "2024Q1" not in q2.message


def test_a_meeting_without_quorum_leaves_the_duty_overdue(cast: Any) -> None:
    meet(cast.branch_a, "general_meeting", D(2024, 2, 1), [cast.member])  # one of two: exactly half
    (f,) = found(cast.branch_a, D(2024, 4, 1), "meetings.general_meeting", cast.branch_a)
    assert f.state == OVERDUE and f.due == D(2024, 3, 31)
    assert "2024Q1" in f.message and "without a quorum in 2024Q1" in f.message


def test_overdue_periods_are_listed_for_twelve_months(cast: Any) -> None:
    (f,) = found(cast.branch_a, D(2025, 4, 1), "meetings.general_meeting", cast.branch_a)
    assert f.due == D(2025, 3, 31)
    assert "4 periods: 2024Q2, 2024Q3, 2024Q4, 2025Q1." in f.message  # 2024Q1 ended more than 12 months ago
    (year,) = found(cast.branch_a, D(2025, 1, 1), "meetings.life_meeting", cast.branch_a)
    assert year.due == D(2024, 12, 31) and "for 2024." in year.message
    assert found(cast.branch_a, D(2026, 1, 1), "meetings.life_meeting", cast.branch_a)[0].due == D(2025, 12, 31)


def test_a_branch_that_recorded_nothing_gets_one_line_per_duty(cast: Any) -> None:
    got = [f for f in findings_for(cast.branch_a, D(2025, 4, 1), only=["meetings"])
           if f.subject_type == "organization" and f.subject_id == cast.branch_a.pk and f.state == OVERDUE]
    rules = [f.rule_id for f in got]
    assert len(rules) == len(set(rules))
    (committee,) = [f for f in got if f.rule_id == "meetings.committee_meeting"]
    assert "12 periods: 2024-04, 2024-05" in committee.message and committee.message.endswith("2025-03.")


def test_general_branches_owe_general_meetings_and_groups_report_to_their_branch(cast: Any) -> None:
    as_of = D(2024, 4, 1)
    general = [f for f in findings_for(cast.general, as_of, only=["meetings"])
               if f.subject_type == "organization" and f.subject_id == cast.general.pk]
    assert {f.rule_id for f in general} == {"meetings.general_meeting"}
    meet(cast.group_a1, "group_meeting", D(2024, 3, 5))
    (group,) = found(cast.street, as_of, "meetings.group_meeting", cast.group_a1)
    assert group.org_id == cast.branch_a.pk and group.due == D(2024, 2, 29)
    assert "2024-01, 2024-02." in group.message and "2024-03" not in group.message
    # Joined by the branch's joint group meeting, February is met too.
    meet(cast.branch_a, "group_meeting", D(2024, 2, 10))
    (group,) = found(cast.street, as_of, "meetings.group_meeting", cast.group_a1)
    assert group.due == D(2024, 1, 31) and "2024-02" not in group.message


# --- silence -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("as_of", "silent"), [(D(2024, 5, 30), False), (D(2024, 5, 31), True)])
def test_silence_from_thirty_days(cast: Any, as_of: dt.date, silent: bool) -> None:
    meet(cast.group_a1, "group_meeting", D(2024, 4, 20))
    meet(cast.branch_a, "theme_day", D(2024, 5, 1))
    got = found(cast.branch_a, as_of, "meetings.silence", cast.branch_a)
    assert [(f.state, f.due) for f in got] == ([(OVERDUE, D(2024, 5, 31))] if silent else [])
    if silent:
        assert "30 days" in got[0].message and "2024-05-01" in got[0].message


def test_silence_of_a_branch_that_never_met_and_of_one_that_met_long_ago(cast: Any) -> None:
    meet(cast.branch_a, "theme_day", D(2020, 6, 1))
    as_of = D(2024, 5, 31)
    (a,) = found(cast.street, as_of, "meetings.silence", cast.branch_a)
    assert a.due == D(2020, 7, 1) and "2020-06-01" in a.message
    (b,) = found(cast.street, as_of, "meetings.silence", cast.branch_b)
    assert b.due == D(2000, 1, 31) and "founded" in b.message
    assert found(cast.street, as_of, "meetings.silence", cast.general) == []  # branches only


# --- absence -----------------------------------------------------------------------------------------
MONTHLY = [D(2023, 9, 7), D(2023, 10, 7), D(2023, 11, 7), D(2023, 12, 7), D(2024, 1, 7), D(2024, 2, 7),
           D(2024, 3, 7)]
AS_OF = D(2024, 4, 10)


def monthly_theme_days(cast: Any, last_attended: dt.date | None, days: list[dt.date] = MONTHLY) -> None:
    """A theme day a month; 李明 attends them all, 王强 up to `last_attended`."""
    for day in days:
        present = [cast.member]
        if last_attended is not None and day <= last_attended:
            present.append(cast.member_a2)
        meet(cast.branch_a, "theme_day", day, present)


@pytest.mark.parametrize(("last_attended", "expected"), [
    (D(2024, 1, 7), None),  # absent February and March: 2 months
    (D(2023, 12, 7), (OVERDUE, 3)),  # January to March, across the year
    (D(2023, 11, 7), (OVERDUE, 4)),
    (D(2023, 10, 7), (OVERDUE, 5)),
    (D(2023, 9, 7), (VIOLATED, 6)),
    (None, (VIOLATED, 6)),  # absent from every meeting: the count stops where the meetings began
])
def test_absence_counts_consecutive_months(cast: Any, last_attended: dt.date | None, expected: Any) -> None:
    monthly_theme_days(cast, last_attended)
    got = found(cast.branch_a, AS_OF, "meetings.member_absence")
    assert [f.subject_id for f in got] == ([cast.member_a2.pk] if expected else [])
    if expected:
        state, months = expected
        (f,) = got
        assert f.state == state and f"{months} " in f.message and f.subject_type == "member"
        oldest = add_months(D(2024, 3, 1), -(months - 1))
        assert oldest.isoformat() in f.message
        assert f.due == add_months(oldest, 6) - dt.timedelta(days=1)  # the end of the sixth month
        if months == 5:
            assert "at 6 months the branch must decide" in f.message
        if months >= 6:
            assert "the branch must decide" in f.message and "removes no one" in f.message


def test_attending_in_the_month_under_way_resets_the_count(cast: Any) -> None:
    monthly_theme_days(cast, D(2023, 9, 7))
    meet(cast.group_a1, "group_meeting", D(2024, 4, 5), [cast.member_a2])
    assert found(cast.branch_a, AS_OF, "meetings.member_absence") == []
    assert len(found(cast.branch_a, D(2024, 4, 4), "meetings.member_absence")) == 1


def test_a_month_without_meetings_breaks_the_count(cast: Any) -> None:
    monthly_theme_days(cast, D(2023, 9, 7), [d for d in MONTHLY if d != D(2024, 1, 7)])
    assert found(cast.branch_a, AS_OF, "meetings.member_absence") == []  # February and March only
    # Committee meetings and talks are not organizational life for the whole membership.
    meet(cast.branch_a, "committee_meeting", D(2024, 1, 9), [cast.member])
    assert found(cast.branch_a, AS_OF, "meetings.member_absence") == []


def test_absence_leaves_out_mobile_suspended_and_newcomers(cast: Any) -> None:
    mobile = make_member(cast.branch_a, name="流动")
    member_record_event(mobile, kind="mobile_out", on=D(2023, 8, 1))
    lost = make_member(cast.branch_a, name="失联")
    member_record_event(lost, kind="suspended", on=D(2023, 8, 1))
    newcomer = make_member(cast.branch_a, name="新来", joined_on=D(2024, 1, 15), status="probationary",
                           converted_on=None)
    monthly_theme_days(cast, None)
    got = [f.subject_id for f in found(cast.branch_a, AS_OF, "meetings.member_absence")]
    # The newcomer arrived mid-January: February and March are their only months, not enough for a finding.
    assert got == [cast.member_a2.pk]
    assert [f.subject_id for f in found(cast.branch_a, D(2024, 5, 10), "meetings.member_absence", newcomer)] == []
    meet(cast.branch_a, "theme_day", D(2024, 4, 7), [cast.member])
    (f,) = found(cast.branch_a, D(2024, 5, 10), "meetings.member_absence", newcomer)
    assert f.state == OVERDUE and "3 consecutive months (since 2024-02-01)" in f.message
    assert lost.pk not in got and mobile.pk not in got


# --- study hours -------------------------------------------------------------------------------------
def study_year(cast: Any) -> None:
    """2024: 李明 32.0 class hours, 王强 31.9."""
    both = [cast.member, cast.member_a2]
    for month in (3, 5, 7):
        meet(cast.branch_a, "study", D(2024, month, 1), both, study_hours=8)
    meet(cast.branch_a, "party_lecture", D(2024, 9, 1), [cast.member], study_hours=8)
    meet(cast.branch_a, "study", D(2024, 10, 1), [cast.member_a2], study_hours="7.9")


def test_study_hours_below_the_minimum_for_last_year(cast: Any) -> None:
    study_year(cast)
    got = found(cast.branch_a, D(2025, 3, 1), "meetings.study_hours")
    assert [(f.subject_type, f.subject_id, f.state, f.due) for f in got] == [
        ("organization", cast.branch_a.pk, VIOLATED, D(2024, 12, 31))]
    assert "1 members" in got[0].message and "王强 (31.9)" in got[0].message and "李明" not in got[0].message
    assert "32" in got[0].message
    # Only last year: in 2026 the 2024 shortfall is no longer listed.
    assert all(f.due == D(2025, 12, 31) for f in found(cast.branch_a, D(2026, 3, 1), "meetings.study_hours"))


def test_study_hours_name_the_first_few_only(cast: Any) -> None:
    for i in range(7):
        make_member(cast.branch_b, name=f"乙{i}")
    meet(cast.branch_b, "theme_day", D(2024, 6, 6))
    (f,) = found(cast.branch_b, D(2025, 3, 1), "meetings.study_hours")
    assert f.subject_id == cast.branch_b.pk and f.message.startswith("8 members") and "and 3 more" in f.message


def test_study_hours_due_soon_in_december(cast: Any) -> None:
    study_year(cast)
    december = [(f.subject_id, f.state) for f in found(cast.branch_a, D(2024, 12, 1), "meetings.study_hours")
                if f.due == D(2024, 12, 31)]
    assert december == [(cast.branch_a.pk, DUE_SOON)]
    assert [f for f in found(cast.branch_a, D(2024, 11, 30), "meetings.study_hours") if f.due.year == 2024] == []


def test_a_handful_of_queries_for_a_subtree(cast: Any, django_assert_max_num_queries: Any) -> None:
    monthly_theme_days(cast, D(2023, 10, 7))
    meet(cast.branch_a, "study", D(2023, 5, 1), [cast.member], study_hours=8)
    for i in range(5):
        make_member(cast.branch_b, name=f"乙{i}")
    meet(cast.branch_b, "theme_day", D(2024, 3, 1))
    with django_assert_max_num_queries(8):
        got = findings_for(cast.street, D(2024, 4, 10), only=["meetings"])
    assert {f.rule_id for f in got} >= {"meetings.member_absence", "meetings.general_meeting", "meetings.silence",
                                        "meetings.study_hours"}


def test_no_study_finding_for_a_year_without_any_recorded_meeting(cast: Any) -> None:
    """Before a branch used the platform its members have no recorded hours; the missed duties say so."""
    assert found(cast.branch_a, D(2025, 3, 1), "meetings.study_hours") == []
    meet(cast.branch_a, "theme_day", D(2024, 6, 6), [cast.member])
    (f,) = found(cast.branch_a, D(2025, 3, 1), "meetings.study_hours")
    assert f.message.startswith("2 members") and f.state == VIOLATED


def test_a_period_that_ended_exactly_twelve_months_ago_is_no_longer_listed(cast: Any) -> None:
    (f,) = found(cast.branch_a, D(2025, 12, 31), "meetings.life_meeting", cast.branch_a)
    assert f.state == DUE_SOON and f.due == D(2025, 12, 31)  # 2024's ended on 2024-12-31: out of the window
    (f,) = [f for f in found(cast.branch_a, D(2025, 12, 30), "meetings.life_meeting", cast.branch_a)
            if f.state == OVERDUE]
    assert f.due == D(2024, 12, 31) and "for 2024." in f.message
