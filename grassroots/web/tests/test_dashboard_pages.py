"""The dashboard of a committee and of a branch: the figures are the selectors' as of 31 December, each links
to the records behind it, outsiders get a 404, and the page's queries do not grow with the data."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import Cast, make_member
from grassroots.core.context import acting
from grassroots.dues import selectors as dues_selectors
from grassroots.dues import services as dues_services
from grassroots.meetings import services as meeting_services
from grassroots.members.stats import structure_stats
from grassroots.opinions import selectors as opinion_selectors
from grassroots.opinions import services as opinion_services
from grassroots.opinions.models import State
from grassroots.opinions.tests.fixtures import Station
from grassroots.recruitment.stats import stage_counts
from grassroots.recruitment.tests.factories import make_activist, make_applicant
from grassroots.ui.dashboard import as_of_for
from grassroots.ui.testing import client_as

YEAR = 2024
END = dt.date(YEAR, 12, 31)


def dashboard_url(code: str, year: int = YEAR) -> str:
    return reverse("dashboard", args=[code]) + f"?year={year}"


def text(response: Any) -> str:
    return response.content.decode()


def cell(html: str, table: str, row_attr: str, row: str, figure: str) -> tuple[str, str]:
    """The (text, href) of figure `figure` in the row of `table` whose `row_attr` is `row`."""
    found_table = re.search(rf'<table [^>]*id="{table}">.*?</table>', html, re.S)
    assert found_table, f"no table {table}"
    found_row = re.search(rf'<tr[^>]* {row_attr}="{re.escape(row)}"[^>]*>.*?</tr>', found_table.group(0), re.S)
    assert found_row, f"no row {row} in {table}"
    link = re.search(rf'<a href="([^"]*)" data-figure="{figure}">([^<]*)</a>', found_row.group(0))
    assert link, f"no figure {figure} in row {row} of {table}"
    return link.group(2).strip(), htmllib.unescape(link.group(1))


def charts(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def submit(st: Station, received: dt.date, what: str = "东风路路灯不亮") -> Any:
    with acting(None, "system"):
        return opinion_services.submit_opinion(st.org, text=what, category=st.roads, channel="phone",
                                               received_on=received, address="东风路12号",
                                               submitter_name="张大爷", submitter_phone="13912345678")


@pytest.fixture
def world(cast: Cast, station: Station) -> Cast:
    """2024 in the cast's street: dues assessed and partly paid in A and B, a theme day in A in March, two
    candidates in A, three opinions (one solved) in March."""
    with acting(None, "system"):
        make_member(cast.branch_b, name="钱军", sex="F", birth=dt.date(1995, 1, 1), joined_on=dt.date(2017, 7, 1),
                    converted_on=dt.date(2018, 7, 1))
        for member in (cast.member, cast.member_a2, cast.member_b):
            dues_services.assess(member, year=YEAR, category="in_service", base=Decimal("4000.00"),
                                 on=dt.date(YEAR, 1, 5))
        dues_services.record_payment(cast.member, paid_on=dt.date(YEAR, 3, 5),
                                     months=[dt.date(YEAR, m, 1) for m in (1, 2, 3)], amount=Decimal("120.00"))
        dues_services.record_payment(cast.member_b, paid_on=dt.date(YEAR, 2, 5),
                                     months=[dt.date(YEAR, 1, 1)], amount=Decimal("40.00"))
        meeting_services.record_meeting(org=cast.branch_a, kind="theme_day", date=dt.date(YEAR, 3, 12),
                                        topic="学习党章", attendance={})
        make_applicant(cast.branch_a, applied_on=dt.date(YEAR, 2, 1))
        make_activist(cast.branch_a, applied_on=dt.date(YEAR, 1, 10))
    first = submit(station, dt.date(YEAR, 3, 4))
    submit(station, dt.date(YEAR, 3, 18), "小区垃圾无人清运")
    submit(station, dt.date(YEAR, 5, 6), "路面坑洼")
    with acting(None, "system"):
        opinion_services.reply(first, to_state=State.SOLVED, on=dt.date(YEAR, 3, 8),
                               background="路灯线路老化", solution="已更换", handler_name="王工",
                               handler_contact="0871-1234567")
    return cast


def test_as_of_is_the_end_of_the_year_or_today() -> None:
    today = dt.date(2025, 6, 1)
    assert as_of_for(2024, today) == dt.date(2024, 12, 31)
    assert as_of_for(2025, today) == today
    assert as_of_for(2026, today) == dt.date(2026, 1, 1)


def test_the_committee_figures_are_the_selectors_and_link_to_their_records(world: Cast) -> None:
    cast = world
    street = cast.street
    response = client_as(cast, "street_admin").get(dashboard_url(street.code))
    assert response.status_code == 200
    html = text(response)
    assert 'id="panel-membership"' in html and 'id="panel-opinions"' in html

    # Membership structure, as of 31 December, each figure to the organization's statistics on that day.
    stats = structure_stats(street, END)
    for key in ("total", "full", "probationary", "female", "age_35_or_under", "college_or_above"):
        count, href = cell(html, "membership-table", "data-key", key, key)
        assert int(count) == stats[key]["count"], key
        assert href == reverse("org-detail", args=[street.code]) + "?as_of=2024-12-31#stats-table"
    assert stats["total"]["count"] == 4

    # Recruitment: the stock on 31 December and the year's flow, to the pipeline on that day.
    stages = stage_counts(street, END)
    for key in ("applicants", "activists", "applications", "activists_decided"):
        count, href = cell(html, "recruitment-table", "data-key", key, key)
        assert int(count) == getattr(stages, key)
        assert href.startswith(reverse("pipeline", args=[street.code]) + "?as_of=2024-12-31")
    assert (stages.applicants, stages.activists, stages.applications) == (1, 1, 2)
    assert cell(html, "recruitment-table", "data-key", "activists", "activists")[1].endswith("#col-activist")

    # Dues: collected against assessed per branch, each to the branch's ledger of the year.
    totals = dues_selectors.totals(street, dt.date(YEAR, 1, 1), END)
    by_code = {row["code"]: row for row in totals["by_org"]}
    for branch in (cast.branch_a, cast.branch_b):
        collected, href = cell(html, "dues-table", "data-org", branch.code, "collected")
        assessed, _href = cell(html, "dues-table", "data-org", branch.code, "assessed")
        assert Decimal(collected) == by_code[branch.code]["collected"]
        assert Decimal(assessed) == by_code[branch.code]["assessed"]
        assert href == reverse("dues-ledger", args=[branch.code]) + "?year=2024&month=12#totals"
    assert Decimal(cell(html, "dues-table", "data-org", "A", "collected")[0]) == Decimal("120.00")
    assert Decimal(cell(html, "dues-table", "data-org", "A", "assessed")[0]) == Decimal("960.00")
    total_collected, total_href = cell(html, "dues-table", "data-org", "total", "collected")
    assert Decimal(total_collected) == totals["collected"] == Decimal("160.00")
    assert total_href == reverse("dues-ledger", args=[street.code]) + "?year=2024&month=12#totals"

    # Duties per unit: A met March's theme day; every other period of the past year is missed.
    met, href = cell(html, "duties-table", "data-org", "A", "met")
    assert int(met) >= 1 and href == reverse("duties", args=["A"]) + "?year=2024#duties"
    assert int(cell(html, "duties-table", "data-org", "B", "met")[0]) == 0
    assert int(cell(html, "duties-table", "data-org", "B", "pending")[0]) == 0
    assert int(cell(html, "duties-table", "data-org", "B", "missed")[0]) > 0

    # Opinions per month, each figure to the list filtered by month and state.
    stats_o = opinion_selectors.year_statistics(street, YEAR, END)
    march = next(f for f in stats_o.months if f.key == "2024-03")
    received, href = cell(html, "opinions-table", "data-month", "2024-03", "received")
    assert int(received) == march.received == 2
    assert href == reverse("opinion-list", args=[street.code]) + "?month=2024-03&state=counted"
    completed, href = cell(html, "opinions-table", "data-month", "2024-03", "completed")
    assert int(completed) == march.completed == 1
    assert href == reverse("opinion-list", args=[street.code]) + "?month=2024-03&state=completed"
    assert int(cell(html, "opinions-table", "data-month", "total", "received")[0]) == stats_o.total.received == 3

    # The charts carry the same figures and links.
    data = charts(html)
    bar = data["opinions"]["series"][0]["data"][2]
    assert bar == {"value": 2, "url": reverse("opinion-list", args=[street.code]) + "?month=2024-03&state=counted"}
    assert data["dues"]["labels"] == [by_code["A"]["name"], by_code["B"]["name"]]
    assert {p["url"] for p in data["duties"]["series"][0]["data"]} >= {reverse("duties", args=["A"]) + "?year=2024"
                                                                         "#duties"}


def test_the_list_behind_a_month_shows_that_many_opinions(world: Cast) -> None:
    client = client_as(world, "street_admin")
    html = text(client.get(dashboard_url(world.street.code)))
    count, href = cell(html, "opinions-table", "data-month", "2024-03", "received")
    listed = re.findall(r'<tr data-opinion="', text(client.get(href)))
    assert len(listed) == int(count) == 2


def test_a_branch_sees_its_own_duties_and_figures(world: Cast) -> None:
    cast = world
    response = client_as(cast, "secretary").get(dashboard_url(cast.branch_a.code))
    assert response.status_code == 200
    html = text(response)
    assert "Duties of organizational life" in html
    assert 'data-org="B"' not in html
    assert int(cell(html, "membership-table", "data-key", "total", "total")[0]) == 2
    collected, href = cell(html, "dues-table", "data-org", "A", "collected")
    assert Decimal(collected) == Decimal("120.00")
    assert href == reverse("dues-ledger", args=["A"]) + "?year=2024&month=12#totals"
    met, _href = cell(html, "duties-table", "data-org", "A", "met")
    assert int(met) >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "code", "status"), [
    ("outsider", "S", 404), ("outsider", "A", 404), ("secretary", "S", 404), ("secretary", "B", 404),
    ("street_admin", "C", 404), ("anonymous", "S", 302), ("secretary", "A", 200), ("outsider", "C", 200),
])
def test_the_dashboard_is_scoped(cast: Cast, role: str, code: str, status: int) -> None:
    assert client_as(cast, role).get(dashboard_url(code)).status_code == status


@pytest.mark.django_db
def test_the_current_year_is_shown_by_default(cast: Cast) -> None:
    from django.utils import timezone

    html = text(client_as(cast, "street_admin").get(reverse("dashboard", args=["S"])))
    assert f'data-year="{timezone.localdate().year}"' in html
    assert timezone.localdate().isoformat() in html


def test_the_queries_do_not_grow_with_the_data(world: Cast, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(world, "street_admin")
    with CaptureQueriesContext(connection) as first:
        assert client.get(dashboard_url("S")).status_code == 200
    assert len(first.captured_queries) <= 100  # a fixed handful per panel, twenty-one panels
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        for n in range(3):
            branch = org_create(code=f"N{n}", name=f"新支部{n}", kind="branch", founded_on=dt.date(2001, 1, 1),
                                parent=world.general)
            member = make_member(branch, name=f"新党员{n}")
            dues_services.assess(member, year=YEAR, category="in_service", base=Decimal("4000.00"),
                                 on=dt.date(YEAR, 1, 5))
            meeting_services.record_meeting(org=branch, kind="theme_day", date=dt.date(YEAR, 4, 2),
                                            topic="学习党章", attendance={})
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(dashboard_url("S")).status_code == 200


def test_a_large_subtrees_dashboard_fetches_each_panel_but_the_first_when_scrolled_to(world: Cast, settings: Any
                                                                                         ) -> None:
    """Above GRASSROOTS_LAZY_PANELS_ABOVE_ORGS organizations the page shows the first panel and a placeholder per other panel
    (fetched when scrolled to, or before printing: `data-lazy`); each fetched panel is the panel of the whole page,
    with its chart's data, in a bounded number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.GRASSROOTS_KEPT_PAGES = False  # the panels as built on every view (not served again from ui.kept)
    client = client_as(world, "street_admin")
    whole = text(client.get(dashboard_url("S")))
    whole_charts = charts(whole)
    settings.GRASSROOTS_LAZY_PANELS_ABOVE_ORGS = 1
    with CaptureQueriesContext(connection) as first:
        page = text(client.get(dashboard_url("S")))
    assert len(first.captured_queries) <= 20
    lazy = re.findall(r'<section class="card" id="panel-([\w-]+)" data-lazy="([^"]+)"\s+hx-get="([^"]+)" '
                      r'hx-trigger="revealed"', page)
    keys = re.findall(r'<section class="card" id="panel-([\w-]+)"', whole)
    assert [k for k, _u, _g in lazy if k in keys] == keys[1:] and len(keys) > 3
    assert 'id="membership-table"' in page and charts(page) == {"membership": whole_charts["membership"]}
    for key, url, hx in lazy:
        assert url == hx
        with CaptureQueriesContext(connection) as one:
            part = text(client.get(htmllib.unescape(url), HTTP_HX_REQUEST="true"))
        assert len(one.captured_queries) <= 15, key
        if key not in keys:  # a panel with nothing to show here: the placeholder goes
            assert part == "", key
            continue
        inline = re.search(rf'<section class="card" id="panel-{key}">.*?\n</section>', whole, re.S)
        bare = re.sub(r'<script id="dashboard-data-[\w-]+" type="application/json">.*?</script>', "", part, flags=re.S)
        assert inline and " ".join(bare.split()) == " ".join(inline.group(0).split()), key
        if key in whole_charts:
            data = re.search(rf'<script id="dashboard-data-{key}" type="application/json">(.*?)</script>', part, re.S)
            assert data and json.loads(data.group(1)) == whole_charts[key], key
    assert client.get(dashboard_url("S") + "&panel=nope").status_code == 404
