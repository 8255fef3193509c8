"""The grid pages: an organization's grids (bounded queries, print, .xlsx with masked phones), "My grids" for a
grid worker, a grid's page as of a day with the audited reveal, the forms (set up, draw, edit with its version,
Party group, appoint with the password shown once, end, assign households), the home page of a grid worker."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import cast_places
from grassroots.access.models import Role
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.grids import services
from grassroots.grids.models import Grid, GridPartyGroup, GridWorker
from grassroots.ui.testing import client_as

from .fixtures import grids, household

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    return response.content.decode()


def _more_grids(cast: Any, n: int, prefix: str = "X") -> None:
    places = cast_places(cast)
    with acting(None, "system"):
        for i in range(n):
            grid = services.grid_create(parent=places.community_a, code=f"T-A-{prefix}{i}", name=f"网格{i}",
                                        head_name=f"长{i}", head_phone="13700000000")
            household(grid.territory, f"H{prefix}{i}", persons=2)
            services.appoint_worker(grid, started_on=dt.date(2021, 1, 1), username=f"gw-{prefix}{i}", name=f"员{i}",
                                    phone="13611112222")
            services.set_party_group(grid, org=cast.group_a1, on=dt.date(2021, 1, 1))


def test_the_list_is_bounded_prints_and_exports_masked(cast: Any, django_assert_max_num_queries: Any) -> None:
    grids(cast)
    _more_grids(cast, 3)
    client = client_as(cast, "street_admin")
    url = reverse("grid-list", args=["A"])
    with django_assert_max_num_queries(22):
        few = client.get(url)
    _more_grids_more = 6
    places = cast_places(cast)
    with acting(None, "system"):
        for i in range(_more_grids_more):
            services.grid_create(parent=places.community_a, code=f"T-A-Y{i}", name=f"新网格{i}")
    with django_assert_max_num_queries(22):
        many = client.get(url)
    text = body(many)
    assert few.status_code == many.status_code == 200
    assert text.count('data-label="Grid code"') == 5 + _more_grids_more
    assert "13712345601" not in text and "137****5601" in text and "员0" in text
    assert "十字路" not in text and 'id="grid-setup"' in text
    sheet = client.get(url + "?format=xlsx")
    cells = [str(c.value) for row in load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows()
             for c in row if c.value is not None]
    assert "13712345601" not in cells and "137****5601" in cells
    assert body(client.get(url + "?all=1")).count('data-label="Grid code"') == 5 + _more_grids_more
    assert client_as(cast, "outsider").get(url).status_code == 404
    assert client_as(cast, "grid_worker").get(url).status_code == 404
    with django_assert_max_num_queries(22):
        mine = client.get(reverse("grid-mine"))  # an organizer's "My grids": every grid in their places
    assert body(mine).count('data-label="Grid code"') == 5 + _more_grids_more and "T-C-G1" not in body(mine)


def test_a_grid_worker_finds_their_grid_from_home(cast: Any, django_assert_max_num_queries: Any) -> None:
    a, _a2, _c = grids(cast)
    household(cast_places(cast).grid_a, "H1", persons=1)
    client = client_as(cast, "grid_worker")
    home = client.get("/", follow=True)
    assert home.status_code == 200 and f'<li><a href="{reverse("grid-mine")}" data-module-link="grids-mine">' in body(home)
    with django_assert_max_num_queries(15):
        mine = client.get(reverse("grid-mine"))
    assert body(mine).count('data-label="Grid code"') == 1 and "T-A-G1" in body(mine) and "T-A-G2" not in body(mine)
    page = client.get(reverse("grid-detail", args=[a.pk]))
    assert page.status_code == 200 and 'data-household="H1"' in body(page)
    assert 'id="appoint-link"' not in body(page) and 'id="edit-link"' not in body(page)
    assert client.get(reverse("grid-detail", args=[_a2.pk])).status_code == 404
    assert client.get(reverse("grid-edit", args=[a.pk])).status_code == 403


def test_the_grid_page_as_of_a_day_and_the_reveal(cast: Any, django_assert_max_num_queries: Any) -> None:
    places = cast_places(cast)
    a, _a2, _c = grids(cast)
    household(places.grid_a, "H1", persons=2)
    household(places.grid_a, "H2", on=dt.date(2022, 1, 1))
    with acting(None, "system"):
        services.appoint_worker(a, started_on=dt.date(2021, 1, 1), user=places.grid_worker, name="许玉梅",
                                phone="13912340000")
    client = client_as(cast, "secretary")
    url = reverse("grid-detail", args=[a.pk])
    with django_assert_max_num_queries(25):
        page = client.get(url)
    text = body(page)
    assert 'data-household="H1"' in text and 'data-household="H2"' in text
    assert "13912340000" not in text and "139****0000" in text and "13712345601" not in text
    past = body(client.get(url + "?as_of=2021-06-01"))
    assert 'data-household="H1"' in past and 'data-household="H2"' not in past
    assert client.get(reverse("grid-reveal", args=[a.pk])).status_code == 405
    shown = client.post(reverse("grid-reveal", args=[a.pk]))
    assert "13712345601" in body(shown)
    worker = GridWorker.objects.get()
    assert "13912340000" in body(client.post(reverse("grid-reveal", args=[a.pk]), {"worker": worker.pk}))
    assert AuditEntry.objects.filter(action__startswith="grid.reveal", actor_id=cast.secretary.pk).count() == 2
    assert client_as(cast, "auditor").post(reverse("grid-reveal", args=[a.pk])).status_code == 403


def test_forms_set_up_draw_edit_and_party_group(cast: Any) -> None:
    places = cast_places(cast)
    client = client_as(cast, "secretary")
    made = client.post(reverse("grid-setup", args=["A"]), {"territory": places.grid_a.pk, "head_name": "杨国华",
                                                            "head_phone": "13712345601", "set_up_on": "2019-01-01"})
    grid = Grid.objects.get(territory=places.grid_a)
    assert made.status_code == 302 and grid.set_up_on == dt.date(2019, 1, 1)
    bad = client.post(reverse("grid-new", args=["A"]), {"parent": places.community_a.pk, "code": "T-A-G1",
                                                        "name": "重复", "kind": "grid"})
    assert bad.status_code == 400 and "already used" in body(bad)
    drawn = client.post(reverse("grid-new", args=["A"]), {"parent": places.community_a.pk, "code": "T-A-G3",
                                                          "name": "东风三网格", "kind": "grid"})
    assert drawn.status_code == 302 and Grid.objects.filter(territory__code="T-A-G3").exists()
    edit = reverse("grid-edit", args=[grid.pk])
    assert client.post(edit, {"head_name": "李明", "version": grid.version}).status_code == 302
    stale = client.post(edit, {"head_name": "王五", "version": grid.version})
    assert stale.status_code == 400
    grid.refresh_from_db()
    assert (grid.head_name, grid.head_phone) == ("李明", "13712345601")  # an empty phone field keeps it
    assert "13712345601" not in body(client.get(edit)) and "137****5601" in body(client.get(edit))
    group = client.post(reverse("grid-party-group", args=[grid.pk]), {"org": cast.group_a1.pk, "on": "2020-01-01"})
    assert group.status_code == 302 and GridPartyGroup.objects.get().org == cast.group_a1
    assert client_as(cast, "auditor").get(edit).status_code == 403


def test_appoint_shows_the_password_once_and_end_withdraws(cast: Any) -> None:
    a, _a2, _c = grids(cast)
    assert client_as(cast, "secretary").get(reverse("grid-worker-new", args=[a.pk])).status_code == 403
    client = client_as(cast, "street_admin")
    shown = client.post(reverse("grid-worker-new", args=[a.pk]),
                        {"name": "王秀兰", "username": "wang-g1", "phone": "13900001234", "started_on": "2021-03-01"})
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    worker = GridWorker.objects.get(user__username="wang-g1")
    assert Role.objects.filter(user=worker.user, kind="grid_worker", territory=a.territory).exists()
    ended = client.post(reverse("grid-worker-end", args=[a.pk]), {"worker": worker.pk, "on": "2023-01-01"})
    assert ended.status_code == 302
    assert not Role.objects.filter(user=worker.user).exists()


def test_assign_households_page(cast: Any) -> None:
    places = cast_places(cast)
    a, _a2, _c = grids(cast)
    one = household(places.community_a, "H1")
    two = household(places.grid_a2, "H2")
    client = client_as(cast, "secretary")
    url = reverse("grid-assign", args=[a.pk])
    page = client.get(url)
    assert page.status_code == 200 and "H1" in body(page) and "H2" in body(page)
    done = client.post(url, {"households": [one.pk, two.pk], "on": "2021-01-01"})
    assert done.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.territory == two.territory == places.grid_a
    assert client_as(cast, "grid_worker").get(url).status_code == 403


def test_dashboard_panel_is_bounded(cast: Any, django_assert_max_num_queries: Any) -> None:
    from grassroots.access.scope import scope_for
    from grassroots.grids.dashboard import grids as panel
    from grassroots.ui.dashboard import DashboardFrame

    grids(cast)
    _more_grids(cast, 2)
    frame = DashboardFrame(scope_for(cast.street_admin), cast.street, services.today().year, services.today())
    with django_assert_max_num_queries(16):
        few = panel(frame)
    _more_grids(cast, 5, prefix="Z")
    frame = DashboardFrame(scope_for(cast.street_admin), cast.street, services.today().year, services.today())
    with django_assert_max_num_queries(16):
        many = panel(frame)
    assert few is not None and many is not None
    assert many["total"]["grids"] == 9 and many["total"]["workers"] == 7 and many["total"]["households"] == 7
    assert [r["code"] for r in many["rows"]] == ["A"]
