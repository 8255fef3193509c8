"""The pages: the visits list (filters, print, .xlsx, bounded queries), a household's visits, the visit form and
its JSON endpoint (idempotent, late), a visit with its one-step conversions, the links page with targets, the
rates page with its denominator, the API."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import cast_places
from grassroots.core.context import acting
from grassroots.ui.testing import client_as
from grassroots.visits import services
from grassroots.visits.models import FindingState, Visit

from .fixtures import household, station

pytestmark = pytest.mark.django_db


def body(r: Any) -> str:
    return r.content.decode()


def worker_client(cast: Any) -> Client:
    places = cast_places(cast)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(places.grid_worker)
    return client


def some_visits(cast: Any, n: int = 6) -> list[Visit]:
    places = cast_places(cast)
    made = []
    with acting(None, "system"):
        for i in range(n):
            h = household(places.grid_a if i % 2 else places.grid_a2, f"户{i}", phone="13766660000")
            made.append(services.visit_record(
                household=h, day=dt.date(2024, 1, 1) + dt.timedelta(days=i), users=[cast.secretary],
                members=[cast.member], purpose="holiday" if i == 0 else "routine",
                findings=[{"type": "hazard", "text": f"隐患{i}"}] if i < 2 else [])[0])
        household(places.grid_c, "外户")
    return made


def test_the_list_filters_prints_and_exports(cast: Any, django_assert_max_num_queries: Any) -> None:
    some_visits(cast)
    client = client_as(cast, "secretary")
    url = reverse("visit-org-list", args=[cast.branch_a.code])
    with django_assert_max_num_queries(20):
        page = client.get(url)
    text = body(page)
    assert page.status_code == 200 and text.count('data-label="Day"') == 6 and "13766660000" not in text
    assert body(client.get(url + "?purpose=holiday")).count('data-label="Day"') == 1
    assert body(client.get(url + "?finding=hazard")).count('data-label="Day"') == 2
    assert body(client.get(url + "?late=0")).count('data-label="Day"') == 0
    assert body(client.get(url + "?start=2024-01-03&end=2024-01-04")).count('data-label="Day"') == 2
    assert body(client.get(url + "?place=T-A-G1")).count('data-label="Day"') == 3
    assert body(client.get(url + "?all=1")).count('data-label="Day"') == 6
    ws = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).worksheets[0]
    assert sum(1 for row in ws.iter_rows() if str(row[0].value or "").startswith("2024-")) == 6 or ws.max_row >= 7
    assert client_as(cast, "outsider").get(url).status_code == 404
    # the grid worker's own list: its grid only
    text = body(worker_client(cast).get(reverse("visit-list")))
    assert text.count('data-label="Day"') == 3


def test_the_household_page_and_its_link(cast: Any, django_assert_max_num_queries: Any) -> None:
    from grassroots.ui.links import household_links

    visits = some_visits(cast, 2)
    h = visits[1].household
    assert any(link["url"] == reverse("visit-household", args=[h.pk]) for link in household_links(h, can_write=False))
    client = worker_client(cast)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("visit-household", args=[h.pk]))
    assert page.status_code == 200 and body(page).count('data-label="Day"') == 1
    assert worker_client(cast).get(reverse("visit-household", args=[visits[0].household.pk])).status_code == 404


def test_the_form_and_the_json_endpoint(cast: Any) -> None:
    places = cast_places(cast)
    h = household(places.grid_a, "孙大伯")
    client = worker_client(cast)
    page = client.get(reverse("visit-new") + f"?household={h.pk}")
    assert page.status_code == 200 and "visits/offline.js" in body(page) and h.code in body(page)
    cid = str(uuid.uuid4())
    payload = {"client_id": cid, "household": h.code, "day": "2024-04-01", "purpose": "routine", "notes": "好",
               "findings": [{"type": "difficulty", "text": "孙子上学远"}]}
    url = reverse("visit-sync")
    first = client.post(url, data=json.dumps(payload), content_type="application/json")
    again = client.post(url, data=json.dumps(payload), content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["entered_late"] is True
    assert Visit.objects.filter(client_id=cid).count() == 1
    bad = client.post(url, data=json.dumps({**payload, "client_id": str(uuid.uuid4()), "household": "nope"}),
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "household"
    # without JavaScript: the same form posted
    done = client.post(reverse("visit-new"), {"household": h.code, "day": dt.date.today().isoformat(),
                                              "purpose": "policy", "notes": ""})
    assert done.status_code == 302 and Visit.objects.filter(purpose="policy", entered_late=False).count() == 1
    # the CSRF check applies to the endpoint
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(places.grid_worker)
    assert strict.post(url, data=json.dumps(payload), content_type="application/json").status_code == 403


def test_one_tap_makes_a_finding_an_opinion(cast: Any, django_assert_max_num_queries: Any) -> None:
    from grassroots.opinions.models import Opinion

    places = cast_places(cast)
    station(cast.street)
    h = household(places.grid_a, "周大姐")
    with acting(places.grid_worker, "web"):
        visit, _c = services.visit_record(household=h, findings=[{"type": "dispute", "text": "占道堆物"},
                                                                 {"type": "wish", "text": "想学智能手机"}])
    client = worker_client(cast)
    with django_assert_max_num_queries(25):
        page = body(client.get(reverse("visit-detail", args=[visit.pk])))
    assert "to-opinion" in page and "to-wish" in page
    first, second = visit.findings.order_by("pk")
    assert client.post(reverse("visit-finding-opinion", args=[first.pk])).status_code == 302
    assert client.post(reverse("visit-finding-wish", args=[second.pk])).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    opinion = Opinion.objects.get()
    assert first.state == FindingState.OPINION and first.opinion == opinion and opinion.visit_ref == visit.ref
    assert second.state == FindingState.WISH and second.wish.visit_ref == visit.ref  # type: ignore[union-attr]
    assert opinion.number in body(client.get(reverse("visit-detail", args=[visit.pk])))
    staff = client_as(cast, "street_admin")
    assert "From visit" in body(staff.get(reverse("opinion-detail", args=[opinion.pk])))
    assert "From visit" in body(staff.get(reverse("wish-detail", args=[second.wish.pk])))  # type: ignore[union-attr]


def test_links_and_rates_pages(cast: Any, django_assert_max_num_queries: Any) -> None:
    visits = some_visits(cast)
    with acting(None, "system"):
        for v in visits[:3]:
            services.link_create(household=v.household, kind="town_leader", valid_from=dt.date(2019, 1, 1),
                                 member=cast.member)
    client = client_as(cast, "street_admin")
    with django_assert_max_num_queries(15):
        page = body(client.get(reverse("visit-links")))
    assert cast.member.name in page and 'data-label="Target"' in page
    with django_assert_max_num_queries(15):
        rates = client.get(reverse("visit-rates") + "?place=T-S&start=2024-01-01&end=2024-06-30")
    text = body(rates)
    assert 'data-place="T-A-G1"' in text and 'data-place="T-A"' in text and "T-C" not in text
    worker = body(worker_client(cast).get(reverse("visit-rates")))
    assert 'data-place="T-A-G1"' in worker and 'data-place="T-A-G2"' not in worker


def test_the_api(cast: Any) -> None:
    places = cast_places(cast)
    h = household(places.grid_a, "吴叔", phone="13744440000")
    client = worker_client(cast)
    cid = str(uuid.uuid4())
    data = {"client_id": cid, "household": h.code, "day": "2024-05-05",
            "findings": [{"type": "suggestion", "text": "路灯"}]}
    r1 = client.post("/api/visits/", data=json.dumps(data), content_type="application/json")
    r2 = client.post("/api/visits/", data=json.dumps(data), content_type="application/json")
    assert r1.status_code == 201 and r2.status_code == 200 and r1.json()["id"] == r2.json()["id"]
    listed = client.get("/api/visits/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["household"] for r in rows] == [h.code] and "13744440000" not in json.dumps(listed)
    assert client.get(f"/api/visits/{r1.json()['id']}/").json()["findings"][0]["type"] == "suggestion"
    rates = client.get("/api/visit-rates/?place=T-A-G1&start=2024-01-01&end=2024-12-31").json()
    assert rates[0]["households"] == 1 and rates[0]["visited"] == 1
    assert client.get("/api/visit-rates/?place=T-C-G1").status_code == 404
    assert client.get("/api/visit-links/").status_code == 200


def test_nav_shows_record_a_visit_to_the_grid_worker(cast: Any) -> None:
    page = body(worker_client(cast).get(reverse("visit-list")))
    assert reverse("visit-new") in page
