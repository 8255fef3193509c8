"""A year's dues assessments through the dues import: a secretary's usual sheet (姓名, 身份证号, 缴费基数, 月缴纳额,
年度), alone or beside the payments on the same rows; the category from the occupation when not given; the monthly
amount checked against the rules; every error naming its row and column; all or nothing; re-import unchanged."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots import cli
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.dues.importer import apply_import, plan_import
from grassroots.dues.models import DuesAssessment, DuesMonth, DuesPayment
from grassroots.members.models import MemberPeriod, Occupation
from grassroots.ui.testing import client_as, import_confirm, import_upload

from .conftest import D, assess_in_service

USUAL = ["姓名", "身份证号", "缴费基数", "月缴纳额", "年度"]


def csv_bytes(rows: list[list[Any]], header: list[str] = USUAL) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def plan_as(user: Any, data: bytes, filename: str = "dues.csv") -> Any:
    with acting(user, "web"):
        return plan_import(io.BytesIO(data), filename)


def apply_as(user: Any, plan: Any) -> Any:
    with acting(user, "web"):
        return apply_import(plan)


def errors(plan: Any) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in plan.errors}


@pytest.mark.django_db
def test_the_secretary_s_usual_sheet_assesses_the_year(cast: Any) -> None:
    MemberPeriod.objects.filter(member=cast.member_a2).update(occupation=Occupation.RETIRED)
    rows = [["李明", cast.member.id_number, "4000", "40.00", "2024"],
            ["王强", cast.member_a2.id_number, "6000.00", "", "2024年"]]  # retired, from the occupation
    plan = plan_as(cast.secretary, csv_bytes(rows))
    assert plan.ok, [str(e) for e in plan.errors]
    assert [(r.action, r.values["assessment"]["category"], r.values["assessment"]["monthly_amount"])
            for r in plan.rows] == [("create", "in_service", Decimal("40.00")), ("create", "retired", Decimal("60.00"))]
    assert not DuesAssessment.objects.exists()  # the dry run writes nothing
    done = apply_as(cast.secretary, plan)
    assert done.applied, [str(e) for e in done.errors]
    got = {a.member_id: (a.category, a.base, a.monthly_amount, a.assessed_on) for a in DuesAssessment.objects.all()}
    assert got == {cast.member.pk: ("in_service", Decimal("4000.00"), Decimal("40.00"), D(2024, 1, 1)),
                   cast.member_a2.pk: ("retired", Decimal("6000.00"), Decimal("60.00"), D(2024, 1, 1))}
    entry = AuditEntry.objects.filter(action="dues.assess").latest("id")
    assert (entry.channel, entry.actor_id) == ("import", cast.secretary.pk)
    # the same sheet again writes nothing; a changed base is an update
    again = plan_as(cast.secretary, csv_bytes(rows))
    assert again.ok and [r.action for r in again.rows] == ["unchanged", "unchanged"]
    rows[0][2:4] = ["8000", ""]
    changed = plan_as(cast.secretary, csv_bytes(rows))
    assert [r.action for r in changed.rows] == ["update", "unchanged"]
    apply_as(cast.secretary, changed)
    assert DuesAssessment.objects.get(member=cast.member).monthly_amount == Decimal("120.00")


@pytest.mark.django_db
def test_categories_by_their_labels_and_the_amounts_they_take(cast: Any) -> None:
    header = ["姓名", "身份证号", "年度", "党费类别", "缴费基数", "月缴纳额", "批准情况"]
    rows = [["李明", cast.member.id_number, "2024", "农民", "", "0.80", ""],
            ["王强", cast.member_a2.id_number, "2024", "生活困难", "", "0.10", "支部委员会2024年1月决定"]]
    plan = plan_as(cast.secretary, csv_bytes(rows, header))
    assert plan.ok, [str(e) for e in plan.errors]
    apply_as(cast.secretary, plan)
    got = {a.member_id: (a.category, a.monthly_amount) for a in DuesAssessment.objects.all()}
    assert got == {cast.member.pk: ("farmer", Decimal("0.80")), cast.member_a2.pk: ("hardship", Decimal("0.10"))}


@pytest.mark.django_db
def test_every_assessment_error_names_its_row_and_column(cast: Any) -> None:
    header = ["姓名", "身份证号", "年度", "党费类别", "缴费基数", "月缴纳额", "批准情况"]
    rows = [
        ["李明", cast.member.id_number, "2024", "", "4000", "45.00", ""],  # the rules give 40.00
        ["王强", cast.member_a2.id_number, "去年", "", "4000", "", ""],
        ["李明", cast.member.id_number, "2023", "在职", "", "", ""],  # no base
        ["王强", cast.member_a2.id_number, "2023", "公务员", "4000", "", ""],
        ["李明", cast.member.id_number, "2022", "学生", "3000", "", ""],  # no base for a student
        ["王强", cast.member_a2.id_number, "2022", "生活困难", "", "0.10", ""],  # no approval
        ["李明", cast.member.id_number, "2024", "", "4000", "", ""],  # the same year twice
        ["王强", cast.member_a2.id_number, "2021", "农民", "", "3.00", ""],  # beyond the farmers' range
    ]
    plan = plan_as(cast.secretary, csv_bytes(rows, header))
    got = errors(plan)
    assert "the rules give 40.00 a month for a base of 4000.00, not 45.00" in got[(2, "月缴纳额")]
    assert "去年 is not a year" in got[(3, "年度")]
    assert "the monthly base is required" in got[(4, "缴费基数")]
    assert "unknown dues category 公务员" in got[(5, "党费类别")] and "离退休" in got[(5, "党费类别")]
    assert "has no base" in got[(6, "缴费基数")]
    assert "approval" in got[(7, "批准情况")]
    assert "also assessed for 2024 on row 2" in got[(8, "年度")]
    assert "a farmer pays 0.20 to 1.00" in got[(9, "月缴纳额")]
    assert not apply_as(cast.secretary, plan).applied and not DuesAssessment.objects.exists()


@pytest.mark.django_db
def test_assessments_and_payments_on_the_same_rows(cast: Any) -> None:
    header = ["姓名", "身份证号", "年度", "缴费基数", "交纳日期", "金额", "所属月份"]
    rows = [["李明", cast.member.id_number, "2024", "3000", "2024-01-10", "45.00", "2024-01至2024-03"],
            ["王强", cast.member_a2.id_number, "2024", "5000", "", "", ""],  # assessed only
            ["王强", cast.member_a2.id_number, "", "", "2024-02-01", "50.00", "2024-02"]]  # pays on it
    plan = plan_as(cast.secretary, csv_bytes(rows, header))
    assert plan.ok, [str(e) for e in plan.errors]
    assert apply_as(cast.secretary, plan).applied
    assert DuesAssessment.objects.count() == 2 and DuesMonth.objects.count() == 4
    again = plan_as(cast.secretary, csv_bytes(rows, header))
    assert again.ok and {r.action for r in again.rows} == {"unchanged"}
    # a payment for a year the file does not assess and the records do not either
    bad = plan_as(cast.secretary, csv_bytes([["李明", cast.member.id_number, "", "", "2024-01-10", "15.00",
                                              "2023-12"]], header))
    assert "has no dues assessment for 2023" in errors(bad)[(2, "所属月份")]


@pytest.mark.django_db
def test_a_failing_payment_undoes_the_assessments_written_before(cast: Any) -> None:
    header = ["姓名", "身份证号", "年度", "缴费基数", "交纳日期", "金额", "所属月份"]
    rows = [["王强", cast.member_a2.id_number, "2024", "5000", "", "", ""],
            ["李明", cast.member.id_number, "2024", "3000", "2024-01-10", "15.00", "2024-01"]]
    plan = plan_as(cast.secretary, csv_bytes(rows, header))
    assert plan.ok
    assess_in_service(cast.member, 2024)
    with acting(None, "system"):
        from grassroots.dues.services import record_payment
        record_payment(cast.member, paid_on=D(2024, 1, 5), months=[D(2024, 1, 1)], amount=Decimal("15.00"),
                       receipt="other")
    done = apply_as(cast.secretary, plan)
    assert not done.applied and "already paid" in done.errors[0].message
    assert not DuesAssessment.objects.filter(member=cast.member_a2).exists()


@pytest.mark.django_db
def test_file_level_errors_of_an_assessment_sheet(cast: Any) -> None:
    plan = plan_as(cast.secretary, csv_bytes([], ["姓名", "身份证号", "缴费基数"]))
    assert {e.column for e in plan.errors} == {"年度"}
    plan = plan_as(cast.secretary, csv_bytes([["李明", cast.member.id_number, ""]], ["姓名", "身份证号", "年度"]))
    assert "nothing to import" in errors(plan)[(2, "年度")]


@pytest.mark.django_db
def test_an_xlsx_sheet_with_numbers_and_english_headers_and_the_cli(cast: Any, tmp_path: Path, capsys: Any) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "id_number", "base", "monthly_amount", "year"])
    ws.append(["李明", cast.member.id_number, 4000, 40, 2024])
    path = tmp_path / "assessments.xlsx"
    wb.save(path)
    assert cli.main(["import", "dues", str(path), "--dry-run", "--as", "secretary"]) == 0
    out = capsys.readouterr().out
    assert "would record 1 rows of assessments and payments" in out and "\t2024\t" in out
    assert cli.main(["import", "dues", str(path), "--as", "secretary"]) == 0
    assert DuesAssessment.objects.get().monthly_amount == Decimal("40.00")


@pytest.mark.django_db
def test_the_web_import_previews_and_writes_assessments(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    sheet = csv_bytes([["李明", cast.member.id_number, "4000", "40", "2024"]])
    client = client_as(cast, "secretary")
    response = import_upload(client, reverse("dues-import", args=["A"]),
                             SimpleUploadedFile("dues.csv", sheet, content_type="text/csv"))
    html = response.content.decode()
    assert response.status_code == 200 and '<td class="num" data-key="monthly">40.00' in html
    assert not DuesAssessment.objects.exists()  # a dry run writes nothing
    done = import_confirm(client, response)
    assert done.status_code == 200 and DuesAssessment.objects.count() == 1 and not DuesPayment.objects.exists()
    assert "Imported: 1 rows of assessments and payments recorded, 0 assessments changed" in done.content.decode()
    # outside the branch's subtree: the member is not found
    other = import_upload(client_as(cast, "secretary"), reverse("dues-import", args=["A"]),
                          SimpleUploadedFile("dues.csv", csv_bytes([["赵刚", cast.member_b.id_number, "4000", "",
                                                                     "2024"]])))
    assert "no member with this ID number in" in other.content.decode()
