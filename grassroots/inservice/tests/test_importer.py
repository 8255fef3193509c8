"""The reports' import: a dry run first, all or nothing, errors naming the row and the column; a messy file (a
title row, full-width digits, a CSV); the web flow and the command line; the export of the list."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.inservice import importer, services
from grassroots.inservice.models import Report
from grassroots.ui.testing import client_as, import_confirm, import_upload

HEADER = ["姓名", "身份证号", "报到社区代码", "报到日期", "首次报到", "居住地址", "联系电话", "特长"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_dry_run_errors_then_all_or_nothing(cast: Any, world: Any) -> None:
    m, m2 = cast.member, cast.member_a2
    good = [[m.name, m.id_number, "C", "2024-01-10", "是", "外街3号楼", "13900001111", "电工"],
            [m2.name, m2.id_number, "C", "2024-02-10", "", "", "", ""]]
    bad = good + [["李四", m.id_number, "NOPE", "2024-13-01", "也许", "", "", ""],  # row 4: four broken cells
                  [cast.member_b.name, cast.member_b.id_number, "C", "2024-01-10", "否", "", "", ""]]  # not A's
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx([HEADER, *bad])), "r.xlsx", org=cast.branch_a)
    assert {(e.row, e.column) for e in plan.errors} == {
        (4, "报到日期"), (4, "报到社区代码"), (4, "姓名"), (4, "首次报到"), (5, "身份证号")}
    assert not plan.ok and Report.objects.count() == 0
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx([HEADER, *good])), "r.xlsx", org=cast.branch_a)
        assert plan.ok and plan.counts["create"] == 2 and Report.objects.count() == 0  # a dry run
        plan = importer.apply_import(plan)
    assert plan.applied and Report.objects.count() == 2
    first = Report.objects.get(member=m)
    assert (first.first, first.state, first.phone, first.skills) == (True, "pending", "13900001111", "电工")
    with acting(cast.secretary, "web"):
        again = importer.plan_import(io.BytesIO(_xlsx([HEADER, *good])), "r.xlsx", org=cast.branch_a)
    assert again.counts["unchanged"] == 2


def test_a_rule_broken_at_write_time_undoes_everything(cast: Any, world: Any) -> None:
    m, m2 = cast.member, cast.member_a2
    rows = [HEADER, [m.name, m.id_number, "C", "2024-01-10", "是", "", "", ""],
            [m2.name, m2.id_number, "A", "2024-01-10", "否", "", "", ""]]  # A is m2's own branch: refused
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx(rows)), "r.xlsx", org=cast.branch_a)
        assert plan.ok
        plan = importer.apply_import(plan)
    assert not plan.applied and plan.errors and plan.errors[0].row == 3
    assert Report.objects.count() == 0


def test_messy_file_title_row_full_width_digits_csv(cast: Any, world: Any) -> None:
    m = cast.member
    number = m.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    text = "在职党员到社区报到花名册\n" + ",".join(HEADER) + "\n" + \
        ",".join([f" {m.name} ", number, "C", "２０２４/１/１０", "是", "", "", ""]) + "\n"
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(text.encode("utf-8-sig")), "r.csv", org=cast.branch_a)
    assert plan.ok, [(e.row, e.column, e.message) for e in plan.errors]
    assert plan.rows[0].values["on"] == dt.date(2024, 1, 10)


def test_web_flow_cli_and_export(cast: Any, world: Any, tmp_path: Any, capsys: Any) -> None:
    m = cast.member
    rows = [HEADER, [m.name, m.id_number, "C", "2024-01-10", "是", "", "13900001111", ""]]
    client = client_as(cast, "secretary")
    url = reverse("inservice-import", args=["A"])
    page = import_upload(client, url, SimpleUploadedFile("r.xlsx", _xlsx(rows)))
    assert page.status_code == 200 and Report.objects.count() == 0
    import_confirm(client, page)
    assert Report.objects.filter(member=m, community_org=world.community).count() == 1
    assert client_as(cast, "outsider").get(reverse("inservice-import", args=["A"])).status_code == 404
    path = tmp_path / "r.xlsx"
    path.write_bytes(_xlsx([HEADER, [cast.member_a2.name, cast.member_a2.id_number, "C", "2024-03-01", "", "", "",
                                     ""]]))
    assert importer.cli_reports(path, org=cast.branch_a, dry_run=True, actor=None) == 0
    assert not Report.objects.filter(member=cast.member_a2).exists()
    assert importer.cli_reports(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    assert Report.objects.filter(member=cast.member_a2).exists()
    path.write_bytes(_xlsx([HEADER, [cast.member_a2.name, cast.member_a2.id_number, "C", "", "", "", "", ""]]))
    assert importer.cli_reports(path, org=cast.branch_a, dry_run=False, actor=None) == 1
    assert "报到日期" in capsys.readouterr().err
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("inservice-home", args=["A"]) +
                                                        "?side=home&format=xlsx").content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert m.name in values and cast.member_a2.name in values and "13900001111" not in values
    try:
        with acting(cast.secretary, "web"):
            services.report(m, community_org=world.community, on=dt.date(2024, 2, 1), first=True)
    except RuleError as exc:
        assert exc.field == "first"
