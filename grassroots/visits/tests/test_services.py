"""Links, visits and findings through the services: idempotent by client_id, entered late, scoped by place (the
grid worker writes its grid and nothing else), and a finding made an opinion or a wish in one step, linked both
ways."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from conftest import cast_places
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.visits import selectors, services
from grassroots.visits.models import FindingState, LinkKind, Visit

from .fixtures import as_user, household, station

pytestmark = pytest.mark.django_db


def test_a_visit_sent_twice_is_recorded_once_and_marked_late(cast: Any) -> None:
    places = cast_places(cast)
    h = household(places.grid_a)
    cid = uuid.uuid4()
    with as_user(places.grid_worker):
        v1, created1 = services.visit_record(household=h, day=dt.date(2024, 1, 5), client_id=cid,
                                             findings=[{"type": "difficulty", "text": "屋顶漏雨"}])
        v2, created2 = services.visit_record(household=h, day=dt.date(2024, 1, 5), client_id=str(cid))
    assert created1 and not created2 and v1.pk == v2.pk
    assert Visit.objects.count() == 1 and v1.findings.count() == 1
    assert v1.entered_late and v1.late_by == places.grid_worker and v1.late_at is not None
    assert list(v1.visitor_users.all()) == [places.grid_worker]
    assert v1.territory == places.grid_a
    assert AuditEntry.objects.filter(action="visits.visit_record").count() == 1


def test_the_grid_worker_writes_only_its_grid(cast: Any) -> None:
    places = cast_places(cast)
    mine, other, next_grid = household(places.grid_a), household(places.grid_c), household(places.grid_a2)
    with as_user(places.grid_worker):
        services.visit_record(household=mine)
        for h in (other, next_grid):
            with pytest.raises(PermissionDeniedError):
                services.visit_record(household=h)
    with as_user(cast.outsider), pytest.raises(PermissionDeniedError):
        services.visit_record(household=mine)
    with as_user(cast.secretary):
        services.visit_record(household=next_grid)  # the community's secretary writes all its grids


def test_rules_of_a_visit(cast: Any) -> None:
    places = cast_places(cast)
    h = household(places.grid_a, on=dt.date(2020, 1, 1))
    with as_user(places.grid_worker):
        with pytest.raises(RuleError) as e:
            services.visit_record(household=h, day=dt.date(2019, 6, 1))
        assert e.value.field == "day"
        with pytest.raises(RuleError):
            services.visit_record(household=h, day=dt.date.today() + dt.timedelta(days=2))
        with pytest.raises(RuleError):
            services.visit_record(household=h, purpose="party")
        with pytest.raises(RuleError):
            services.visit_record(household=h, findings=[{"type": "gossip", "text": "x"}])
        with pytest.raises(RuleError):
            services.visit_record(household=h, client_id="not-a-uuid")
    assert Visit.objects.count() == 0


def test_links_and_targets(cast: Any) -> None:
    places = cast_places(cast)
    hs = [household(places.grid_a, f"户{i}") for i in range(3)]
    day = dt.date(2024, 1, 1)
    with acting(None, "system"):
        for h in hs[:2]:
            services.link_create(household=h, kind=LinkKind.TOWN_LEADER, valid_from=dt.date(2019, 1, 1),
                                 member=cast.member)
        services.link_create(household=hs[2], kind=LinkKind.TOWN_CADRE, valid_from=dt.date(2019, 1, 1),
                             person_name="王站长")
        with pytest.raises(RuleError):
            services.link_create(household=hs[0], kind=LinkKind.TOWN_LEADER, valid_from=dt.date(2020, 1, 1),
                                 member=cast.member)
    loads = {p.name: p for p in selectors.link_load(selectors.HouseholdLink.objects.all(), day)}
    assert loads[cast.member.name].count == 2 and loads[cast.member.name].target == 2  # seed 000: leaders, 2
    assert loads["王站长"].count == 1 and loads["王站长"].target == 1  # seed 000: station heads, 1
    with acting(None, "system"):
        services.target_set(territory=places.grid_a, households=3, member=cast.member)
    loads = {p.name: p for p in selectors.link_load(selectors.HouseholdLink.objects.all(), day)}
    assert loads[cast.member.name].target == 3 and loads[cast.member.name].own_target
    assert loads[cast.member.name].short == 1


def test_a_visit_fulfils_the_links_of_its_visitors(cast: Any) -> None:
    places = cast_places(cast)
    h = household(places.grid_a)
    with acting(None, "system"):
        link = services.link_create(household=h, kind=LinkKind.MEMBER, valid_from=dt.date(2019, 1, 1),
                                    member=cast.member)
        other = services.link_create(household=h, kind=LinkKind.UNIT, valid_from=dt.date(2019, 1, 1),
                                     person_name="县政研室")
        visit, _c = services.visit_record(household=h, day=dt.date(2023, 5, 1), members=[cast.member])
    assert list(visit.links.all()) == [link]
    late, _cutoff, cite = selectors.unvisited_links(selectors.HouseholdLink.objects.all(), dt.date(2024, 1, 1))
    assert [ln.pk for ln in late] == [link.pk, other.pk] or {ln.pk for ln in late} == {link.pk, other.pk}
    assert cite == "visits.visit_every@v1"
    late, _c2, _ = selectors.unvisited_links(selectors.HouseholdLink.objects.all(), dt.date(2023, 9, 1))
    assert {ln.pk for ln in late} == {other.pk}


def test_a_finding_becomes_an_opinion_in_one_step_by_the_grid_worker(cast: Any) -> None:
    from grassroots.opinions.models import Opinion

    places = cast_places(cast)
    category = station(cast.street)
    h = household(places.grid_a, "赵奶奶", phone="13700001111")
    with as_user(places.grid_worker):
        visit, _c = services.visit_record(household=h, findings=[{"type": "hazard", "text": "电线老化"}])
        finding = visit.findings.get()
        done = services.finding_to_opinion(finding)
        with pytest.raises(RuleError):
            services.finding_to_opinion(finding)  # once only
    opinion = Opinion.objects.get()
    assert done.state == FindingState.OPINION and done.opinion == opinion
    assert opinion.station == cast.street and opinion.category == category and opinion.channel == "visit"
    assert opinion.visit_ref == visit.ref and opinion.territory == places.grid_a
    assert opinion.recorded_by == places.grid_worker
    assert "电线老化" in opinion.text


def test_a_finding_becomes_a_wish_by_the_grid_worker(cast: Any) -> None:
    from grassroots.wishes.models import Wish

    places = cast_places(cast)
    h = household(places.grid_a, "钱大妈")
    with as_user(places.grid_worker):
        visit, _c = services.visit_record(household=h, day=dt.date(2024, 2, 1),
                                          findings=[{"type": "wish", "text": "想要一副老花镜"}])
        done = services.finding_to_wish(visit.findings.get())
    wish = Wish.objects.get()
    assert done.wish == wish and wish.channel == "visit" and wish.visit_ref == visit.ref
    assert wish.org == cast.branch_a and wish.collected_on == dt.date(2024, 2, 1)
    other = household(places.grid_c)
    with acting(None, "system"):
        v2, _c = services.visit_record(household=other, users=[cast.outsider],
                                       findings=[{"type": "wish", "text": "x"}])
    with as_user(places.grid_worker), pytest.raises(PermissionDeniedError):
        services.finding_to_wish(v2.findings.get())


def test_no_station_no_opinion(cast: Any) -> None:
    places = cast_places(cast)
    h = household(places.grid_a)
    with as_user(places.grid_worker):
        visit, _c = services.visit_record(household=h, findings=[{"type": "dispute", "text": "邻里"}])
        with pytest.raises(RuleError):
            services.finding_to_opinion(visit.findings.get())


def test_the_visit_findings_source(cast: Any) -> None:
    from grassroots.rules.findings import sources

    places = cast_places(cast)
    h = household(places.grid_a)
    with acting(None, "system"):
        services.link_create(household=h, kind=LinkKind.MEMBER, valid_from=dt.date(2019, 1, 1), member=cast.member)
        services.visit_record(household=h, day=dt.date(2023, 1, 1), users=[cast.secretary],
                              findings=[{"type": "difficulty", "text": "无人照料"}])
    found = list(sources()["visits"](cast.branch_a, dt.date(2024, 1, 1)))
    kinds = sorted(f.subject_type for f in found)
    assert kinds == ["household_link", "visit_finding"]
    assert all(f.url for f in found)
    assert list(sources()["visits"](cast.branch_c, dt.date(2024, 1, 1))) == []
