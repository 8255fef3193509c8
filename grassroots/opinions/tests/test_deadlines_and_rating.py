"""Deadlines in Chinese working days (across holidays and make-up workdays), and rating by tracking code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.opinions import services
from grassroots.opinions.models import Opinion, OpinionRating, State

from .test_states import FULL, submit


@pytest.mark.parametrize(("received", "days", "due"), [
    (dt.date(2024, 12, 2), 5, dt.date(2024, 12, 9)),  # Monday: Tuesday to the next Monday
    (dt.date(2024, 12, 6), 1, dt.date(2024, 12, 9)),  # Friday: the working day after is Monday
    (dt.date(2024, 9, 30), 3, dt.date(2024, 10, 10)),  # before National Day: 1-7 October are off
    (dt.date(2024, 9, 28), 3, dt.date(2024, 10, 8)),  # Saturday; Sunday 29 September is a make-up workday
    (dt.date(2024, 10, 11), 1, dt.date(2024, 10, 12)),  # Saturday 12 October is a make-up workday
    (dt.date(2024, 2, 8), 3, dt.date(2024, 2, 19)),  # Spring Festival 10-17 February; 18 February is worked
])
def test_deadline_in_working_days_from_the_day_after(station: Any, today: dt.date, received: dt.date, days: int,
                                                     due: dt.date) -> None:
    station.other.deadline_workdays = days
    station.other.save()
    o = submit(station, station.other, on=received)
    assert o.deadline == due
    assert services.deadline_for(station.other, received) == due


def solved(station: Any, **kw: Any) -> Opinion:
    o = submit(station, station.roads, **kw)
    with acting(None, "system"):
        services.reply(o, to_state=State.SOLVED, on=dt.date(2024, 12, 5), **FULL)
    return Opinion.objects.get(pk=o.pk)


def test_rating_by_code_with_no_account(station: Any, today: dt.date) -> None:
    o = solved(station)
    code = o.tracking_code.lower()[:5] + "-" + o.tracking_code.lower()[5:]  # as people type it
    rating = services.rate(code, 5, comment="很快")
    assert (rating.opinion_id, rating.score, rating.on, rating.comment) == (o.pk, 5, today, "很快")
    services.rate(o.tracking_code, 4)  # changing one's mind replaces the rating of the same reply
    assert list(OpinionRating.objects.values_list("score", flat=True)) == [4]
    o.refresh_from_db()
    assert o.state == State.SOLVED


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_fair_rating_does_not_reopen(station: Any, today: dt.date, score: int) -> None:
    o = solved(station)
    services.rate(o.tracking_code, score)
    o.refresh_from_db()
    assert o.state == State.SOLVED


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_rating_reopens_with_a_new_deadline(station: Any, today: dt.date, score: int) -> None:
    o = solved(station)
    services.rate(o.tracking_code, score, comment="灯还是不亮", on=dt.date(2024, 12, 10))
    o.refresh_from_db()
    assert o.state == State.REOPENED and o.closed_on is None
    assert o.deadline == dt.date(2024, 12, 17)  # 5 working days from Wednesday 11 December
    change = o.changes.order_by("-id")[0]
    assert change.by_rating and change.to_state == State.REOPENED
    assert change.reason == f"{score}/5" and "灯还是不亮" not in change.reason
    assert OpinionRating.objects.get(opinion=o).comment == "灯还是不亮"
    # Reopened: it cannot be rated again until a new reply completes it.
    with pytest.raises(RuleError, match="no opinion with this code"):
        services.rate(o.tracking_code, 5)
    with acting(None, "system"):
        services.reply(o, to_state=State.SOLVED, on=dt.date(2024, 12, 12), **FULL)
    services.rate(o.tracking_code, 5)
    assert sorted(OpinionRating.objects.filter(opinion=o).values_list("score", flat=True)) == [score, 5]


def test_a_wrong_code_reveals_nothing(station: Any, today: dt.date) -> None:
    o = solved(station)
    still_open = submit(station, station.roads)
    messages = set()
    for code in ("", "x", "not a code at all", "ABCDEFGHJK", o.tracking_code[:-1] + "0",
                 still_open.tracking_code):
        with pytest.raises(RuleError) as err:
            services.rate(code, 5)
        messages.add((err.value.field, err.value.message))
    assert messages == {("code", "no opinion with this code can be rated now")}
    assert not OpinionRating.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_rating_is_1_to_5(station: Any, today: dt.date, score: int) -> None:
    o = solved(station)
    with pytest.raises(RuleError) as err:
        services.rate(o.tracking_code, score)
    assert err.value.field == "score"


def test_a_rating_cannot_be_dated_before_the_reply(station: Any, today: dt.date) -> None:
    o = solved(station)
    with pytest.raises(RuleError) as err:
        services.rate(o.tracking_code, 5, on=dt.date(2024, 12, 4))
    assert err.value.field == "on"


def test_find_by_code_accepts_only_the_alphabet(station: Any, today: dt.date) -> None:
    o = solved(station)
    assert services.find_by_code(f" {o.tracking_code.lower()} ") == o
    assert services.find_by_code(o.tracking_code.replace(o.tracking_code[0], "0")) is None
    assert services.find_by_code("' OR 1=1 --") is None
