"""Scoping by place: the places the user's organizations hold and the grids they work in (`Scope.place_paths`),
and the grid worker's role, which reads and writes the households of its grid and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import cast_places
from grassroots.access.models import Role
from grassroots.access.scope import scope_for
from grassroots.access.services import role_grant
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.households import services
from grassroots.households.models import Household
from grassroots.households.selectors import households_on, persons_on

pytestmark = pytest.mark.django_db


def test_place_paths_by_role(cast: Any) -> None:
    p = cast_places(cast)
    paths = {role: set(scope_for(user).place_paths()) for role, user in cast.users.items()}
    assert paths["street_admin"] == {p.street.path}
    assert paths["secretary"] == {p.community_a.path}
    assert paths["auditor"] == {p.street.path}
    assert paths["outsider"] == {p.other.path}
    assert paths["member"] == set()
    assert paths["grid_worker"] == {p.grid_a.path}
    assert scope_for(cast.auditor).place_paths(write=True) == []
    worker = scope_for(p.grid_worker)
    assert worker.can_write_place(p.grid_a) and not worker.can_write_place(p.grid_a2)
    assert not worker.can_read_place(p.community_a)
    # A grid worker reads no organization, no member, and changes no place of the territory tree.
    assert not worker.orgs().exists() and not worker.members().exists()
    assert not worker.can_write_territory(p.grid_a)


def test_a_grid_worker_sees_and_writes_only_the_households_of_the_grid(cast: Any) -> None:
    p = cast_places(cast)
    with acting(None, "system"):
        h1 = services.household_create(territory=p.grid_a, head_name="张大山", registered_on=dt.date(2020, 1, 1))
        h2 = services.household_create(territory=p.grid_a2, head_name="李小河", registered_on=dt.date(2020, 1, 1))
        services.household_create(territory=p.grid_c, head_name="王外街", registered_on=dt.date(2020, 1, 1))
    assert set(Household.objects.visible_to(scope_for(p.grid_worker))) == {h1}
    assert set(Household.objects.visible_to(scope_for(cast.secretary))) == {h1, h2}
    assert Household.objects.visible_to(scope_for(cast.member_user)).count() == 0
    with acting(p.grid_worker, "web"):
        services.person_add(household=h1, name="张小山", relation="20", joined_on=dt.date(2021, 5, 1))
        with pytest.raises(PermissionDeniedError):
            services.person_add(household=h2, name="李二", relation="20")
        with pytest.raises(PermissionDeniedError):
            services.household_move(h1, territory=p.grid_c, on=dt.date(2022, 1, 1))
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        services.household_create(territory=p.grid_a, head_name="审计")


def test_households_and_persons_as_of_a_date(cast: Any) -> None:
    p = cast_places(cast)
    with acting(None, "system"):
        h = services.household_create(territory=p.grid_a, head_name="张大山", registered_on=dt.date(2020, 1, 1))
        child = services.person_add(household=h, name="张小山", relation="20", joined_on=dt.date(2021, 5, 1))
        services.household_move(h, territory=p.grid_a2, on=dt.date(2022, 1, 1))
        services.person_leave(child, on=dt.date(2023, 3, 1), reason="外出务工")
        services.household_leave(h, on=dt.date(2024, 1, 1))
        with pytest.raises(RuleError):
            services.household_move(h, territory=p.grid_a, on=dt.date(2024, 6, 1))
    assert list(households_on(p.grid_a, dt.date(2019, 12, 31))) == []
    assert list(households_on(p.grid_a, dt.date(2021, 12, 31))) == [h]
    assert list(households_on(p.grid_a, dt.date(2022, 1, 1))) == []
    assert list(households_on(p.community_a, dt.date(2023, 12, 31))) == [h]
    assert list(households_on(p.community_a, dt.date(2024, 1, 1))) == []
    assert persons_on(p.grid_a, dt.date(2021, 4, 30)).count() == 1
    assert persons_on(p.grid_a, dt.date(2021, 5, 1)).count() == 2
    assert persons_on(p.community_a, dt.date(2023, 3, 1)).count() == 1


def test_granting_a_grid_workers_role(cast: Any) -> None:
    p = cast_places(cast)
    from django.contrib.auth import get_user_model

    worker = get_user_model().objects.create_user(username="worker2", password="x-123-pass")
    with acting(cast.street_admin, "web"):
        role = role_grant(user=worker, kind="grid_worker", org=cast.branch_a, territory=p.grid_a2)
        assert role.territory == p.grid_a2
        with pytest.raises(RuleError):
            role_grant(user=worker, kind="grid_worker", org=cast.branch_a)
        with pytest.raises(RuleError):  # C's grid is not held by A
            role_grant(user=worker, kind="grid_worker", org=cast.branch_a, territory=p.grid_c)
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):  # a secretary gives out no roles
        role_grant(user=worker, kind="grid_worker", org=cast.branch_a, territory=p.grid_a)
    assert Role.objects.filter(user=worker).count() == 1
