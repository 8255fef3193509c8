"""The Chinese working-day calendar: holidays, make-up workdays, and the Monday-Friday fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.core.workdays import add_workdays, is_official, is_workday, workdays_between

D = dt.date


@pytest.mark.parametrize(("day", "workday"), [
    (D(2025, 9, 27), False),  # Saturday
    (D(2025, 9, 28), True),  # Sunday, make-up workday for National Day
    (D(2025, 9, 30), True),
    (D(2025, 10, 1), False),  # National Day
    (D(2025, 10, 8), False),  # last day of the holiday (a Wednesday)
    (D(2025, 10, 9), True),
    (D(2025, 10, 11), True),  # Saturday, make-up workday
    (D(2025, 10, 12), False),  # Sunday
])
def test_national_day_2025(day: dt.date, workday: bool) -> None:
    assert is_workday(day) is workday
    assert is_official(day)


def test_spring_festival_2026() -> None:
    assert is_workday(D(2026, 2, 14))  # Saturday make-up workday before the festival
    assert not any(is_workday(D(2026, 2, d)) for d in range(15, 24))  # 15-23 February
    assert is_workday(D(2026, 2, 24))
    assert is_workday(D(2026, 2, 28))  # Saturday make-up workday after it
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 3  # 13, 14 and 24 February


def test_an_ordinary_weekend() -> None:
    assert is_workday(D(2025, 6, 6)) and not is_workday(D(2025, 6, 7)) and not is_workday(D(2025, 6, 8))
    assert add_workdays(D(2025, 6, 6), 2) == D(2025, 6, 9)
    assert add_workdays(D(2025, 6, 7), 1) == D(2025, 6, 9)  # a Saturday counts from the next workday


def test_five_working_days_across_national_day() -> None:
    assert add_workdays(D(2025, 9, 29), 5) == D(2025, 10, 11)  # 29, 30 Sep, 9, 10 and 11 Oct
    assert workdays_between(D(2025, 9, 28), D(2025, 10, 12)) == 6
    assert workdays_between(D(2025, 10, 2), D(2025, 10, 1)) == 0


def test_a_year_outside_the_data_falls_back_to_monday_to_friday() -> None:
    monday = D(2040, 10, 1)  # would be a holiday; the package has no data for 2040
    assert monday.weekday() == 0
    assert not is_official(monday)
    assert is_workday(monday) and not is_workday(D(2040, 9, 30))
    assert workdays_between(monday, D(2040, 10, 7)) == 5


def test_add_workdays_needs_a_positive_count() -> None:
    with pytest.raises(ValueError):
        add_workdays(D(2025, 1, 2), 0)
