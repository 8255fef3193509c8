"""The demo town's member points (from the demo built once for the package): two branches turned points on in
2019; the 2019 summary's figures equal what the entries page and the API count; a second build adds nothing;
the ranking lists only the members who chose to be listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from grassroots.demo import data
from grassroots.points.demo import BRANCHES, RANKING_BRANCH
from grassroots.points.models import EntryStatus, PointEntry, PointOptIn, PointScheme
from grassroots.points.selectors import ranking, totals
from grassroots.points.summary import points_of

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)


@pytest.fixture
def admin_client(demo: Any, client: Any) -> Any:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_two_branches_turned_points_on_in_2019(demo: Any, db: Any) -> None:
    schemes = PointScheme.objects.filter(org__code__in=BRANCHES)
    assert sorted(s.org.code for s in schemes) == sorted(BRANCHES)
    assert {s.effective_from for s in schemes} == {dt.date(2019, 1, 1)}
    for code in BRANCHES:
        approved = PointEntry.objects.filter(org__code=code, year=2019, status=EntryStatus.APPROVED)
        items = set(approved.values_list("item", flat=True))
        assert {"meetings.attended", "dues.paid_on_time"} <= items, code
    assert not PointEntry.objects.exclude(org__code__in=BRANCHES).exists()


def test_the_2019_summary_equals_the_pages(demo: Any, admin_client: Any, db: Any) -> None:
    town = demo["town"]
    figures = points_of(town, 2019, END_2019)
    assert figures is not None and figures.entries > 0
    counted = 0
    for code in BRANCHES:
        response = admin_client.get(reverse("api-points-entry-list"), {"org": code, "year": 2019,
                                                                      "status": "approved"})
        counted += response.json()["count"]
        page = admin_client.get(reverse("points-entries", args=[code]), {"year": 2019, "status": "approved",
                                                                           "format": "xlsx"})
        assert page.status_code == 200
    assert figures.entries == counted
    members = {r.member_id for code in BRANCHES for r in totals(town.__class__.objects.get(code=code), 2019,
                                                                   END_2019) if r.approved}
    assert figures.members == len(members)
    by_item = figures.as_json()["points"]["by_item"]
    assert sum(by_item.values()) == figures.entries


def test_a_second_build_adds_nothing(demo: Any, db: Any) -> None:
    assert demo["rows"] == demo["rows_again"]
    assert "Member points:" in demo["output"] and "0 proposals made" in demo["again"]


def test_the_ranking_lists_only_members_who_opted_in(demo: Any, db: Any) -> None:
    from grassroots.orgs.models import Organization

    org = Organization.objects.get(code=RANKING_BRANCH)
    opted = set(PointOptIn.objects.filter(opted_in=True).values_list("member_id", flat=True))
    listed = ranking(org, dt.date.today().year - 1, dt.date.today())
    assert listed and {r.member_id for r in listed} <= opted
    other = Organization.objects.get(code=[c for c in BRANCHES if c != RANKING_BRANCH][0])
    assert ranking(other, 2019, END_2019) == []
    assert data.TOWN_CODE == "HS"
