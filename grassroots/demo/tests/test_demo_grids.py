"""The demo town's grids: its 21 villager groups are grids with heads, the first groups of each community have a
grid Party group, 18 have a grid worker whose login works with the demo password and shows their grid only, one
worker handed over in 2022; the figures and findings follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_the_villager_groups_are_grids(demo: Any) -> None:
    from grassroots.access.models import Role
    from grassroots.grids import selectors
    from grassroots.grids.models import Grid, GridWorker
    from grassroots.households.selectors import households_on

    today = timezone.localdate()
    grids = list(Grid.objects.select_related("territory").order_by("territory__path"))
    assert len(grids) == 21 and all(g.territory.kind == "villager_group" and g.head_name for g in grids)
    groups = selectors.party_groups_on(grids, today)
    assert {g.territory.code for g in grids if g.pk in groups} == {
        "TC-HS-SZL-01", "TC-HS-SZL-02", "TC-HS-DZ-01", "TC-HS-DZ-02", "TC-HS-SY-01"}
    workers = selectors.workers_on(grids, today)
    without = {g.territory.code for g in grids if not workers[g.pk]}
    assert without == {"TC-HS-SZL-07", "TC-HS-DZ-07", "TC-HS-SY-07"}
    assert Role.objects.filter(kind="grid_worker").count() == 18
    handed = GridWorker.objects.filter(grid__territory__code="TC-HS-DZ-03").order_by("started_on")
    assert [w.user.username for w in handed] == ["grid-dz-03", "grid-dz-03b"]
    assert handed[0].ended_on == dt.date(2022, 7, 1)
    town = demo["town"]
    figures = selectors.figures_on(town, today)
    assert (figures.grids, figures.workers, figures.with_party_group) == (21, 18, 5)
    assert figures.households == households_on(town.territory, today).count()
    assert "grid-szl-01" in demo["output"]


def test_a_grid_worker_logs_in_and_sees_their_grid(demo: Any) -> None:
    from grassroots.demo import data
    from grassroots.grids.findings import grid_findings

    client = Client()
    assert client.login(username="grid-szl-01", password=data.PASSWORD)
    mine = client.get(reverse("grid-mine")).content.decode()
    assert "TC-HS-SZL-01" in mine and "TC-HS-SZL-02" not in mine
    assert client.get(reverse("org-detail", args=[data.TOWN_CODE])).status_code == 404
    found = {f.subject_label for f in grid_findings(demo["town"], timezone.localdate())
             if f.rule_id == "grids.worker_required"}
    assert found == {"TC-HS-SZL-07", "TC-HS-DZ-07", "TC-HS-SY-07"}
