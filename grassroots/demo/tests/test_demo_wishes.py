"""The demo town's micro-wishes: collected in the communities from 2019 to today, claimed and fulfilled by
members, the latest still open; the 2019 annual summary states the counters, each equal to the count of the
wishes list with the matching filter; building again adds nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from grassroots.demo import data
from grassroots.reports.annual import annual_summary, as_json

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def _list_count(client: Client, query: str) -> int:
    page = client.get(f"/orgs/{data.TOWN_CODE}/wishes/?{query}")
    assert page.status_code == 200
    found = re.search(r'id="wish-count">(\d+)', page.content.decode())
    assert found is not None
    return int(found.group(1))


def test_wishes_from_2019_to_today(demo: Any) -> None:
    from grassroots.wishes.models import Wish

    wishes = Wish.objects.filter(org__path__startswith=demo["town"].path)
    years = set(wishes.values_list("collected_on__year", flat=True))
    today = timezone.localdate()
    assert 2019 in years and today.year in years
    assert {w.org.code for w in wishes.select_related("org")} == {"HS-SZL", "HS-DZ", "HS-SY"}
    assert wishes.filter(claimant_member__isnull=False, state__in=("fulfilled", "confirmed")).exists()
    assert set(wishes.values_list("channel", flat=True)) == {"public", "qr", "staff", "visit"}
    latest = wishes.filter(collected_on__gte=today - dt.timedelta(days=30))
    assert latest.filter(state__in=("collected", "published", "claimed")).exists()  # the latest still open
    # every claimant member belongs under the community that collected the wish
    for wish in wishes.filter(claimant_member__isnull=False).select_related("org", "claimant_member__org")[:100]:
        assert wish.claimant_member.org.path.startswith(wish.org.path)


def test_the_2019_summary_equals_the_list_counts(demo: Any) -> None:
    from django.contrib.auth import get_user_model

    town = demo["town"]
    figures = as_json(annual_summary(town, 2019))["wishes"]
    assert figures["collected"] == 55 and figures["claimed"] == 55  # seed 003: "55 collected, all claimed"
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    assert _list_count(client, "year=2019") == figures["collected"]
    assert _list_count(client, "year=2019&claimed=1") == figures["claimed"]
    assert _list_count(client, "fulfilled_year=2019") == figures["fulfilled"]
    text = "".join(p for s in annual_summary(town, 2019).parts if s[0].key == "wishes"
                   for p in s[0].written(s[1], dt.date(2019, 12, 31), "zh-hans").paragraphs if isinstance(p, str))
    assert "收集群众微心愿55个，全部认领" in text


def test_a_second_build_adds_nothing(demo: Any) -> None:
    rows, again = demo["rows"], demo["rows_again"]
    assert rows["wishes.Wish"] > 0
    assert again["wishes.Wish"] == rows["wishes.Wish"] and again["wishes.WishEvent"] == rows["wishes.WishEvent"]
