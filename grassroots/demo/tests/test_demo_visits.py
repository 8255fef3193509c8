"""The demo town's links and visits: links by seed 000's targets from 2019, visits every half year for most links
(some missed, so the rate is under 100% and the findings exist), findings made opinions at the town's station and
micro-wishes, a second build adding nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_links_follow_seed_000(demo: Any) -> None:
    from grassroots.visits import selectors
    from grassroots.visits.models import HouseholdLink, LinkTarget

    today = timezone.localdate()
    loads = selectors.link_load(HouseholdLink.objects.all(), dt.date(2019, 1, 1))
    by_kind: dict[str, list[Any]] = {}
    for p in loads:
        by_kind.setdefault(p.kind, []).append(p)
    assert [p.count for p in by_kind["main_leader"]] == [4] and by_kind["main_leader"][0].target == 4
    assert all(p.count == 2 and p.target == 2 for p in by_kind["town_leader"]) and len(by_kind["town_leader"]) == 6
    assert all(p.count == 1 and p.target == 1 for p in by_kind["town_cadre"])
    assert all(p.own_target and p.target == p.count for p in by_kind["village_cadre"])  # the group's households
    assert LinkTarget.objects.count() == len(by_kind["village_cadre"]) >= 18
    assert HouseholdLink.objects.filter(valid_from__gt=dt.date(2019, 1, 1)).exists()  # new households linked
    assert HouseholdLink.objects.exclude(valid_to=None).exists()  # and those that left unlinked
    assert selectors.link_load(HouseholdLink.objects.all(), today)


def test_visits_rates_and_findings(demo: Any) -> None:
    from grassroots.orgs.models import Territory
    from grassroots.rules.findings import sources
    from grassroots.visits import selectors
    from grassroots.visits.models import FindingState, Visit

    today = timezone.localdate()
    town = Territory.objects.get(code="TC-HS")
    year_start = dt.date(today.year - 1, 1, 1)
    rate = selectors.visit_rates(town, year_start, dt.date(today.year - 1, 12, 31))
    assert rate.households > 300 and 60 < rate.percent < 100  # type: ignore[operator]
    assert 0 < rate.persons_visited < rate.persons
    rows = selectors.rate_table(town, year_start, today)
    assert {r.place.kind for r in rows} == {"town", "community", "villager_group"} and len(rows) == 1 + 3 + 21
    assert Visit.objects.filter(entered_late=True).exists() and Visit.objects.filter(entered_late=False).exists()
    assert Visit.objects.filter(purpose="holiday").exists()
    findings = list(sources()["visits"](demo["town"], today))
    assert {f.subject_type for f in findings} >= {"household_link"}
    from grassroots.visits.models import VisitFinding

    assert VisitFinding.objects.filter(state=FindingState.OPINION).exists()
    assert VisitFinding.objects.filter(state=FindingState.HANDLED).exists()


def test_findings_became_opinions_and_wishes_linked_both_ways(demo: Any) -> None:
    from grassroots.visits.models import FindingState, VisitFinding

    for f in VisitFinding.objects.filter(state=FindingState.OPINION).select_related("opinion", "visit"):
        assert f.opinion.channel == "visit" and f.opinion.visit_ref.startswith(f"visit:{f.visit_id} ")  # type: ignore[union-attr]
        assert f.opinion.station == demo["town"]  # type: ignore[union-attr]
    for f in VisitFinding.objects.filter(state=FindingState.WISH).select_related("wish"):
        assert f.wish.channel == "visit" and f.wish.org.code in ("HS-SZL", "HS-DZ", "HS-SY")  # type: ignore[union-attr]


def test_the_second_build_added_nothing(demo: Any) -> None:
    rows, again = demo["rows"], demo["rows_again"]
    for label in ("visits.Visit", "visits.HouseholdLink", "visits.VisitFinding"):
        assert rows[label] > 0 and again[label] == rows[label]
    line = next(x for x in demo["output"].splitlines() if x.startswith("Visits:"))
    assert "household links" in line
