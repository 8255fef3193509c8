"""Member export: scoped, full ID numbers only when revealable, audited, and it re-imports unchanged."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import make_member
from grassroots.access.scope import Scope
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


def export_as(user: Any, org: Any, path: Any) -> int:
    with acting(user, "web"):
        return export_members(org, path, scope=Scope(user))


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
    entry = AuditEntry.objects.filter(action="member.export").get()
    assert (entry.channel, entry.actor_name, entry.org_id) == ("web", "street_admin", cast.street.pk)
    assert entry.changes["extra"]["count"] == 3


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
    with pytest.raises(RuleError, match="full ID numbers of 3"):
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
    assert cli_export(cast.branch_a, path, actor=cast.secretary) == 0
    assert "exported 2 members" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="member.export", channel="cli").count() == 1
    assert cli_export(cast.street, tmp_path / "b.xlsx", actor=cast.auditor) == 1
    assert "full ID numbers" in capsys.readouterr().err


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
