"""The dashboard panel and the annual summary's section: households and persons on the day, by situation kind, and
the households that came and left in the year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import cast_places
from grassroots.access.scope import scope_for
from grassroots.core.context import acting
from grassroots.households import services
from grassroots.households.dashboard import households
from grassroots.households.summary import households_of, households_text
from grassroots.ui.dashboard import DashboardFrame

pytestmark = pytest.mark.django_db
D = dt.date


def test_panel_and_summary(cast: Any) -> None:
    places = cast_places(cast)
    assert households_of(cast.branch_a, 2023, D(2026, 1, 1)) is None  # nothing recorded yet
    with acting(None, "system"):
        a = services.household_create(territory=places.grid_a, head_name="甲", registered_on=D(2020, 1, 1))
        services.person_add(household=a, name="甲妻", relation="12", joined_on=D(2020, 1, 1))
        b = services.household_create(territory=places.grid_a2, head_name="乙", registered_on=D(2023, 3, 1))
        services.situation_start(a, kind="difficult", started_on=D(2021, 1, 1))
        services.situation_start(b, kind="low_income", started_on=D(2023, 4, 1))
        services.household_leave(a, on=D(2023, 9, 1))
    year = households_of(cast.branch_a, 2023, D(2026, 1, 1))
    assert year is not None
    assert (year.households, year.persons, year.came, year.left) == (1, 1, 1, 1)
    assert year.situations == (("低保户", "Minimum living allowance", 1, 1),)
    zh = households_text(year, D(2026, 1, 1), "zh-hans")
    assert "在册1户、1人" in zh.paragraphs[0] and "迁出1户" in zh.paragraphs[0] and "低保户1户1人" in zh.paragraphs[1]
    en = households_text(year, D(2026, 1, 1), "en")
    assert en.heading == "Households" and "1 households came" in en.paragraphs[0]
    street = households_of(cast.street, 2022, D(2026, 1, 1))  # the street holds A's place too
    assert street is not None and street.households == 1 and street.situations[0][0] == "困难户"
    panel = households(DashboardFrame(scope_for(cast.street_admin), cast.street, 2022, D(2026, 1, 1)))
    assert panel is not None and panel["households"] == 1 and panel["persons"] == 2
    assert panel["rows"][0]["code"] == "difficult" and "situation=difficult" in panel["rows"][0]["url"]
    assert households(DashboardFrame(scope_for(cast.outsider), cast.other_street, 2022, D(2026, 1, 1))) is None
