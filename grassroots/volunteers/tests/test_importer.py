"""The imports: all or nothing, a dry run first, errors naming the row and the column; the web flow and the CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.ui.testing import client_as, import_confirm, import_upload
from grassroots.volunteers import importer
from grassroots.volunteers.models import Activity, Participation, Volunteer


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PEOPLE_HEADER = ["姓名", "证件类型", "证件号码", "联系电话", "服务技能", "注册日期", "志愿者编号"]


def test_people_import_dry_run_then_all_or_nothing(cast: Any, world: Any) -> None:
    good = idnumber.make("530522", dt.date(1971, 2, 3), 77)
    rows = [PEOPLE_HEADER, ["王居民", "居民身份证", good, "13500001111", "缝补", "2024-02-01", ""],
            [cast.member_a2.name, "", cast.member_a2.id_number, "", "", "2024-02-01", ""],
            ["坏号", "", "12345", "", "", "2024-02-01", ""]]
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx(rows)), "v.xlsx", org=cast.branch_a, kind="people")
    assert [(e.row, e.column) for e in plan.errors] == [(4, "证件号码")]
    before = Volunteer.objects.count()
    rows.pop()
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx(rows)), "v.xlsx", org=cast.branch_a, kind="people")
        assert plan.ok and plan.counts["create"] == 2 and Volunteer.objects.count() == before
        plan = importer.apply_import(plan)
    assert plan.applied and Volunteer.objects.count() == before + 2
    assert Volunteer.objects.filter(member=cast.member_a2).exists()
    with acting(cast.secretary, "web"):
        again = importer.plan_import(io.BytesIO(_xlsx(rows)), "v.xlsx", org=cast.branch_a, kind="people")
    assert again.counts["unchanged"] == 2


def test_activities_import_through_the_web_flow(cast: Any, world: Any) -> None:
    header = ["队伍代码", "活动名称", "开始时间", "结束时间", "志愿者编号", "出勤", "确认日期"]
    rows = [header, ["RV", "旧活动", "2023-05-06 20:00", "2023-05-07 01:00", world.resident.number, "出席",
                     "2023-05-08"],
            ["RV", "旧活动", "2023-05-06 20:00", "2023-05-07 01:00", world.member_vol.number, "缺席", ""]]
    client = client_as(cast, "secretary")
    url = reverse("volunteers-activities-import", args=["A"])
    bad = rows + [["XX", "旧活动", "2023-05-06 20:00", "2023-05-07 01:00", "nobody", "?", ""]]
    page = import_upload(client, url, SimpleUploadedFile("a.xlsx", _xlsx(bad)))
    assert page.status_code == 200
    assert not Activity.objects.filter(title="旧活动").exists()
    page = import_upload(client, url, SimpleUploadedFile("a.xlsx", _xlsx(rows)))
    assert not Activity.objects.filter(title="旧活动").exists()  # a dry run writes nothing
    import_confirm(client, page)
    activity = Activity.objects.get(title="旧活动")
    present = Participation.objects.get(activity=activity, volunteer=world.resident)
    assert present.hours == Decimal("5.0") and present.confirmed_on == dt.date(2023, 5, 8)
    assert Participation.objects.get(activity=activity, volunteer=world.member_vol).state == "absent"


def test_cli_import(cast: Any, world: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "v.xlsx"
    path.write_bytes(_xlsx([PEOPLE_HEADER, ["外国友人", "护照", "E123", "", "", "2024-03-01", "A-EXT-1"]]))
    assert importer.cli_volunteers(path, org=cast.branch_a, dry_run=True, actor=None) == 0
    assert not Volunteer.objects.filter(number="A-EXT-1").exists()
    assert importer.cli_volunteers(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    assert Volunteer.objects.filter(number="A-EXT-1", id_type="passport").exists()
    path.write_bytes(_xlsx([PEOPLE_HEADER, ["缺日期", "护照", "E124", "", "", "", ""]]))
    assert importer.cli_volunteers(path, org=cast.branch_a, dry_run=False, actor=None) == 1
    assert "注册日期" in capsys.readouterr().err
