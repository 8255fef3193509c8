"""The grids API: the grids the user reads with today's workers, Party group and counts (bounded queries), one
grid with its posts over time; phones masked; a grid worker sees their grid only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import cast_places
from grassroots.core.context import acting
from grassroots.grids import services
from grassroots.ui.testing import client_as

from .fixtures import grids, household

pytestmark = pytest.mark.django_db


def test_list_and_detail(cast: Any, django_assert_max_num_queries: Any) -> None:
    places = cast_places(cast)
    a, a2, _c = grids(cast)
    household(places.grid_a, "H1", persons=2)
    with acting(None, "system"):
        services.appoint_worker(a, started_on=dt.date(2021, 1, 1), user=places.grid_worker, name="许玉梅",
                                phone="13912340000")
        services.set_party_group(a, org=cast.group_a1, on=dt.date(2021, 1, 1))
    client = client_as(cast, "street_admin")
    with django_assert_max_num_queries(15):
        listed = client.get("/api/grids/?org=A")
    assert listed.status_code == 200
    rows = listed.json()["results"] if isinstance(listed.json(), dict) else listed.json()
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"T-A-G1", "T-A-G2"}
    first = by_code["T-A-G1"]
    assert (first["households"], first["persons"], first["party_group"]) == (1, 3, cast.group_a1.code)
    assert first["head_phone"] == "137****5601" and first["workers"][0]["phone"] == "139****0000"
    assert "13912340000" not in listed.content.decode()
    detail = client.get(f"/api/grids/{a.pk}/")
    assert detail.status_code == 200 and detail.json()["posts"][0]["username"] == "grid_worker"
    worker = client_as(cast, "grid_worker")
    mine = worker.get("/api/grids/").json()
    codes = [r["code"] for r in (mine["results"] if isinstance(mine, dict) else mine)]
    assert codes == ["T-A-G1"]
    assert worker.get(f"/api/grids/{a2.pk}/").status_code == 404
    assert worker.get("/api/grids/?org=A").status_code == 404
    assert client_as(cast, "outsider").get(f"/api/grids/{a.pk}/").status_code == 404
