"""The demo town's express station in 2019: set up with its offices, categories and outlets; about three hundred
opinions handled through the services, so that the monthly statistics mean something; built from the seed;
building again adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from grassroots.demo import data
from grassroots.demo import opinions as demo_opinions

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

YEAR = 2019
END_2019 = dt.date(2019, 12, 31)


@pytest.fixture
def stats(demo: Any, db: Any) -> Any:
    from grassroots.opinions.selectors import year_statistics

    return year_statistics(demo["town"], YEAR)


def test_the_station_is_set_up(demo: Any, db: Any) -> None:
    from grassroots.opinions.models import Category, Department, Outlet

    town = demo["town"]
    departments = {d.name: d for d in Department.objects.filter(org=town)}
    assert set(departments) == {"党政办", "民政办", "规划建设办", "农业服务中心", "综治办", "社会保障所"}
    assert all(d.name_en and d.contact.split()[-1].startswith("0875-") for d in departments.values())
    categories = list(Category.objects.filter(org=town))
    assert 8 <= len(categories) <= 10 and all(c.name_en and c.active for c in categories)
    routed = [c for c in categories if c.department is not None]
    by_place = [c for c in categories if c.department is None]
    assert len(routed) >= 5 and len(by_place) >= 2
    assert len({c.deadline_workdays for c in categories}) >= 3
    assert Category.objects.get(org=town, code="disputes").deadline_workdays == 3
    assert Category.objects.get(org=town, code="roads").department == departments["规划建设办"]
    outlets = list(Outlet.objects.filter(org=town).select_related("territory"))
    assert {o.territory.code for o in outlets} == {code for code, _n, kind, _p in data.COMMUNITIES}
    assert all("网格员" in o.recipients and o.address for o in outlets)


def test_about_three_hundred_opinions_over_2019(demo: Any, db: Any) -> None:
    from grassroots.opinions.models import Opinion

    ops = list(Opinion.objects.filter(station=demo["town"], received_on__year=YEAR)
               .select_related("category", "handler_org"))
    assert 280 <= len(ops) <= 320
    assert {o.received_on.year for o in ops} == {YEAR}
    assert {o.received_on.month for o in ops} == set(range(1, 13))
    assert Counter(o.channel for o in ops).keys() == {"outlet", "phone", "visit", "import"}
    assert len({o.category.code for o in ops}) == len(demo_opinions.CATEGORIES)
    assert [o.number for o in sorted(ops, key=lambda o: o.number)][:2] == ["HS-2019-0001", "HS-2019-0002"]
    numbers = sorted(ops, key=lambda o: o.number)
    assert [o.received_on for o in numbers] == sorted(o.received_on for o in ops)  # numbered as received
    # handled by the town's offices and by the communities' general branches (never by a party group)
    handlers = Counter(o.handler_org.kind for o in ops)
    assert handlers["committee"] > 100 and handlers["general_branch"] > 50 and not handlers["party_group"]
    assert len({o.handler_org.code for o in ops if o.handler_org.kind == "general_branch"}) == 3
    assert len({o.department_id for o in ops if o.department_id}) == 6
    places = {o.territory.code.split("-")[2] for o in ops if o.territory is not None}
    assert places == {"SZL", "DZ", "SY"}
    sample = next(o for o in ops if o.category.code == "roads")
    assert any(spot in sample.text or "路" in sample.text for spot in demo_opinions.SPOTS)
    assert sum(bool(o.submitter_phone) for o in ops) > len(ops) // 2


def test_the_monthly_statistics_are_meaningful(stats: Any) -> None:
    total = stats.total
    assert 280 <= total.received <= 320
    assert Decimal(70) <= total.completion_rate <= Decimal(95)
    assert Decimal(85) <= total.satisfaction_rate <= Decimal(100)
    assert Decimal(60) < total.on_time_rate < Decimal(100)  # some were late
    assert total.overdue > 0 and total.still_open == total.received - total.completed
    assert total.rated > total.completed // 2 and Decimal(4) <= total.average_rating <= Decimal(5)
    expected = {"received", "assigned", "in_progress", "solved", "explained", "cannot_solve", "reopened"}
    assert {s for s, n in total.by_state.items() if n} == expected
    assert total.by_state["solved"] > total.by_state["explained"] > total.by_state["reopened"]
    assert len(stats.months) == 12
    for month in stats.months:
        assert month.received > 0, month.key
        assert month.completed > 0, month.key
    early = stats.months[0]
    assert early.completion_rate >= stats.months[-1].completion_rate  # January is long done; December is not
    assert {d.label for d in stats.departments} >= {"规划建设办", "民政办", "(no department)"}
    assert len(stats.categories) == len(demo_opinions.CATEGORIES)


def test_replies_are_written_out_and_dated_in_2019(demo: Any, db: Any) -> None:
    from grassroots.opinions.models import OpinionChange, State

    changes = list(OpinionChange.objects.filter(opinion__station=demo["town"], opinion__received_on__year=YEAR)
                   .select_related("opinion"))
    assert all(c.on >= c.opinion.received_on for c in changes)
    assert all(c.on.year == YEAR or c.on.month == 1 for c in changes)  # `living` closes the rest in January 2020
    published = [c for c in changes if not c.is_draft]
    solved = [c for c in published if c.to_state == State.SOLVED]
    assert solved and all(c.background and c.solution and c.handler_name and c.handler_contact for c in solved)
    cannot = [c for c in published if c.to_state == State.CANNOT_SOLVE]
    assert cannot and all(c.reason and c.measures for c in cannot)
    assert any("审批" in c.reason or "资金" in c.reason or "计划" in c.reason for c in cannot)
    explained = [c for c in published if c.to_state == State.EXPLAINED]
    assert explained and all(c.solution for c in explained)
    progress = [c for c in published if c.to_state == State.IN_PROGRESS]
    assert progress and all(c.measures for c in progress)
    assert any(c.is_draft for c in changes)  # a reply drafted at the end of the year, not yet published
    # most were assigned on the day they came in or within two days
    from grassroots.opinions.models import Assignment

    first = {}
    for a in Assignment.objects.filter(opinion__station=demo["town"]).order_by("on", "id").select_related("opinion"):
        first.setdefault(a.opinion_id, (a.on - a.opinion.received_on).days)
    assert sum(d <= 2 for d in first.values()) >= 0.9 * len(first)


def test_duplicates_escalations_reopenings_and_publication(demo: Any, db: Any) -> None:
    from grassroots.opinions.models import Assignment, Opinion, OpinionChange, OpinionRating, State

    town = demo["town"]
    duplicates = list(Opinion.objects.filter(station=town, state=State.DUPLICATE).select_related("duplicate_of"))
    assert 3 <= len(duplicates) <= 12
    for dup in duplicates:
        assert dup.duplicate_of is not None and dup.duplicate_of.state != State.DUPLICATE
        assert dup.text == dup.duplicate_of.text and dup.received_on >= dup.duplicate_of.received_on
    escalated = Assignment.objects.filter(opinion__station=town, kind="escalate", opinion__received_on__year=YEAR)
    assert 3 <= escalated.count() <= 20 and all(a.note for a in escalated)
    reopened = OpinionChange.objects.filter(opinion__station=town, to_state=State.REOPENED, by_rating=True,
                                            on__year=YEAR)
    assert reopened.count() >= 3
    solved_again = [c.opinion for c in reopened if c.opinion.state == State.SOLVED  # and in 2019 (not by `living`)
                    and not c.opinion.changes.filter(on__year__gt=YEAR).exists()]
    rated_again = 0
    for opinion in solved_again:  # rated low, reopened, solved again, and (once rated again) rated well
        scores = list(OpinionRating.objects.filter(opinion=opinion).order_by("on", "id")
                      .values_list("score", flat=True))
        assert scores[0] <= 2 and all(s >= 4 for s in scores[1:])
        rated_again += len(scores) > 1
        assert opinion.changes.filter(to_state=State.SOLVED, published_at__isnull=False).count() == 2
    assert rated_again >= 2
    public = Opinion.objects.filter(station=town, published=True)
    assert 30 <= public.count() <= 150
    assert all(o.state in (State.SOLVED, State.EXPLAINED) for o in public)
    ratings = Counter(OpinionRating.objects.filter(opinion__station=town).values_list("score", flat=True))
    assert ratings[5] + ratings[4] > 0.8 * sum(ratings.values()) and ratings[1] + ratings[2] > 0


def test_some_were_late_and_some_are_overdue_at_the_end_of_the_year(demo: Any, db: Any) -> None:
    from grassroots.opinions.models import Opinion, State
    from grassroots.rules.findings import findings_for

    ops = Opinion.objects.filter(station=demo["town"]).exclude(state=State.DUPLICATE)
    late = [o for o in ops if o.closed_on is not None and o.closed_on > o.deadline]
    assert len(late) >= 5
    overdue = [f for f in findings_for(demo["town"], END_2019) if f.subject_type == "opinion"
               and f.state == "overdue"]
    assert overdue and all(f.due < END_2019 for f in overdue)


def test_the_plan_is_deterministic_and_the_build_says_the_figures(demo: Any, stats: Any) -> None:
    a, b = demo_opinions.plan(), demo_opinions.plan()
    assert [(o.received_on, o.text, o.fate, [(s.on, s.kind) for s in o.steps]) for o in a] == [
        (o.received_on, o.text, o.fate, [(s.on, s.kind) for s in o.steps]) for o in b]
    line = next(x for x in demo["output"].splitlines() if x.startswith("Opinions at the express station"))
    total = stats.total
    assert line == (f"Opinions at the express station in 2019: {total.received} received, {total.completed} "
                    f"completed ({total.completion_rate}%), {total.on_time_rate}% on time, satisfaction "
                    f"{total.satisfaction_rate}%. View the statistics as of 2019-12-31.")


def test_the_audit_chain_holds(demo: Any, db: Any) -> None:
    from grassroots.core.audit import verify_chain
    from grassroots.core.models import AuditEntry

    assert verify_chain() is None
    entries = AuditEntry.objects.filter(action="opinions.submit")
    assert entries.count() == demo["rows"]["opinions.Opinion"] and set(entries.values_list("channel", flat=True)) == {"system"}
