"""The demo town's households: every villager group has its households from before 2019, households come and go
each year to today, and the counts as of a past day are those of the periods then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_households_in_every_villager_group_to_today(demo: Any) -> None:
    from grassroots.households.models import Household, Person
    from grassroots.households.selectors import households_on, persons_on
    from grassroots.orgs.models import Territory

    groups = Territory.objects.filter(kind="villager_group", code__startswith="TC-HS-")
    assert groups.count() == 21
    town = Territory.objects.get(code="TC-HS")
    today = timezone.localdate()
    start = households_on(town, dt.date(2019, 1, 1)).count()
    assert start == 21 * 18
    now = households_on(town, today).count()
    assert now == Household.objects.filter(left_on__isnull=True).count()
    assert Household.objects.exclude(registered_on=None).exists()  # some came after 2019
    assert Household.objects.exclude(left_on=None).exists()  # and some left
    assert persons_on(town, today).count() < Person.objects.count()  # some persons left or died
    for group in groups:
        assert households_on(group, today).exists(), group.code
