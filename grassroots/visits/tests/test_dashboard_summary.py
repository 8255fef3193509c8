"""The dashboard panel (visits by month, the year's rate with its denominator, a bounded number of queries) and the
annual summary's section (households visited and the rate, persons, findings by type, opinions and wishes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import cast_places
from grassroots.access.scope import scope_for
from grassroots.core.context import acting
from grassroots.ui.dashboard import DashboardFrame
from grassroots.visits import dashboard, services, summary

from .fixtures import household, station

pytestmark = pytest.mark.django_db


def _history(cast: Any) -> None:
    places = cast_places(cast)
    station(cast.street)
    with acting(None, "system"):
        hs = [household(places.grid_a if i % 2 else places.grid_a2, f"户{i}", persons=2) for i in range(4)]
        v1, _c = services.visit_record(household=hs[0], day=dt.date(2024, 3, 5), users=[cast.secretary],
                                       findings=[{"type": "hazard", "text": "电线"}, {"type": "wish", "text": "书"}])
        services.visit_record(household=hs[1], day=dt.date(2024, 7, 9), users=[cast.secretary])
        services.visit_record(household=hs[1], day=dt.date(2024, 8, 9), users=[cast.secretary])
        first, second = v1.findings.order_by("pk")
        services.finding_to_opinion(first)
        services.finding_to_wish(second)
        household(places.grid_c, "外户")


def test_the_panel(cast: Any, django_assert_max_num_queries: Any) -> None:
    _history(cast)
    frame = DashboardFrame(scope_for(cast.users["street_admin"]), cast.street, 2024, dt.date(2025, 1, 10))
    with django_assert_max_num_queries(5):
        panel = dashboard.visits(frame)
    assert panel is not None
    assert [m["visits"] for m in panel["months"]] == [0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    assert (panel["visited"], panel["households"], panel["persons_visited"], panel["persons"]) == (2, 4, 4, 8)
    assert panel["percent"] == 50.0
    other = dashboard.visits(DashboardFrame(scope_for(cast.users["outsider"]), cast.other_street, 2024,
                                            dt.date(2025, 1, 10)))
    assert other is not None and (other["visited"], other["households"], other["percent"]) == (0, 1, 0.0)
    assert dashboard.visits(DashboardFrame(scope_for(cast.users["secretary"]), cast.branch_b, 2024,
                                           dt.date(2025, 1, 10))) is None  # holds no place


def test_the_summary_section(cast: Any) -> None:
    _history(cast)
    figures = summary.visits_of(cast.street, 2024, dt.date(2024, 12, 31))
    assert figures is not None
    assert (figures.visits, figures.visited, figures.households, figures.percent) == (3, 2, 4, 50.0)
    assert figures.findings["hazard"] == 1 and figures.findings["wish"] == 1
    assert (figures.opinions, figures.wishes) == (1, 1)
    zh = summary.visits_text(figures, dt.date(2024, 12, 31), "zh-hans")
    assert "走访农户（居民户）2户，占在册4户的50.0%" in zh.paragraphs[0]
    assert "1件转为民情意见办理，1件转为微心愿" in str(zh.paragraphs[0])
    en = summary.visits_text(figures, dt.date(2024, 12, 31), "en")
    assert "2 of the 4 households" in str(en.paragraphs[0])
    assert summary.visits_of(cast.street, 2023, dt.date(2023, 12, 31)) is None
