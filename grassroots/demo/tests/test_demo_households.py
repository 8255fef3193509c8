"""The demo town's households: every villager group has its households from before 2019, households come and go
each year to today, and the counts as of a past day are those of the periods then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


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


def test_situations_heads_and_counts(demo: Any) -> None:
    from grassroots.households import selectors
    from grassroots.households.models import Household, Person, Situation
    from grassroots.orgs.models import Organization, Territory

    today = timezone.localdate()
    town = Territory.objects.get(code="TC-HS")
    living = selectors.households_on(town, today)
    open_ = Situation.objects.on(today).filter(household__in=living)
    kinds = set(open_.values_list("kind", flat=True))
    assert {"difficult", "low_income", "five_kinds"} <= kinds
    share = open_.filter(kind="difficult").values("household").distinct().count() / living.count()
    assert 0.02 < share < 0.2  # a realistic share, not every household
    assert Situation.objects.exclude(ended_on=None).exists()  # some situations ended
    assert open_.filter(person__isnull=False).exists()  # persons' situations: left-behind children, ...
    assert kinds & {"elderly_alone", "left_behind_elderly"}  # old people alone or left behind
    # every household living today that still has persons has exactly one head living in it (a head who died
    # was followed by the spouse or the eldest)
    for household in living.filter(persons__left_on__isnull=True).distinct()[:100]:
        heads = Person.objects.filter(household=household, relation="02").on(today)
        assert heads.count() == 1, household.code
        assert household.head_name == heads.get().name
    # the organization's counts are the selectors' counts over the places it holds
    org = Organization.objects.filter(territory=town).first()
    if org is not None:
        paths = selectors.org_paths(org)
        counts = {c.kind.code: c for c in selectors.situation_counts(paths, today, selectors.situation_kinds(org))}
        assert counts["difficult"].households == open_.filter(kind="difficult").values("household").distinct().count()
    assert Household.objects.count() > 21 * 18
