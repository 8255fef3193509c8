"""The grid services: appointing a worker grants the grid worker's role and ending the post withdraws it, each in
one transaction; only an organizer appoints; the Party group is dated; households are assigned all or none; a grid
worker reads only their grid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import cast_places
from grassroots.access.models import Role
from grassroots.access.scope import scope_for
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.grids import selectors, services
from grassroots.grids.models import Grid, GridPartyGroup, GridWorker

from .fixtures import grids, household

pytestmark = pytest.mark.django_db


def test_appointing_grants_the_role_and_ending_withdraws_it(cast: Any) -> None:
    a, _a2, _c = grids(cast)
    with acting(cast.street_admin, "web"):
        worker, password = services.appoint_worker(a, started_on=dt.date(2021, 3, 1), username="wang-g1",
                                                   name="王秀兰", phone="13900001234")
    assert password  # a new account: its generated password, shown once
    role = Role.objects.get(user=worker.user, kind="grid_worker")
    assert (role.org, role.territory) == (cast.branch_a, a.territory)  # given by the holder of the place
    assert [g.pk for g in selectors.visible(scope_for(worker.user))] == [a.pk]
    with acting(cast.street_admin, "web"):
        services.end_worker(worker, on=dt.date(2023, 6, 30), reason="调离")
    worker.refresh_from_db()
    assert worker.ended_on == dt.date(2023, 6, 30)
    assert not Role.objects.filter(user=worker.user).exists()
    assert not selectors.visible(scope_for(worker.user)).exists()
    assert selectors.workers_on([a], dt.date(2022, 1, 1))[a.pk] == [worker]
    assert selectors.workers_on([a], dt.date(2023, 6, 30))[a.pk] == []


def test_appointing_is_one_transaction(cast: Any, monkeypatch: Any) -> None:
    from django.contrib.auth import get_user_model

    a, _a2, _c = grids(cast)

    def broken(**kwargs: Any) -> Any:
        raise RuleError("broken", field="name")

    monkeypatch.setattr(GridWorker.objects, "create", broken)
    with acting(cast.street_admin, "web"), pytest.raises(RuleError):
        services.appoint_worker(a, started_on=dt.date(2021, 3, 1), username="half-made", name="王秀兰")
    assert not get_user_model().objects.filter(username="half-made").exists()
    assert not Role.objects.filter(kind="grid_worker", territory=a.territory).exclude(
        user=cast_places(cast).grid_worker).exists()


def test_ending_is_one_transaction(cast: Any, monkeypatch: Any) -> None:
    from grassroots.access import services as access

    a, _a2, _c = grids(cast)
    with acting(cast.street_admin, "web"):
        worker, _p = services.appoint_worker(a, started_on=dt.date(2021, 3, 1), username="wang-g1", name="王秀兰")

    def broken(role: Any) -> None:
        raise RuleError("broken")

    monkeypatch.setattr(access, "role_withdraw", broken)
    with acting(cast.street_admin, "web"), pytest.raises(RuleError):
        services.end_worker(worker, on=dt.date(2023, 6, 30))
    worker.refresh_from_db()
    assert worker.ended_on is None and Role.objects.filter(user=worker.user, kind="grid_worker").exists()


def test_a_secretary_may_not_appoint_but_sets_up_grids(cast: Any) -> None:
    places = cast_places(cast)
    with acting(cast.secretary, "web"):
        grid = services.grid_setup(territory=places.grid_a, head_name="杨国华")
        with pytest.raises(PermissionDeniedError):
            services.appoint_worker(grid, started_on=dt.date(2021, 3, 1), username="x-1", name="王秀兰")
        with pytest.raises(PermissionDeniedError):
            services.grid_setup(territory=places.grid_c)
    with acting(places.grid_worker, "web"), pytest.raises(PermissionDeniedError):
        services.grid_setup(territory=places.grid_a2)  # a grid worker writes households, not grids
    assert Grid.objects.count() == 1


def test_an_existing_account_and_a_second_post_at_the_same_grid(cast: Any) -> None:
    a, _a2, _c = grids(cast)
    worker_user = cast_places(cast).grid_worker
    with acting(cast.street_admin, "web"):
        post, password = services.appoint_worker(a, started_on=dt.date(2021, 3, 1), user=worker_user, name="许玉梅")
        assert password is None
        with pytest.raises(RuleError) as exc:
            services.appoint_worker(a, started_on=dt.date(2021, 4, 1), user=worker_user, name="许玉梅")
        assert exc.value.field == "username"
        with pytest.raises(RuleError):
            services.end_worker(post, on=dt.date(2021, 3, 1))  # not after it started
    assert Role.objects.filter(user=worker_user, kind="grid_worker").count() == 1


def test_the_party_group_is_dated(cast: Any) -> None:
    a, _a2, _c = grids(cast)
    with acting(cast.secretary, "web"):
        services.set_party_group(a, org=cast.group_a1, on=dt.date(2019, 1, 1))
        with pytest.raises(RuleError):
            services.set_party_group(a, org=cast.branch_a, on=dt.date(2020, 1, 1))  # not a Party group
        services.set_party_group(a, org=None, on=dt.date(2022, 1, 1))
    assert selectors.party_groups_on([a], dt.date(2021, 12, 31)) == {a.pk: cast.group_a1}
    assert selectors.party_groups_on([a], dt.date(2022, 1, 1)) == {}
    assert GridPartyGroup.objects.get().valid_to == dt.date(2022, 1, 1)


def test_households_are_assigned_all_or_none(cast: Any) -> None:
    places = cast_places(cast)
    a, a2, _c = grids(cast)
    one = household(places.community_a, "H1", persons=2)
    two = household(places.grid_a2, "H2")
    late = household(places.community_a, "H3", on=dt.date(2022, 5, 1))
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError):  # H3 came in 2022: it cannot move in 2021; nobody moves
            services.assign_households(a, households=[one, two, late], on=dt.date(2021, 1, 1))
        assert selectors.counts_on([a], dt.date(2021, 6, 1))[a.pk] == (0, 0)
        assert services.assign_households(a, households=[one, two], on=dt.date(2021, 1, 1)) == 2
    assert selectors.counts_on([a, a2], dt.date(2021, 6, 1)) == {a.pk: (2, 4), a2.pk: (0, 0)}
    assert selectors.counts_on([a, a2], dt.date(2020, 6, 1)) == {a.pk: (0, 0), a2.pk: (1, 1)}
    outside = household(places.community_c, "HC")
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.assign_households(a, households=[outside], on=dt.date(2021, 1, 1))
    with acting(places.grid_worker, "web"), pytest.raises(PermissionDeniedError):
        services.assign_households(a, households=[late], on=dt.date(2023, 1, 1))  # a writer of the community


def test_a_grid_worker_reads_only_their_grid(cast: Any) -> None:
    a, _a2, _c = grids(cast)
    scope = scope_for(cast_places(cast).grid_worker)
    assert list(selectors.visible(scope)) == [a]
    assert not selectors.visible(scope, write=False).filter(pk=_a2.pk).exists()
    assert not scope.orgs().exists()
    assert {g.territory.code for g in selectors.visible(scope_for(cast.secretary))} == {"T-A-G1", "T-A-G2"}
    assert {g.territory.code for g in selectors.visible(scope_for(cast.outsider))} == {"T-C-G1"}


def test_a_new_grid_is_drawn_under_a_community(cast: Any) -> None:
    places = cast_places(cast)
    with acting(cast.secretary, "web"):
        grid = services.grid_create(parent=places.community_a, code="T-A-G3", name="东风三网格",
                                    on=dt.date(2024, 1, 1), head_name="李明")
        with pytest.raises(RuleError):
            services.grid_create(parent=places.grid_a, code="T-A-G9", name="错")
    assert grid.territory.get_parent() == places.community_a and grid.territory.kind == "grid"
    assert selectors.existing_on(Grid.objects.all(), dt.date(2023, 12, 31)).filter(pk=grid.pk).count() == 0


def test_findings_and_figures(cast: Any, monkeypatch: Any) -> None:
    from grassroots.grids.findings import grid_findings

    places = cast_places(cast)
    a, a2, _c = grids(cast)
    household(places.grid_a, "H1", persons=1)
    household(places.grid_a, "H2")
    with acting(cast.street_admin, "web"):
        services.appoint_worker(a, started_on=dt.date(2021, 3, 1), user=places.grid_worker, name="许玉梅")
        services.set_party_group(a, org=cast.group_a1, on=dt.date(2021, 1, 1))
    today = services.today()
    found = {(f.subject_label, f.rule_id) for f in grid_findings(cast.street, today)}
    assert found == {("T-A-G2", "grids.worker_required"), ("T-A-G2", "grids.head_required")}
    monkeypatch.setattr(selectors, "limits", lambda day: selectors.Limits(1, ("w@v1", "h@v1", "s@v1")))
    assert ("T-A-G1", "s") in {(f.subject_label, f.rule_id) for f in grid_findings(cast.branch_a, today)}
    figures = selectors.figures_on(cast.street, today)
    assert (figures.grids, figures.workers, figures.with_party_group, figures.households, figures.persons) == (
        2, 1, 1, 2, 3)
    assert selectors.figures_on(cast.other_street, today).grids == 1


def test_the_annual_summary_section(cast: Any) -> None:
    from grassroots.grids.summary import grids_of, grids_text

    places = cast_places(cast)
    a, _a2, _c = grids(cast)
    household(places.grid_a, "H1", persons=1, on=dt.date(2020, 5, 1))
    with acting(None, "system"):
        services.appoint_worker(a, started_on=dt.date(2020, 3, 1), user=places.grid_worker, name="许玉梅")
        services.set_party_group(a, org=cast.group_a1, on=dt.date(2020, 1, 1))
    figures = grids_of(cast.street, 2020, services.today())
    assert figures is not None and figures.day == dt.date(2020, 12, 31)
    assert (figures.grids, figures.workers, figures.with_party_group, figures.households, figures.persons) == (
        2, 1, 1, 1, 2)
    zh = grids_text(figures, services.today(), "zh-hans")
    assert zh.heading == "网格化管理" and "共划分网格2个，配备网格员1名" in zh.paragraphs[0]
    assert "1 households and 2 persons" in grids_text(figures, services.today(), "en").paragraphs[0]
    assert grids_of(cast.branch_b, 2020, services.today()) is None
    assert figures.as_json()["households"] == 1


def test_nobody_takes_over_another_account(cast: Any) -> None:
    a, _a2, _c = grids(cast)
    with acting(cast.street_admin, "web"):
        with pytest.raises(RuleError) as exc:
            services.appoint_worker(a, started_on=dt.date(2021, 3, 1), user=cast.outsider, name="外人")
        assert exc.value.field == "username"
        with pytest.raises(RuleError):
            services.appoint_worker(a, started_on=dt.date(2021, 3, 1), username="outsider", name="外人")
        post, _p = services.appoint_worker(a, started_on=dt.date(2021, 3, 1), username="back-again", name="王秀兰")
        services.end_worker(post, on=dt.date(2022, 1, 1))
        again, _p = services.appoint_worker(a, started_on=dt.date(2023, 1, 1), username="back-again", name="王秀兰")
    assert again.user == post.user and Role.objects.filter(user=post.user, kind="grid_worker").count() == 1
    assert not Role.objects.filter(user=cast.outsider, kind="grid_worker").exists()
