"""Importing a sheet of grids: the dry run writes nothing; a dirty file (title row, full-width digits, bad codes,
a Party group that is not one, an unknown account) names each row and column and writes nothing; a clean one
draws new grids, sets up existing places, names Party groups and appoints workers, all at once; a second import
changes nothing; the web import and the CLI verb."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from conftest import cast_places
from grassroots.access.models import Role
from grassroots.core.context import acting
from grassroots.grids import importer
from grassroots.grids.models import Grid, GridPartyGroup, GridWorker
from grassroots.ui.testing import client_as, import_confirm, import_upload

pytestmark = pytest.mark.django_db
HEADERS = ["网格编码", "网格名称", "所属社区/村", "网格长", "联系电话", "网格党小组", "网格员"]


def workbook(rows: list[list[str]], title: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["东风社区网格台账"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good(cast: Any) -> list[list[str]]:
    return [
        ["T-A-G1", "东风一网格", "T-A", "杨国华", "１３７１２３４５６０１", cast.group_a1.code, "grid_worker"],
        ["T-A-G5", "东风五网格", "T-A", "李明", "13712345605", "", ""],
    ]


def plan_and_apply(user: Any, org: Any, data: bytes) -> Any:
    with acting(user, "web"):
        plan = importer.plan_import(io.BytesIO(data), "grids.xlsx", org=org)
        if plan.ok:
            plan = importer.apply_import(plan)
    return plan


def test_a_clean_sheet(cast: Any) -> None:
    cast_places(cast)
    data = workbook(good(cast), title=True)
    with acting(cast.street_admin, "web"):
        dry = importer.plan_import(io.BytesIO(data), "grids.xlsx", org=cast.branch_a)
    assert dry.ok, dry.errors
    assert (dry.counts["create"], dry.counts["update"]) == (1, 1) and not Grid.objects.exists()
    plan = plan_and_apply(cast.street_admin, cast.branch_a, data)
    assert plan.applied, plan.errors
    g1 = Grid.objects.get(territory__code="T-A-G1")
    assert (g1.head_name, g1.head_phone) == ("杨国华", "13712345601")
    assert GridPartyGroup.objects.get(grid=g1).org == cast.group_a1
    assert GridWorker.objects.get(grid=g1).user == cast_places(cast).grid_worker
    g5 = Grid.objects.get(territory__code="T-A-G5")
    assert g5.territory.get_parent().code == "T-A" and g5.territory.kind == "grid"
    again = plan_and_apply(cast.street_admin, cast.branch_a, data)
    assert again.applied and again.counts["unchanged"] == 2 and Grid.objects.count() == 2


def test_a_dirty_sheet_names_rows_and_columns_and_writes_nothing(cast: Any) -> None:
    cast_places(cast)
    rows = [
        good(cast)[1],
        ["T-A-G5", "重复", "T-A", "", "", "", ""],  # the code twice
        ["T-A-G6", "", "T-C", "", "12", "A", "nobody-here"],  # no name, another's community, bad phone, not a group
        ["T-A", "社区", "T-A", "", "", "", ""],  # a code used by a place that is not a grid
    ]
    plan = plan_and_apply(cast.street_admin, cast.branch_a, workbook(rows))
    found = {(e.row, e.column) for e in plan.errors}
    assert {(3, "网格编码"), (4, "网格名称"), (4, "所属社区/村"), (4, "联系电话"), (4, "网格党小组"),
            (4, "网格员"), (5, "网格编码")} <= found, found
    assert not Grid.objects.exists() and not plan.applied


def test_a_secretary_may_not_appoint_by_import(cast: Any) -> None:
    cast_places(cast)
    plan = plan_and_apply(cast.secretary, cast.branch_a, workbook(good(cast)[:1]))
    assert {(e.row, e.column) for e in plan.errors} == {(2, "网格员")}
    ok = plan_and_apply(cast.secretary, cast.branch_a, workbook([good(cast)[0][:6] + [""]]))
    assert ok.applied and not GridWorker.objects.exists()


def test_the_web_import_and_the_template(cast: Any) -> None:
    cast_places(cast)
    client = client_as(cast, "street_admin")
    url = reverse("grid-import", args=["A"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("grid-import-template", args=["A"])).status_code == 200
    page = import_upload(client, url, SimpleUploadedFile("grids.xlsx", workbook(good(cast))))
    assert page.status_code == 200 and not Grid.objects.exists()
    done = import_confirm(client, page)
    assert done.status_code == 200 and Grid.objects.count() == 2
    assert Role.objects.filter(kind="grid_worker").count() == 1  # the cast's grid worker's role, kept once
    assert client_as(cast, "auditor").get(url).status_code == 403
    assert client_as(cast, "grid_worker").get(url).status_code == 404


def test_the_cli_verb(cast: Any, tmp_path: Any, capsys: Any) -> None:
    cast_places(cast)
    path = tmp_path / "grids.xlsx"
    path.write_bytes(workbook(good(cast)))
    assert importer.cli_run(path, org=cast.branch_a, dry_run=True, actor=cast.street_admin) == 0
    assert not Grid.objects.exists() and "nothing was written" in capsys.readouterr().out
    assert importer.cli_run(path, org=cast.branch_a, dry_run=False, actor=cast.street_admin) == 0
    assert Grid.objects.count() == 2
