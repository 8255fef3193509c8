"""Monthly statistics (as they stood on a date) and the overdue findings, from a year worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.opinions import selectors, services
from grassroots.opinions.models import State
from grassroots.rules.findings import DUE_SOON, OVERDUE, findings_for

from .test_states import FULL, submit

D = dt.date


@pytest.fixture
def year(station: Any, today: dt.date) -> dict[str, Any]:
    """Seven opinions of 2024 (roads: 5 working days, to the department; neighbours: 3, to branch A)."""
    o: dict[str, Any] = {}
    with acting(None, "system"):
        o["o1"] = submit(station, station.roads, on=D(2024, 1, 8))  # due 15 January
        services.reply(o["o1"], to_state=State.SOLVED, on=D(2024, 1, 10), **FULL)
        services.rate(o["o1"].tracking_code, 5, on=D(2024, 1, 11))
        o["o2"] = submit(station, station.roads, on=D(2024, 1, 8))
        services.reply(o["o2"], to_state=State.EXPLAINED, on=D(2024, 1, 30), **FULL)  # late
        services.rate(o["o2"].tracking_code, 4, on=D(2024, 2, 1))
        o["o3"] = submit(station, station.roads, on=D(2024, 1, 9))
        services.reply(o["o3"], to_state=State.CANNOT_SOLVE, on=D(2024, 1, 12), **FULL)
        services.rate(o["o3"].tracking_code, 3, on=D(2024, 1, 13))
        o["o4"] = submit(station, station.roads, on=D(2024, 1, 10))  # due 17 January, never answered
        services.reply(o["o4"], to_state=State.IN_PROGRESS, on=D(2024, 1, 11), **FULL)
        o["o5"] = submit(station, station.roads, on=D(2024, 2, 1))
        services.reply(o["o5"], to_state=State.DUPLICATE, on=D(2024, 2, 1), duplicate_of=o["o1"])
        o["o6"] = submit(station, station.roads, on=D(2024, 2, 5))
        services.reply(o["o6"], to_state=State.SOLVED, on=D(2024, 12, 10), **FULL)  # very late
        o["o7"] = submit(station, station.neighbours, territory=station.territory_a, on=D(2024, 3, 4))
        services.reply(o["o7"], to_state=State.SOLVED, on=D(2024, 3, 5), **FULL)
        services.rate(o["o7"].tracking_code, 2, on=D(2024, 3, 6))  # reopens: due 11 March
        services.reply(o["o7"], to_state=State.SOLVED, on=D(2024, 3, 8), **FULL)
        services.rate(o["o7"].tracking_code, 5, on=D(2024, 3, 9))
    return o


def test_the_year_as_of_december(station: Any, cast: Any, year: dict[str, Any]) -> None:
    st = selectors.year_statistics(cast.street, 2024, as_of=D(2024, 12, 20))
    t = st.total
    assert (t.received, t.completed, t.on_time, t.still_open, t.overdue) == (6, 5, 3, 1, 1)
    assert (t.completion_rate, t.on_time_rate) == (Decimal("83.3"), Decimal("60.0"))
    assert (t.rated, t.average_rating, t.satisfaction_rate) == (4, Decimal("4.25"), Decimal("75.0"))
    assert dict(t.by_state) == {State.SOLVED: 3, State.EXPLAINED: 1, State.CANNOT_SOLVE: 1, State.IN_PROGRESS: 1}
    months = {m.key: m for m in st.months}
    assert len(months) == 12
    assert (months["2024-01"].received, months["2024-01"].completed, months["2024-01"].overdue) == (4, 3, 1)
    assert (months["2024-02"].received, months["2024-03"].received, months["2024-04"].received) == (1, 1, 0)
    assert months["2024-04"].completion_rate is None  # nothing received: no rate, not 0%
    assert {d.label: d.received for d in st.departments} == {"城管办": 5, "(no department)": 1}
    assert {h.key: h.received for h in st.handlers} == {"S": 5, "A": 1}
    assert {c.key: c.completed for c in st.categories} == {"roads": 4, "neighbours": 1}


def test_the_same_year_as_it_stood_earlier(station: Any, cast: Any, year: dict[str, Any]) -> None:
    march = selectors.year_statistics(cast.street, 2024, as_of=D(2024, 3, 7)).total
    # o7 reopened by its low rating on 6 March: open (not overdue yet), its latest rating is the 2.
    assert (march.received, march.completed, march.still_open, march.overdue) == (6, 3, 3, 2)
    assert (march.rated, march.average_rating, march.satisfaction_rate) == (4, Decimal("3.50"), Decimal("50.0"))
    january = selectors.year_statistics(cast.street, 2024, as_of=D(2024, 1, 20)).total
    assert (january.received, january.completed, january.overdue) == (4, 2, 2)  # o2 and o4 past 15/17 Jan


def test_a_branch_sees_what_it_handles(station: Any, cast: Any, year: dict[str, Any]) -> None:
    a = selectors.year_statistics(cast.branch_a, 2024, as_of=D(2024, 12, 20)).total
    assert (a.received, a.completed, a.rated, a.satisfaction_rate) == (1, 1, 1, Decimal("100.0"))
    assert selectors.year_statistics(cast.branch_b, 2024, as_of=D(2024, 12, 20)).total.received == 0


def test_as_json_carries_the_figures(station: Any, cast: Any, year: dict[str, Any]) -> None:
    data = selectors.year_statistics(cast.street, 2024, as_of=D(2024, 12, 20)).as_json()
    assert data["total"]["completion_rate"] == "83.3" and data["total"]["received"] == 6
    assert data["months"][0]["key"] == "2024-01" and data["months"][0]["overdue"] == 1
    assert data["total"]["by_state"]["cannot_solve"] == 1 and "duplicate" not in data["total"]["by_state"]


def test_findings_name_the_overdue_and_the_due_soon(station: Any, cast: Any, year: dict[str, Any]) -> None:
    found = findings_for(cast.street, D(2024, 2, 6), only=["opinions"])
    assert [(f.subject_label, f.state, f.due) for f in found] == [(year["o4"].number, OVERDUE, D(2024, 1, 17))]
    # o2 was explained on 30 January; o6 (received 5 February) is due 18 February, after the Spring Festival
    # (6, 7, 8, 9 and the make-up workday 18 February): more than two working days away on the 6th.
    assert "has had no reply" in found[0].message and found[0].rule == "opinions.reply_within@v1"
    assert found[0].org_name == cast.street.name and found[0].url == f"/opinions/{year['o4'].pk}/"
    near = {f.subject_label: f for f in findings_for(cast.street, D(2024, 2, 9), only=["opinions"])}
    assert near[year["o6"].number].state == DUE_SOON and near[year["o6"].number].due == D(2024, 2, 18)
    later = {f.subject_label for f in findings_for(cast.street, D(2024, 12, 20), only=["opinions"])}
    assert later == {year["o4"].number}
    # The branch sees only what it handles: nothing overdue there.
    assert findings_for(cast.branch_a, D(2024, 12, 20), only=["opinions"]) == []


def test_closed_after_the_date_still_counts_as_open_on_it(station: Any, cast: Any, year: dict[str, Any]) -> None:
    found = {f.subject_label for f in findings_for(cast.street, D(2024, 6, 30), only=["opinions"])}
    assert found == {year["o4"].number, year["o6"].number}


def test_a_departments_own_monthly_figures(station: Any, cast: Any, year: dict[str, Any]) -> None:
    dept = selectors.year_statistics(cast.street, 2024, as_of=D(2024, 12, 20), department_id=station.department.pk)
    assert (dept.total.received, dept.total.completed, dept.total.overdue) == (5, 4, 1)  # roads: o1-o4, o6
    assert {m.key: m.received for m in dept.months if m.received} == {"2024-01": 4, "2024-02": 1}
    assert [d.label for d in dept.departments] == ["城管办"]
