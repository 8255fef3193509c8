"""The units import: a dry run that writes nothing, errors naming the row and the column, all or nothing, a messy
roster (a title row, types in Chinese words, full-width digits, 是/否), the web flow and the CLI."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.cobuild import importer
from grassroots.cobuild.models import ResidentUnit, UnitKind
from grassroots.core.context import acting
from grassroots.ui.testing import client_as, import_confirm, import_upload

HEADER = ["单位名称", "单位类型", "行业", "联系人", "联系电话", "是否建立党组织", "党员人数", "备注"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MESSY = [["第一支部驻区单位花名册（2024年）"], [], HEADER,
         ["县委政策研究室", "党政机关", "党政机关", "杨主任", "１３９００００１１１１", "是", "９", ""],
         ["和顺小巷客栈", "民营企业", "住宿", "寸经理", "0875-5150000", "否", "", "旺季用工"],
         ["和顺图书馆", "事业单位", "文化", "", "", "有", "4人", ""]]


def test_a_messy_roster_dry_run_then_written(cast: Any, world: Any) -> None:
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx(MESSY)), "u.xlsx", within=cast.branch_a)
        assert plan.ok, plan.errors
        assert plan.counts["create"] == 3 and not ResidentUnit.objects.filter(name="和顺图书馆").exists()
        plan = importer.apply_import(plan)
    assert plan.applied
    office = ResidentUnit.objects.get(org=cast.branch_a, name="县委政策研究室")
    assert (office.kind, office.contact_phone, office.party_members) == (UnitKind.AGENCY, "13900001111", 9)
    inn = ResidentUnit.objects.get(name="和顺小巷客栈")
    assert inn.kind == UnitKind.PRIVATE_ENTERPRISE and not inn.has_party_org and inn.contact_phone == "08755150000"
    assert ResidentUnit.objects.get(name="和顺图书馆").party_members == 4
    with acting(cast.secretary, "web"):
        again = importer.plan_import(io.BytesIO(_xlsx(MESSY)), "u.xlsx", within=cast.branch_a)
    assert again.counts["unchanged"] == 3 and again.counts.get("create", 0) == 0


def test_errors_name_row_and_column_and_nothing_is_written(cast: Any, world: Any) -> None:
    rows = [HEADER, ["好单位", "国企", "电力", "", "", "是", "3", ""],
            ["坏类型", "外企", "", "", "", "", "", ""],
            ["坏电话", "社会组织", "", "", "12ab", "", "", ""],
            ["", "机关", "", "", "", "", "", ""],
            ["党员无组织", "机关", "", "", "", "否", "5", ""],
            ["好单位", "国企", "", "", "", "", "", ""]]
    before = ResidentUnit.objects.count()
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx(rows)), "u.xlsx", within=cast.branch_a)
        assert [(e.row, e.column) for e in plan.errors] == [(3, "单位类型"), (4, "联系电话"), (5, "单位名称"),
                                                            (6, "是否建立党组织"), (7, "单位名称")]
        assert "外企" in plan.errors[0].message
        assert not importer.apply_import(plan).applied
    assert ResidentUnit.objects.count() == before


def test_the_web_flow_and_who_may_import(cast: Any, world: Any) -> None:
    url = reverse("cobuild-units-import", args=["A"])
    assert client_as(cast, "auditor").get(url).status_code == 403
    assert client_as(cast, "outsider").get(url).status_code == 404
    client = client_as(cast, "secretary")
    template = client.get(reverse("cobuild-units-import-template", args=["A"]))
    header = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows())]
    assert header[:2] == ["单位名称", "单位类型"]
    page = import_upload(client, url, SimpleUploadedFile("u.xlsx", _xlsx(MESSY)))
    assert page.status_code == 200 and "139****1111" in page.content.decode()
    assert "13900001111" not in page.content.decode()
    assert not ResidentUnit.objects.filter(name="和顺图书馆").exists()  # a dry run writes nothing
    import_confirm(client, page)
    assert ResidentUnit.objects.filter(org=cast.branch_a, name="和顺图书馆").exists()


def test_cli_import(cast: Any, world: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "u.xlsx"
    path.write_bytes(_xlsx([HEADER, ["和顺邮政支局", "国有企业", "邮政", "", "", "是", "3", ""]]))
    assert importer.cli_units(path, org=cast.branch_a, dry_run=True, actor=None) == 0
    assert not ResidentUnit.objects.filter(name="和顺邮政支局").exists()
    assert importer.cli_units(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    assert ResidentUnit.objects.get(name="和顺邮政支局").kind == UnitKind.STATE_ENTERPRISE
    path.write_bytes(_xlsx([HEADER, ["无类型", "", "", "", "", "", "", ""]]))
    assert importer.cli_units(path, org=cast.branch_a, dry_run=False, actor=None) == 1
    assert "单位类型" in capsys.readouterr().err


AGREEMENT_HEADER = ["单位名称", "协议名称", "签订日期", "生效日期", "到期日期", "协议内容"]


def test_agreements_import_all_or_nothing(cast: Any, world: Any, tmp_path: Any) -> None:
    from grassroots.cobuild.models import Agreement

    rows = [["共建协议台账"], AGREEMENT_HEADER,
            ["和顺宾馆", "2019年共建协议", "2019年3月5日", "", "2021-12-31", "结对帮扶"],
            ["不存在的单位", "共建协议", "2019-03-05", "", "", ""],
            ["和顺宾馆", "倒序协议", "2020-01-01", "2020-02-01", "2020-01-15", ""]]
    with acting(cast.secretary, "web"):
        plan = importer.plan_import(io.BytesIO(_xlsx(rows)), "a.xlsx", within=cast.branch_a, kind="agreements")
    assert [(e.row, e.column) for e in plan.errors] == [(4, "单位名称"), (5, "到期日期")]
    before = Agreement.objects.count()
    path = tmp_path / "a.xlsx"
    path.write_bytes(_xlsx(rows[:3]))
    assert importer.cli_agreements(path, org=cast.branch_a, dry_run=True, actor=None) == 0
    assert Agreement.objects.count() == before
    client = client_as(cast, "secretary")
    page = import_upload(client, reverse("cobuild-agreements-import", args=["A"]),
                         SimpleUploadedFile("a.xlsx", _xlsx(rows[:3])))
    assert page.status_code == 200 and Agreement.objects.count() == before
    import_confirm(client, page)
    made = Agreement.objects.get(title="2019年共建协议")
    assert (made.unit, made.starts_on.isoformat(), made.ends_on.isoformat()) == (world.unit, "2019-03-05",
                                                                                 "2021-12-31")
    assert importer.cli_agreements(path, org=cast.branch_a, dry_run=False, actor=None) == 0
    assert Agreement.objects.count() == before + 1  # the same sheet again writes nothing
