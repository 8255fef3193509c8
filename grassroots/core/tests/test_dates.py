"""parse_date: the date formats people type and the cells spreadsheets hand over."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.core.dates import DateError, parse_date, parse_date_or

D = dt.date(2019, 12, 31)


@pytest.mark.parametrize("text", [
    "2019-12-31", "2019/12/31", "2019.12.31", "2019年12月31日", "2019年12月31", "20191231",
    " 2019-12-31 ", "2019-12-31 00:00:00", "2019/12/31 08:30", "2019年12月31日 23:59:59",
])
def test_text_formats(text: str) -> None:
    assert parse_date(text) == D


@pytest.mark.parametrize("text,expected", [
    ("2019-1-5", dt.date(2019, 1, 5)), ("2019/01/05", dt.date(2019, 1, 5)), ("2019.1.05", dt.date(2019, 1, 5)),
    ("2019年1月5日", dt.date(2019, 1, 5)), ("2020-02-29", dt.date(2020, 2, 29)), ("20000101", dt.date(2000, 1, 1)),
])
def test_short_months_and_days(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_excel_serial_numbers() -> None:
    assert parse_date(43830) == D
    assert parse_date(43830.0) == D
    assert parse_date(43830.75) == D  # a time of day is dropped
    assert parse_date(61) == dt.date(1900, 3, 1)
    assert parse_date(1) == dt.date(1899, 12, 31)
    assert parse_date(45658) == dt.date(2025, 1, 1)


@pytest.mark.parametrize("value", [0, -5, 2958466, 10**9])
def test_excel_serial_out_of_range(value: int) -> None:
    with pytest.raises(DateError, match="is not a date"):
        parse_date(value)


def test_date_and_datetime_cells() -> None:
    assert parse_date(D) == D
    assert parse_date(dt.datetime(2019, 12, 31, 23, 59)) == D
    assert type(parse_date(dt.datetime(2019, 12, 31, 0, 0))) is dt.date


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_cells(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize("text", ["2019-02-30", "2019年2月30日", "20190230", "2019/13/01", "2019.00.10"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(text)
    assert text in str(err.value) and "is not a date" in str(err.value)


@pytest.mark.parametrize("text", ["garbage", "31/12/2019", "2019-12", "12-31-2019", "2019年12月", "1e5", "二〇一九年"])
def test_garbage_names_the_formats(text: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(text)
    message = str(err.value)
    assert repr(text) in message
    assert "2019-12-31" in message and "2019年12月31日" in message


def test_booleans_are_not_serial_numbers() -> None:
    with pytest.raises(DateError):
        parse_date(True)


def test_parse_date_or_falls_back_on_empty_and_bad_input() -> None:
    fallback = dt.date(2024, 1, 1)
    assert parse_date_or("2019年12月31日", fallback) == dt.date(2019, 12, 31)
    assert parse_date_or("", fallback) == fallback
    assert parse_date_or(None, fallback) == fallback
    assert parse_date_or("2019-13-01", fallback) == fallback
