"""The territory tree: dated changes (each with a TerritoryChange and an audit entry), the tree as of a date,
and `holder_of`, the organization that holds a place on a day. Against the cast (conftest.py) with places:

    P  和平街道 (street)         S's own place
    ├─ PA 东风社区 (community)   A's own place
    │  └─ PA1 一组 (villager group)
    ├─ PB 红旗社区 (community)   B's own place
    └─ PG 一网格 (grid)
    Q  外街 (street)             X's own place
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.orgs.models import Organization, Territory, TerritoryChange, TerritoryState
from grassroots.orgs.selectors import holder_of, territory_state_on, territory_tree_as_of
from grassroots.orgs.services import (
    org_create,
    org_revoke,
    territory_create,
    territory_hold,
    territory_merge,
    territory_move,
    territory_rename,
    territory_revoke,
    territory_split,
)

D = dt.date


@pytest.fixture
def places(cast: Any) -> dict[str, Territory]:
    with acting(None, "system"):
        p = territory_create(code="P", name="和平街道", kind="street")
        made = {
            "P": p,
            "PA": territory_create(code="PA", name="东风社区", kind="community", parent=p),
            "PB": territory_create(code="PB", name="红旗社区", kind="community", parent=p),
            "PG": territory_create(code="PG", name="一网格", kind="grid", parent=p),
            "Q": territory_create(code="Q", name="外街", kind="street"),
        }
        made["PA1"] = territory_create(code="PA1", name="一组", kind="villager_group", parent=made["PA"])
    for org, code in ((cast.street, "P"), (cast.branch_a, "PA"), (cast.branch_b, "PB"), (cast.other_street, "Q")):
        Organization.objects.filter(pk=org.pk).update(territory=made[code])
        org.refresh_from_db()
    return made


def fresh(place: Territory) -> Territory:
    return Territory.objects.get(pk=place.pk)


def test_a_place_recorded_without_a_date_has_been_there_since_before_the_records(places: dict[str, Territory]) -> None:
    state = territory_state_on(places["PA1"], D(1950, 1, 1))
    assert state is not None and state.valid_from is None and state.parent_id == places["PA"].pk
    change = TerritoryChange.objects.get(territory=places["PA1"])
    assert (change.kind, change.date, change.details["parent"]) == ("create", None, "PA")
    assert AuditEntry.objects.filter(action="territory.create", object_id=str(places["PA1"].pk)).exists()


def test_changes_are_dated_and_the_tree_as_of_a_date_shows_them(places: dict[str, Territory]) -> None:
    with acting(None, "system"):
        territory_rename(places["PA"], name="东风街区", kind="community", on=D(2010, 5, 1))
        territory_move(fresh(places["PG"]), parent=fresh(places["PA"]), on=D(2012, 1, 1))
        territory_revoke(fresh(places["PA1"]), on=D(2015, 3, 1))

    def shape(day: dt.date) -> dict[str, Any]:
        root = territory_tree_as_of(fresh(places["P"]), day)
        assert root is not None
        return {child.code: (child.name, sorted(c.code for c in child.children)) for child in root.children}

    assert shape(D(2009, 1, 1)) == {"PA": ("东风社区", ["PA1"]), "PB": ("红旗社区", []), "PG": ("一网格", [])}
    assert shape(D(2011, 1, 1)) == {"PA": ("东风街区", ["PA1"]), "PB": ("红旗社区", []), "PG": ("一网格", [])}
    assert shape(D(2013, 1, 1)) == {"PA": ("东风街区", ["PA1", "PG"]), "PB": ("红旗社区", [])}
    assert shape(D(2016, 1, 1)) == {"PA": ("东风街区", ["PG"]), "PB": ("红旗社区", [])}
    assert territory_tree_as_of(fresh(places["PA1"]), D(2016, 1, 1)) is None
    kinds = list(TerritoryChange.objects.exclude(kind="create").order_by("date").values_list("kind", flat=True))
    assert kinds == ["rename", "move", "revoke"]
    rename = AuditEntry.objects.get(action="territory.rename")
    assert rename.org_id == places["PA"].organizations.get().pk  # audited under the place's holder (branch A)


def test_changes_are_refused_out_of_date_order_in_the_future_and_on_a_revoked_place(
        places: dict[str, Territory]) -> None:
    with acting(None, "system"):
        territory_rename(places["PB"], name="红旗新区", on=D(2010, 1, 1))
        with pytest.raises(RuleError) as exc:
            territory_rename(fresh(places["PB"]), name="红旗", on=D(2009, 1, 1))
        assert exc.value.field == "date"
        with pytest.raises(RuleError):
            territory_rename(fresh(places["PB"]), name="红旗", on=dt.date.today() + dt.timedelta(days=2))
        with pytest.raises(RuleError):
            territory_revoke(fresh(places["PA"]), on=D(2011, 1, 1))  # a villager group is still under it
        with pytest.raises(RuleError):
            territory_move(fresh(places["P"]), parent=fresh(places["PA"]), on=D(2011, 1, 1))  # under itself
        territory_revoke(fresh(places["PG"]), on=D(2011, 1, 1))
        with pytest.raises(RuleError):
            territory_rename(fresh(places["PG"]), name="二网格", on=D(2012, 1, 1))
        with pytest.raises(RuleError):
            territory_create(code="PA", name="重复", kind="grid", parent=fresh(places["P"]))
        with pytest.raises(RuleError):
            territory_create(code="PX", name="未知", kind="planet", parent=fresh(places["P"]))


def test_merge_and_split(places: dict[str, Territory]) -> None:
    with acting(None, "system"):
        territory_create(code="PB1", name="红旗一组", kind="villager_group", parent=places["PB"])
        territory_merge(fresh(places["PB"]), into=fresh(places["PA"]), on=D(2018, 1, 1))
        assert fresh(places["PB"]).revoked_on == D(2018, 1, 1)
        assert Territory.objects.get(code="PB1").get_parent() == fresh(places["PA"])
        new = territory_split(fresh(places["PA"]), on=D(2020, 1, 1), revoke_original=True,
                              parts=[{"code": "PA-E", "name": "东风东社区"}, {"code": "PA-W", "name": "东风西社区"}],
                              assignments={"PA1": "PA-E", "PB1": "PA-W"})
    assert [p.code for p in new] == ["PA-E", "PA-W"]
    assert fresh(places["PA"]).revoked_on == D(2020, 1, 1)
    root = territory_tree_as_of(fresh(places["P"]), D(2021, 1, 1))
    assert root is not None
    assert {c.code: [g.code for g in c.children] for c in root.children} == {
        "PA-E": ["PA1"], "PA-W": ["PB1"], "PG": []}
    root = territory_tree_as_of(fresh(places["P"]), D(2019, 1, 1))
    assert root is not None
    assert {c.code: sorted(g.code for g in c.children) for c in root.children} == {"PA": ["PA1", "PB1"], "PG": []}
    assert set(TerritoryChange.objects.filter(date__isnull=False).values_list("kind", flat=True)) == {
        "create", "move", "merge", "split", "revoke"}


def test_holder_of_walks_up_skips_party_groups_and_lifts_shared_places(cast: Any,
                                                                          places: dict[str, Territory]) -> None:
    day = D(2024, 6, 1)
    assert holder_of(places["PA"], day) == cast.branch_a
    assert holder_of(places["PA1"], day) == cast.branch_a  # a villager group nobody holds: the place above
    assert holder_of(places["PG"], day) == cast.street  # a grid nobody holds: the street
    Organization.objects.filter(pk=cast.group_a1.pk).update(territory=places["PA1"])
    assert holder_of(places["PA1"], day) == cast.branch_a  # party groups hold nothing
    Organization.objects.filter(pk=cast.branch_b.pk).update(territory=places["PA"])
    assert holder_of(places["PA"], day) == cast.general  # two branches: the organization above them
    assert holder_of(places["PA"], day, within=cast.branch_a) == cast.branch_a  # only A's subtree counts
    assert holder_of(places["PA"], day, within=cast.other_street) is None
    assert holder_of(places["Q"], day) == cast.other_street


def test_holder_of_is_dated(cast: Any, places: dict[str, Territory]) -> None:
    with acting(None, "system"):
        territory_hold(places["PG"], holder=cast.branch_b, on=D(2020, 1, 1))
        grid = territory_create(code="PG2", name="二网格", kind="grid", parent=places["P"], on=D(2021, 1, 1),
                                holder=cast.branch_a)
        d = org_create(code="D", name="第四支部", kind="branch", founded_on=D(2022, 1, 1), parent=cast.general,
                       territory=places["PB"])
        org_revoke(d, on=D(2023, 1, 1))
    assert holder_of(places["PG"], D(2019, 12, 31)) == cast.street
    assert holder_of(places["PG"], D(2020, 1, 1)) == cast.branch_b  # given to B from that day
    assert holder_of(grid, D(2020, 12, 31)) is None  # the grid did not exist yet
    assert holder_of(grid, D(2021, 1, 1)) == cast.branch_a
    assert holder_of(places["PB"], D(2021, 6, 1)) == cast.branch_b
    assert holder_of(places["PB"], D(2022, 6, 1)) == cast.general  # B and the new branch D shared it
    assert holder_of(places["PB"], D(2023, 6, 1)) == cast.branch_b  # D was revoked
    change = TerritoryChange.objects.get(territory=places["PG"], kind="hold")
    assert change.details == {"old_holder": None, "new_holder": "B"}
    with acting(None, "system"), pytest.raises(RuleError):
        territory_hold(places["PB"], holder=cast.group_a1, on=D(2024, 1, 1))  # a party group holds no place


def test_places_are_changed_only_inside_the_places_ones_organizations_hold(cast: Any,
                                                                          places: dict[str, Territory]) -> None:
    with acting(cast.secretary, "web"):
        grid = territory_create(code="PA-G1", name="东风一网格", kind="grid", parent=places["PA"], on=D(2024, 1, 1))
        territory_rename(grid, name="东风第一网格", on=D(2024, 2, 1))
        for attempt in (
            lambda: territory_create(code="PB-G1", name="红旗一网格", kind="grid", parent=places["PB"]),
            lambda: territory_rename(places["PB"], name="红旗", on=D(2024, 1, 1)),
            lambda: territory_move(fresh(grid), parent=places["PB"], on=D(2024, 3, 1)),
            lambda: territory_create(code="TOP", name="县", kind="county"),
            lambda: territory_hold(places["PG"], holder=cast.branch_a, on=D(2024, 1, 1)),
        ):
            with pytest.raises(PermissionDeniedError):
                attempt()
    with acting(cast.outsider, "web"):
        with pytest.raises(PermissionDeniedError):
            territory_rename(places["P"], name="和平", on=D(2024, 1, 1))
        territory_rename(places["Q"], name="外街街道", on=D(2024, 1, 1))
    with acting(cast.street_admin, "web"):
        territory_hold(places["PG"], holder=cast.branch_a, on=D(2024, 1, 1))
        with pytest.raises(PermissionDeniedError):
            territory_hold(places["PG"], holder=cast.branch_c, on=D(2024, 2, 1))  # C is not the street's
    assert TerritoryState.objects.filter(territory=grid).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_gives_every_place_an_opening_state() -> None:
    before = [("orgs", "0002_territory_history")]
    after = [("orgs", "0003_territory_opening_states")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("orgs", "Territory")
        old.objects.create(code="C", name="县", kind="county", path="0001", depth=1, numchild=1)
        old.objects.create(code="C1", name="镇", kind="town", path="00010001", depth=2, numchild=0)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    county, town = Territory.objects.get(code="C"), Territory.objects.get(code="C1")
    states = {s.territory_id: s for s in TerritoryState.objects.all()}
    assert (states[county.pk].name, states[county.pk].parent_id, states[county.pk].path) == ("县", None, "0001")
    assert (states[town.pk].kind, states[town.pk].parent_id, states[town.pk].valid_from) == ("town", county.pk, None)
    assert territory_state_on(town, D(1900, 1, 1)) == states[town.pk]
