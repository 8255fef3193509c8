"""Importing posts with their claims: a dry run writes nothing, errors name row and column, all or nothing, a
second import writes nothing; the web flow and the command line."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from grassroots.core.context import acting
from grassroots.posts import importer
from grassroots.posts.models import ClaimState, Post, PostClaim
from grassroots.ui.testing import client_as, import_confirm, import_job_of, import_upload

HEAD = ["组织代码", "岗位类别", "岗位名称", "岗位职责", "岗位数", "任期开始", "任期结束", "认领党员", "身份证号",
        "认领日期", "审核日期"]


def _sheet(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(cast: Any) -> list[list[Any]]:
    return [
        ["A", "治安巡逻岗", "夜巡", "每周一次", 2, "2024-01-01", "", "李明", cast.member.id_number, "2024-01-05",
         "2024-01-08"],
        ["A", "治安巡逻岗", "夜巡", "", 2, "2024-01-01", "", "王强", cast.member_a2.id_number, "2024-01-06", ""],
        ["B", "便民服务岗", "代办", "代办代缴", 1, "2024-01-01", "2024-12-31", "", "", "", ""],
    ]


def _plan(cast: Any, data: bytes, user: Any) -> Any:
    with acting(user, "web"):
        return importer.plan_import(io.BytesIO(data), "posts.xlsx", within=cast.street)


def test_dry_run_then_apply_then_nothing_more(cast: Any, kinds: dict[str, Any]) -> None:
    data = _sheet(_rows(cast))
    plan = _plan(cast, data, cast.street_admin)
    assert plan.ok and plan.counts["create"] == 3
    assert not Post.objects.exists()
    with acting(cast.street_admin, "web"):
        done = importer.apply_import(plan)
    assert done.applied
    post = Post.objects.get(title="夜巡")
    assert post.seats == 2 and post.duties == "每周一次"
    states = dict(PostClaim.objects.values_list("member__name", "state"))
    assert states == {"李明": ClaimState.APPROVED, "王强": ClaimState.PENDING}
    assert PostClaim.objects.get(member=cast.member).on_behalf
    again = _plan(cast, data, cast.street_admin)
    assert again.ok and again.counts == {"create": 0, "update": 0, "unchanged": 3}


def test_errors_name_row_and_column_and_nothing_is_written(cast: Any, kinds: dict[str, Any]) -> None:
    rows = _rows(cast)
    rows[1][4] = 3  # seats differ from the row above
    rows[2][1] = "不存在岗"
    rows.append(["C", "治安巡逻岗", "x", "", 1, "2024-01-01", "", "", "", "", ""])
    rows.append(["A", "治安巡逻岗", "y", "", 1, "2024-01-01", "", "赵刚", cast.member_b.id_number, "", ""])
    plan = _plan(cast, _sheet(rows), cast.street_admin)
    found = {(e.row, e.column) for e in plan.errors}
    assert found == {(3, "岗位数"), (4, "岗位类别"), (5, "组织代码"), (6, "身份证号")}
    assert cast.member_b.id_number not in " ".join(str(e) for e in plan.errors)
    with acting(cast.street_admin, "web"):
        assert not importer.apply_import(plan).applied
    assert not Post.objects.exists() and not PostClaim.objects.exists()


def test_a_refusal_while_writing_undoes_every_row(cast: Any, kinds: dict[str, Any]) -> None:
    rows = _rows(cast)
    rows[0][4] = 1
    rows[1][4] = 1
    rows[1][10] = "2024-01-09"  # two approvals for one seat: the service refuses the second
    plan = _plan(cast, _sheet(rows), cast.street_admin)
    assert plan.ok
    with acting(cast.street_admin, "web"):
        done = importer.apply_import(plan)
    assert not done.applied and done.errors[0].row == 3
    assert not Post.objects.exists() and not PostClaim.objects.exists()


def test_web_import_flow(cast: Any, kinds: dict[str, Any]) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("post-import", args=["S"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("post-import-template", args=["S"])).status_code == 200
    upload = SimpleUploadedFile("posts.xlsx", _sheet(_rows(cast)))
    page = import_upload(client, url, upload)
    job = import_job_of(page)
    assert job.counts.get("create") == 3 and not Post.objects.exists()
    import_confirm(client, page)
    assert Post.objects.count() == 2 and PostClaim.objects.count() == 2
    assert client_as(cast, "auditor").get(url).status_code == 403


def test_command_line(cast: Any, kinds: dict[str, Any], tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "posts.xlsx"
    path.write_bytes(_sheet(_rows(cast)))
    assert importer.cli_run(path, org=cast.street, dry_run=True, actor=None) == 0
    assert not Post.objects.exists()
    assert importer.cli_run(path, org=cast.street, dry_run=False, actor=None) == 0
    assert Post.objects.count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_sheet([["A", "", "z", "", 1, "2024-01-01", "", "", "", "", ""]]))
    assert importer.cli_run(bad, org=cast.street, dry_run=False, actor=None) == 1
    assert "岗位类别" in capsys.readouterr().err
