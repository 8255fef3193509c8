"""The demo town's assistance and honours: minimum living allowance, Spring Festival visits, medical and temporary
assistance from 2019 to today; the town's store takes in donations and gives them out every quarter, never more
than it holds, each round signed for but perhaps the latest; a yearly round of model households; the ledger page
and the annual summary agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from grassroots.demo import data

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_assistance_from_2019_to_today(demo: Any) -> None:
    from grassroots.assistance import selectors
    from grassroots.assistance.models import Assistance, DistributionRound, LocalKind, StockItem
    from grassroots.orgs.models import Organization

    today = timezone.localdate()
    town = Organization.objects.get(code=data.TOWN_CODE)
    assert LocalKind.objects.filter(org=town, name="节日慰问").exists()
    for year in (2019, today.year - 1):
        qs = Assistance.objects.filter(given_on__year=year)
        kinds = set(qs.values_list("kind", flat=True))
        assert {"dibao", "tekun", "medical", "temporary"} <= kinds, year
        assert qs.filter(local_kind__name="节日慰问").exists()
        assert DistributionRound.objects.filter(org=town, held_on__year=year).count() == 4
    assert Assistance.objects.filter(given_on__gt=today).count() == 0
    for item in StockItem.objects.filter(org=town):
        assert selectors.stock_of(item) >= 0
    late = DistributionRound.objects.filter(signed=False, held_on__lt=today - dt.timedelta(days=15))
    assert not late.exists()
    assert DistributionRound.objects.filter(signed=True).exists()
    assert all(r.lines.exists() for r in DistributionRound.objects.filter(held_on__year=2019))


def test_the_ledger_page_and_the_summary_agree(demo: Any) -> None:
    from grassroots.assistance import selectors
    from grassroots.orgs.models import Organization
    from grassroots.reports.annual import annual_summary

    town = Organization.objects.get(code=data.TOWN_CODE)
    client = Client()
    client.force_login(_admin())
    page = client.get(f"/orgs/{data.TOWN_CODE}/assistance/", {"year": 2019})
    assert page.status_code == 200
    totals = selectors.totals(selectors.ledger_of(town).filter(given_on__year=2019))
    assert f'id="total-households">{totals.households}<' in page.content.decode()
    summary = annual_summary(town, 2019)
    section = summary.assistance
    assert section is not None and section.households == totals.households and section.rounds == 4


def test_model_households_every_year(demo: Any) -> None:
    from grassroots.honours.models import Honour

    today = timezone.localdate()
    assert Honour.objects.filter(year=2019, state="published").count() >= 6
    assert Honour.objects.filter(year=2019).values("kind").distinct().count() == 8
    assert not Honour.objects.filter(published_on__gt=today).exists()
    page = Client().get(f"/p/{data.TOWN_CODE}/honours/", {"year": 2019})
    assert page.status_code == 200


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).first()
