"""Duty periods across quarters and years, study hours, sign-in sheets, calendars, silence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_member
from grassroots.meetings.models import Meeting
from grassroots.meetings.selectors import (
    branch_calendar,
    duties,
    expected_attendees,
    member_meetings,
    period_bounds,
    periods_overlapping,
    silence,
    study_hours,
)
from grassroots.meetings.services import record_meeting
from grassroots.members.services import member_record_event, member_update

D = dt.date


def meet(org: Any, kind: str, date: dt.date, present: Sequence[Any] = (), **kw: Any) -> Meeting:
    return record_meeting(org=org, kind=kind, date=date, topic=kw.pop("topic", "主题"),
                          attendance={m.pk: ("present", "") for m in present}, **kw)


def rows(org: Any, rule_id: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, bool]]:
    return [(r.period_start, r.period_end, r.met) for r in duties(org, start, end) if r.rule_id == rule_id
            and r.org_id == org.pk]


@pytest.mark.parametrize(("day", "every", "expected"), [
    (D(2024, 2, 29), "month", (D(2024, 2, 1), D(2024, 2, 29))),
    (D(2024, 3, 31), "quarter", (D(2024, 1, 1), D(2024, 3, 31))),
    (D(2024, 4, 1), "quarter", (D(2024, 4, 1), D(2024, 6, 30))),
    (D(2024, 12, 31), "quarter", (D(2024, 10, 1), D(2024, 12, 31))),
    (D(2025, 1, 1), "year", (D(2025, 1, 1), D(2025, 12, 31))),
])
def test_period_bounds(day: dt.date, every: str, expected: tuple[dt.date, dt.date]) -> None:
    assert period_bounds(day, every) == expected


def test_periods_overlapping_cross_the_year() -> None:
    assert periods_overlapping("quarter", D(2024, 11, 15), D(2025, 2, 1)) == [
        (D(2024, 10, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 3, 31))]
    assert [p[0].month for p in periods_overlapping("month", D(2024, 12, 31), D(2025, 1, 1))] == [12, 1]


def test_a_general_meeting_meets_the_quarter_it_falls_in(cast: Any) -> None:
    everyone = [cast.member, cast.member_a2]
    q1 = meet(cast.branch_a, "general_meeting", D(2024, 3, 31), everyone)
    meet(cast.branch_a, "general_meeting", D(2024, 12, 31), everyone)
    got = rows(cast.branch_a, "meetings.general_meeting", D(2024, 2, 1), D(2025, 1, 15))
    assert got == [(D(2024, 1, 1), D(2024, 3, 31), True), (D(2024, 4, 1), D(2024, 6, 30), False),
                   (D(2024, 7, 1), D(2024, 9, 30), False), (D(2024, 10, 1), D(2024, 12, 31), True),
                   (D(2025, 1, 1), D(2025, 3, 31), False)]
    row = next(r for r in duties(cast.branch_a, D(2024, 1, 1), D(2024, 3, 31))
               if r.rule_id == "meetings.general_meeting")
    assert row.meetings == [q1] and row.due == D(2024, 3, 31) and row.rule == "meetings.general_meeting@2018"

    meet(cast.branch_a, "general_meeting", D(2024, 4, 1), everyone)
    assert rows(cast.branch_a, "meetings.general_meeting", D(2024, 1, 1), D(2024, 6, 30)) == [
        (D(2024, 1, 1), D(2024, 3, 31), True), (D(2024, 4, 1), D(2024, 6, 30), True)]


def test_a_meeting_without_quorum_does_not_meet_a_duty_that_needs_one(cast: Any) -> None:
    held = meet(cast.branch_a, "general_meeting", D(2024, 5, 10), [cast.member])  # one of two: exactly half
    assert held.quorate is False
    (row,) = [r for r in duties(cast.branch_a, D(2024, 5, 1), D(2024, 5, 31))
              if r.rule_id == "meetings.general_meeting"]
    assert (row.met, row.meetings, row.held) == (False, [], [held])
    # A theme day needs no quorum: held by nobody present, it still counts.
    meet(cast.branch_a, "theme_day", D(2024, 5, 2))
    assert rows(cast.branch_a, "meetings.theme_day", D(2024, 5, 1), D(2024, 6, 30)) == [
        (D(2024, 5, 1), D(2024, 5, 31), True), (D(2024, 6, 1), D(2024, 6, 30), False)]


def test_duties_per_kind_of_unit_and_yearly_duties(cast: Any) -> None:
    meet(cast.group_a1, "group_meeting", D(2024, 1, 9))
    meet(cast.branch_a, "group_meeting", D(2024, 2, 9))  # a joint meeting of A's groups
    meet(cast.branch_a, "life_meeting", D(2024, 12, 30))
    all_rows = duties(cast.general, D(2024, 1, 1), D(2024, 3, 31))
    by_org: dict[int, set[str]] = {}
    for r in all_rows:
        by_org.setdefault(r.org_id, set()).add(r.rule_id)
    assert by_org[cast.general.pk] == {"meetings.general_meeting"}
    assert by_org[cast.group_a1.pk] == {"meetings.group_meeting"}
    assert by_org[cast.branch_a.pk] == {"meetings.general_meeting", "meetings.committee_meeting",
                                        "meetings.party_lecture", "meetings.theme_day", "meetings.life_meeting",
                                        "meetings.appraisal", "meetings.talk"}
    assert rows(cast.group_a1, "meetings.group_meeting", D(2024, 1, 1), D(2024, 3, 31)) == [
        (D(2024, 1, 1), D(2024, 1, 31), True), (D(2024, 2, 1), D(2024, 2, 29), True),
        (D(2024, 3, 1), D(2024, 3, 31), False)]
    assert rows(cast.branch_a, "meetings.life_meeting", D(2024, 6, 1), D(2025, 1, 1)) == [
        (D(2024, 1, 1), D(2024, 12, 31), True), (D(2025, 1, 1), D(2025, 12, 31), False)]


def test_the_lecture_period_is_a_setting(cast: Any, settings: Any) -> None:
    assert len(rows(cast.branch_a, "meetings.party_lecture", D(2024, 1, 1), D(2024, 12, 31))) == 4
    settings.GRASSROOTS_RULE_OVERRIDES = {"meetings.party_lecture": {"every": "month"}}
    assert len(rows(cast.branch_a, "meetings.party_lecture", D(2024, 1, 1), D(2024, 12, 31))) == 12


def test_study_hours_are_credited_to_attendees_present_or_remote(cast: Any) -> None:
    for month in (3, 6, 9):
        meet(cast.branch_a, "study", D(2024, month, 5), [cast.member], study_hours="8.5")
    record_meeting(org=cast.branch_a, kind="party_lecture", date=D(2024, 10, 5), topic="党课", study_hours=8,
                   attendance={cast.member.pk: ("remote", ""), cast.member_a2.pk: ("leave", "出差")})
    meet(cast.branch_a, "study", D(2025, 1, 5), [cast.member_a2], study_hours=4)
    got = {r.member_id: (r.hours, r.met, r.required) for r in study_hours(cast.branch_a, 2024)}
    assert got == {cast.member.pk: (Decimal("33.5"), True, Decimal("32")),
                   cast.member_a2.pk: (Decimal("0"), False, Decimal("32"))}
    partial = {r.member_id: r.hours for r in study_hours(cast.branch_a, 2024, as_of=D(2024, 6, 30))}
    assert partial[cast.member.pk] == Decimal("17.0")


def test_expected_attendees_for_the_sign_in_sheet(cast: Any) -> None:
    member_update(cast.member, party_group=cast.group_a1)
    away = make_member(cast.branch_a, name="失联")
    member_record_event(away, kind="suspended", on=D(2024, 1, 1))
    assert list(expected_attendees(cast.branch_a, D(2024, 3, 1))) == sorted(
        [cast.member, cast.member_a2], key=lambda m: m.name)
    assert away in expected_attendees(cast.branch_a, D(2023, 12, 31))
    assert list(expected_attendees(cast.group_a1, D(2024, 3, 1))) == [cast.member]
    assert set(expected_attendees(cast.general, D(2024, 3, 1))) == {cast.member, cast.member_a2, cast.member_b}


def test_calendars_and_silence(cast: Any) -> None:
    member_update(cast.member, party_group=cast.group_a1)
    a = meet(cast.branch_a, "theme_day", D(2024, 3, 7))
    a1 = meet(cast.group_a1, "group_meeting", D(2024, 3, 9))
    b = meet(cast.branch_b, "theme_day", D(2024, 3, 8))
    outside = meet(cast.general, "general_meeting", D(2024, 3, 20), [cast.member])
    late = meet(cast.branch_a, "theme_day", D(2024, 5, 7))
    cast.member.refresh_from_db()
    assert list(branch_calendar(cast.branch_a, D(2024, 3, 1), D(2024, 3, 31))) == [a, a1]
    assert list(branch_calendar(cast.general, D(2024, 3, 1), D(2024, 12, 31))) == [a, b, a1, outside, late]
    assert list(member_meetings(cast.member, D(2024, 3, 1), D(2024, 3, 31))) == [a, a1, outside]
    assert list(member_meetings(cast.member_b, D(2024, 3, 1), D(2024, 3, 31))) == [b]
    assert silence(cast.branch_a, D(2024, 4, 6)) == 28  # since the group meeting on 9 March
    assert silence(cast.branch_a, D(2024, 3, 6)) is None
    assert silence(cast.branch_b, D(2024, 5, 8)) == 61
