"""Importing a branch's payment sheet: all or nothing, dry run, re-import, every row error, the CLI verb."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from grassroots import cli
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.dues.importer import MonthsError, apply_import, parse_months, plan_import
from grassroots.dues.models import DuesMonth, DuesPayment

from .conftest import D, assess_in_service, months, pay

HEADER = ["姓名", "身份证号", "交纳日期", "金额", "所属月份", "交纳方式", "代交人", "收据号", "备注"]


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def good_rows(cast: Any) -> list[list[Any]]:
    m, m2 = cast.member, cast.member_a2
    return [
        ["李明", m.id_number, "2024-01-10", "45.00", "2024-01至2024-03", "微信", "", "R1", ""],
        ["王强", m2.id_number, "2024/03/05", "100", "2024年1-2月", "现金", "王强的妻子", "R2", "补交"],
        ["", m.id_number, "2024.04.02", "¥15.00", "2024-04", "", "", "", ""],
        ["李明", m.id_number, "2024年6月1日", "1000", "自愿", "银行转账", "", "R4", "特殊党费"],
    ]


@pytest.fixture
def assessed(cast: Any) -> Any:
    assess_in_service(cast.member, 2024)  # 15.00
    assess_in_service(cast.member_a2, 2024, base="5000.00")  # 50.00
    assess_in_service(cast.member_b, 2024)
    return cast


def plan_as(user: Any, data: bytes, filename: str = "dues.csv") -> Any:
    with acting(user, "web"):
        return plan_import(io.BytesIO(data), filename)


def apply_as(user: Any, plan: Any) -> Any:
    with acting(user, "web"):
        return apply_import(plan)


def test_parse_months() -> None:
    assert parse_months("2024-05") == [D(2024, 5, 1)]
    assert parse_months("2024-01至2024-03") == months(2024, 1, 3)
    assert parse_months("2024年1-3月") == months(2024, 1, 3)
    assert parse_months("2024年11月至2025年1月") == [D(2024, 11, 1), D(2024, 12, 1), D(2025, 1, 1)]
    assert parse_months("2024-01, 2024-03") == [D(2024, 1, 1), D(2024, 3, 1)]
    assert parse_months(D(2024, 5, 1)) == [D(2024, 5, 1)]
    assert parse_months("自愿") is None and parse_months("voluntary") is None
    for bad in ("", "2024-13", "2024-03至2024-01", "五月", "2024-01-15"):
        with pytest.raises(MonthsError):
            parse_months(bad)


def test_happy_path_writes_every_row_on_the_import_channel(assessed: Any) -> None:
    cast = assessed
    plan = plan_as(cast.secretary, csv_bytes(good_rows(cast)))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [r.action for r in plan.rows] == ["create"] * 4
    assert not DuesPayment.objects.exists()  # planning writes nothing
    done = apply_as(cast.secretary, plan)
    assert done.applied and done.ok
    kinds = sorted(DuesPayment.objects.values_list("kind", "amount"))
    assert kinds == [("back", Decimal("100.00")), ("regular", Decimal("15.00")), ("regular", Decimal("45.00")),
                     ("voluntary", Decimal("1000.00"))]
    back = DuesPayment.objects.get(kind="back")
    assert (back.paid_by, back.receipt, back.note, back.channel) == ("王强的妻子", "R2", "补交", "cash")
    assert DuesPayment.objects.get(receipt="R1").channel == "wechat"
    assert DuesMonth.objects.count() == 6
    entries = AuditEntry.objects.filter(action__startswith="dues.payment")
    assert entries.count() == 4 and set(entries.values_list("channel", flat=True)) == {"import"}


def test_an_xlsx_sheet_with_english_headers(assessed: Any) -> None:
    cast = assessed
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "id_number", "paid_on", "amount", "months"])
    ws.append(["李明", cast.member.id_number, D(2024, 1, 10), 45, "2024-01至2024-03"])
    ws.append([None, cast.member_a2.id_number, "2024-02-01", 50.0, D(2024, 2, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    plan = plan_as(cast.secretary, buf.getvalue(), "dues.xlsx")
    assert plan.ok, [str(e) for e in plan.errors]
    assert apply_as(cast.secretary, plan).applied
    assert DuesMonth.objects.count() == 4


def test_dry_run_writes_nothing_and_reimport_is_unchanged(assessed: Any, tmp_path: Path, capsys: Any) -> None:
    cast = assessed
    path = tmp_path / "党费.csv"
    path.write_bytes(csv_bytes(good_rows(cast)))
    assert cli.main(["import", "dues", str(path), "--dry-run", "--as", "secretary"]) == 0
    out = capsys.readouterr().out
    assert "would record 4 payments, leave 0 unchanged; nothing was written" in out
    assert not DuesPayment.objects.exists() and not AuditEntry.objects.filter(action__startswith="dues.pay").exists()
    assert cli.main(["import", "dues", str(path), "--as", "secretary"]) == 0
    assert "recorded 4 payments, unchanged 0" in capsys.readouterr().out
    assert DuesPayment.objects.count() == 4
    # the same sheet again: every row is already there
    plan = plan_as(cast.secretary, path.read_bytes())
    assert plan.ok and [r.action for r in plan.rows] == ["unchanged"] * 4
    assert cli.main(["import", "dues", str(path), "--as", "secretary"]) == 0
    assert "recorded 0 payments, unchanged 4" in capsys.readouterr().out
    assert DuesPayment.objects.count() == 4 and DuesMonth.objects.count() == 6


def test_a_month_paid_by_another_payment_is_an_error_not_unchanged(assessed: Any) -> None:
    cast = assessed
    pay(cast.member, D(2024, 1, 5), [D(2024, 2, 1)])
    plan = plan_as(cast.secretary, csv_bytes(good_rows(cast)[:1]))
    assert [str(e) for e in plan.errors] == ["row 2, 所属月份: 李明 has already paid the dues of 2024-02"]


def _errors(cast: Any, rows: list[list[Any]]) -> list[str]:
    plan = plan_as(cast.secretary, csv_bytes(rows))
    assert not plan.ok
    return [str(e) for e in plan.errors]


@pytest.mark.parametrize("change, expected", [
    ({1: ""}, "row 2, 身份证号: this cell is required"),
    ({1: "123"}, "row 2, 身份证号: "),
    ({0: "张三"}, "row 2, 姓名: the member with this ID number is 李明"),
    ({2: ""}, "row 2, 交纳日期: this cell is required"),
    ({2: "2024-02-30"}, "row 2, 交纳日期: "),
    ({2: "2999-01-01"}, "row 2, 交纳日期: the date 2999-01-01 is in the future"),
    ({3: ""}, "row 2, 金额: this cell is required"),
    ({3: "abc"}, "row 2, 金额: abc is not an amount"),
    ({3: "0"}, "row 2, 金额: the amount must be more than zero"),
    ({3: "45.001"}, "row 2, 金额: 45.001 has more than two decimals"),
    ({3: "44.00"}, "row 2, 金额: the amount 44.00 does not equal the 45.00 assessed for 2024-01, 2024-02, 2024-03"),
    ({4: ""}, "row 2, 所属月份: this cell is required (write 自愿 for a voluntary payment)"),
    ({4: "春节"}, "row 2, 所属月份: 春节 is not a month"),
    ({4: "2024-01至2024-04", 3: "60"}, "row 2, 所属月份: 2024-04 is beyond the quarter of the payment"),
    ({4: "2023-12至2024-02", 3: "45"}, "row 2, 所属月份: 李明 has no dues assessment for 2023"),
    ({5: "支票"}, "row 2, 交纳方式: unknown payment channel 支票"),
    ({6: "x" * 51}, "row 2, 代交人: longer than 50 characters"),
])
def test_every_row_error_names_its_row_and_column(assessed: Any, change: dict[int, str], expected: str) -> None:
    row = list(good_rows(assessed)[0])
    for idx, value in change.items():
        row[idx] = value
    errors = _errors(assessed, [good_rows(assessed)[1], row])  # the bad row is the file's row 3
    assert len(errors) == 1 and errors[0].startswith(expected.replace("row 2", "row 3")), errors
    assert not DuesPayment.objects.exists()


def test_a_member_outside_the_scope_and_a_month_twice_in_the_file(assessed: Any) -> None:
    cast = assessed
    rows = [["赵刚", cast.member_b.id_number, "2024-01-10", "15", "2024-01", "", "", "", ""]]
    assert _errors(cast, rows) == ["row 2, 身份证号: no member with this ID number in the organizations you may change"]
    twice = [good_rows(cast)[0], ["李明", cast.member.id_number, "2024-03-02", "15", "2024-03", "", "", "", ""]]
    assert _errors(cast, twice) == ["row 3, 所属月份: 2024-03 of 李明 is also paid on row 2"]
    with acting(cast.auditor, "web"):  # an auditor may write nobody
        plan = plan_import(io.BytesIO(csv_bytes(good_rows(cast)[:1])), "dues.csv")
    assert not plan.ok and "no member with this ID number" in str(plan.errors[0])


def test_file_level_errors(assessed: Any) -> None:
    cast = assessed
    plan = plan_as(cast.secretary, csv_bytes([], header=["姓名", "金额"]))
    assert {e.column for e in plan.errors} == {"身份证号", "交纳日期", "所属月份"}
    plan = plan_as(cast.secretary, b"x", "dues.xls")
    assert plan.errors[0].row == 0 and ".xls" in plan.errors[0].message
    plan = plan_as(cast.secretary, csv_bytes([], header=HEADER + ["金额"]))
    assert "appears twice" in plan.errors[0].message


def test_all_or_nothing_when_a_row_fails_at_apply_time(assessed: Any) -> None:
    """The plan was clean, but meanwhile a month of its last row was paid: nothing of the file is written."""
    cast = assessed
    plan = plan_as(cast.secretary, csv_bytes(good_rows(cast)))
    assert plan.ok
    pay(cast.member, D(2024, 4, 1), [D(2024, 4, 1)])
    done = apply_as(cast.secretary, plan)
    assert not done.applied and [str(e) for e in done.errors] == [
        "row 4, 所属月份: 李明 has already paid the dues of 2024-04"]
    assert DuesPayment.objects.count() == 1


def test_cli_reports_errors_and_exits_1(assessed: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "bad.csv"
    rows = good_rows(assessed)
    rows[0][3] = "1"
    path.write_bytes(csv_bytes(rows))
    assert cli.main(["import", "dues", str(path), "--as", "secretary"]) == 1
    err = capsys.readouterr().err
    assert "row 2, 金额: the amount 1.00 does not equal" in err and "1 errors: nothing was written" in err
    assert not DuesPayment.objects.exists()


def test_cli_org_limits_the_sheet_to_that_subtree(assessed: Any, tmp_path: Path, capsys: Any) -> None:
    """The street organizer may change branch B too; with --org A a row naming B's member is an error."""
    cast = assessed
    rows = good_rows(cast)[:1] + [["赵刚", cast.member_b.id_number, "2024-01-10", "15.00", "2024-01", "", "", "", ""]]
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(rows))
    assert cli.main(["import", "dues", str(path), "--org", "A", "--dry-run", "--as", "street_admin"]) == 1
    err = capsys.readouterr().err
    assert "row 3, 身份证号: no member with this ID number in 第一支部" in err
    assert cli.main(["import", "dues", str(path), "--org", "S", "--dry-run", "--as", "street_admin"]) == 0
    assert not DuesPayment.objects.exists()
