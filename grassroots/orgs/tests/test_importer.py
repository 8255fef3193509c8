"""The organization and territory import: `grassroots.orgs.importer` (and its `grassroots import orgs` verb)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from conftest import Cast
from grassroots.cli import main
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.orgs import importer
from grassroots.orgs.models import Organization, OrgChange, Territory, TerritoryState
from grassroots.orgs.selectors import holder_of
from grassroots.ui.testing import counts

ORG_HEADERS = ["组织代码", "组织名称", "组织类别", "上级组织代码", "成立日期", "所在地域代码"]
PLACE_HEADERS = ["地域代码", "地域名称", "地域类别", "上级地域代码", "设立日期"]


def workbook(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def plan_as(user: Any, path: Path) -> importer.OrgImportPlan:
    with acting(user, "web"):
        return importer.plan_import(path, path.name)


def import_as(user: Any, path: Path) -> importer.OrgImportPlan:
    with acting(user, "web"):
        plan = importer.plan_import(path, path.name)
        return importer.apply_import(plan) if plan.ok else plan


def errors(plan: importer.OrgImportPlan) -> list[str]:
    return [str(e) for e in plan.errors]


def street(tmp_path: Path) -> Path:
    """A new street from scratch: a title row above each header, parents after their children, kinds by their
    Chinese name and by their code, dates as people type them."""
    orgs = [["青松街道党组织一览表"], [], ORG_HEADERS,
            ["QS-1", "青松社区党支部", "branch", "QS-G", "2019/1/5", "QSC"],
            ["QS-G", "青松第一党总支", "党总支", "QS", "2018年3月1日", None],
            ["QS-2", "机关党支部", "支部", "QS", 20190105, None],
            ["QS", "青松街道党工委", "党工委", None, dt.datetime(2018, 1, 2), "QST"],
            ["QS-1-1", "第一党小组", "party_group", "QS-1", "2019-02-01", None]]
    places = [["地域树"], PLACE_HEADERS,
              ["QSC-1", "一组", "村民小组", "QSC", None],
              ["QSC", "青松社区", "社区", "QST", "2018-06-01"],
              ["QST", "青松街道", "街道", None, None]]
    return workbook(tmp_path / "青松.xlsx", [("组织", orgs), ("地域", places), ("说明", [["组织代码", "必填"]])])


def test_a_street_from_an_empty_tree(cast: Cast, tmp_path: Path) -> None:
    path = street(tmp_path)
    plan = plan_as(cast.admin, path)
    assert plan.ok, errors(plan)
    assert plan.sheet is not None and plan.sheet.header_row == 3 and plan.place_sheet is not None
    assert plan.org_counts == {"create": 5, "update": 0, "unchanged": 0}
    assert plan.place_counts == {"create": 3, "update": 0, "unchanged": 0}
    assert Organization.objects.filter(code__startswith="QS").count() == 0  # a dry run writes nothing
    plan = import_as(cast.admin, path)
    assert plan.applied, errors(plan)
    qs = Organization.objects.get(code="QS")
    assert qs.is_root() and qs.kind == "working_committee" and qs.founded_on == dt.date(2018, 1, 2)
    assert qs.territory is not None and qs.territory.code == "QST"
    branch = Organization.objects.get(code="QS-1")
    assert branch.get_parent().code == "QS-G" and branch.founded_on == dt.date(2019, 1, 5)
    assert branch.territory is not None and branch.territory.code == "QSC"
    assert Organization.objects.get(code="QS-2").founded_on == dt.date(2019, 1, 5)  # 20190105 typed as a number
    assert Organization.objects.get(code="QS-1-1").get_parent() == branch
    assert Territory.objects.get(code="QSC-1").get_parent().code == "QSC"
    assert TerritoryState.objects.get(territory__code="QSC").valid_from == dt.date(2018, 6, 1)
    assert TerritoryState.objects.get(territory__code="QST").valid_from is None  # there before the records
    assert holder_of(Territory.objects.get(code="QSC-1"), dt.date(2020, 1, 1)) == branch
    # Every write went through the services: a dated change and an audit entry on the import channel.
    assert OrgChange.objects.filter(org__code__startswith="QS", kind="create").count() == 5
    created = AuditEntry.objects.filter(action__in=["org.create", "territory.create"], channel="import")
    assert created.filter(actor_id=cast.admin.pk).count() == 8


def test_re_importing_the_same_file_changes_nothing(cast: Cast, tmp_path: Path, capsys: Any) -> None:
    path = street(tmp_path)
    assert import_as(cast.admin, path).applied
    before = counts()
    plan = import_as(cast.admin, path)
    assert plan.ok and plan.org_counts["unchanged"] == 5 and plan.place_counts["unchanged"] == 3
    assert plan.org_counts["create"] == plan.place_counts["create"] == 0
    assert counts() == before and Territory.objects.filter(code__startswith="QS").count() == 3


def test_english_headers_in_a_csv(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text("code,name,kind,parent,founded_on\n"
                    "D,第三支部,Party branch,G,2019-01-05\n"
                    "E,第四支部,general branch,S,2019-01-05\n", encoding="utf-8")
    plan = import_as(cast.street_admin, path)
    assert plan.applied, errors(plan)
    assert Organization.objects.get(code="D").get_parent() == cast.general
    assert Organization.objects.get(code="E").kind == "general_branch"
    entry = AuditEntry.objects.filter(action="org.create").order_by("-id").first()
    assert entry is not None and entry.actor_id == cast.street_admin.pk and entry.channel == "import"


def test_errors_name_the_row_and_the_column_and_nothing_is_written(cast: Cast, tmp_path: Path) -> None:
    path = workbook(tmp_path / "bad.xlsx", [("组织", [
        ORG_HEADERS,
        ["D", "第三支部", "branch", "NOPE", "2019-01-05"],  # row 2: unknown parent
        ["P", "甲", "党支部", "Q", "2019-01-05"],  # rows 3, 4: a circle
        ["Q", "乙", "党总支", "P", "2019-01-05"],
        ["D", "重复", "branch", "G", "2019-01-05"],  # row 5: the code again
        ["F", "第五支部", "branch", "G", "2019-02-30"],  # row 6: no such day
        ["H", "第六支部", "委员会?", "G", "2019-02-01"],  # row 7: unknown kind
        ["I", "小组", "party_group", "S", "2019-02-01"],  # row 8: a party group under a working committee
        ["J", "第七支部", "branch", "G", "1999-02-01"],  # row 9: before G was founded
        ["K", "小组", "party_group", "A", "2019-02-01", "NOPLACE"],  # row 10: no such place
    ])])
    before = counts()
    plan = import_as(cast.admin, path)
    assert not plan.applied and counts() == before
    found = errors(plan)
    assert "row 2, 上级组织代码: no organization with the code NOPE, in this sheet or recorded" in found
    assert any(e.startswith("row 4, 上级组织代码: the parents go round in a circle") or
               e.startswith("row 3, 上级组织代码: the parents go round in a circle") for e in found), found
    assert "row 5, 组织代码: the code D is also on row 2" in found
    assert any(e.startswith("row 6, 成立日期:") and "2019-02-30" in e for e in found), found
    assert any(e.startswith("row 7, 组织类别: unknown kind of organization") and "党支部 (branch)" in e
               for e in found), found
    assert "row 8, 上级组织代码: a Party group cannot stand under a Street Party working committee" in found
    assert any(e.startswith("row 9, 成立日期: founded before its parent") for e in found), found
    assert "row 10, 所在地域代码: no place with the code NOPLACE, in the territory sheet or recorded" in found


def test_an_existing_org_with_another_name_is_an_error_not_a_rename(cast: Cast, tmp_path: Path) -> None:
    path = workbook(tmp_path / "o.xlsx", [("组织", [ORG_HEADERS, ["A", "第一支部（新）", "党支部", "G", "2000-01-01"],
                                                    ["B", "第二支部", "党支部", "G", "2000-01-01"]])])
    plan = plan_as(cast.street_admin, path)
    assert [e.row for e in plan.errors] == [2] and plan.errors[0].column == "组织名称"
    assert "already recorded as 第一支部" in plan.errors[0].message


def test_organizers_import_below_what_they_may_change_only(cast: Cast, tmp_path: Path) -> None:
    top = workbook(tmp_path / "top.xlsx", [("组织", [ORG_HEADERS, ["T", "新街道党工委", "党工委", None, "2019-01-01"]])])
    assert errors(plan_as(cast.street_admin, top)) == [
        "row 2, 上级组织代码: only the site administrator may create a top organization: name its parent"]
    assert plan_as(cast.admin, top).ok
    under_x = workbook(tmp_path / "x.xlsx", [("组织", [ORG_HEADERS, ["D", "第三支部", "党支部", "X", "2019-01-01"]])])
    assert errors(plan_as(cast.street_admin, under_x)) == [
        "row 2, 上级组织代码: no organization with the code X, in this sheet or recorded"]
    under_s = workbook(tmp_path / "s.xlsx", [("组织", [ORG_HEADERS, ["D", "第三支部", "党支部", "S", "2019-01-01"]])])
    assert errors(plan_as(cast.auditor, under_s)) == [
        "row 2, 上级组织代码: you may not add organizations under 街道党工委"]
    assert errors(plan_as(cast.secretary, under_s)) == [
        "row 2, 上级组织代码: no organization with the code S, in this sheet or recorded"]
    assert plan_as(cast.street_admin, under_s).ok


def test_places_need_a_place_the_organizer_holds(cast: Cast, tmp_path: Path) -> None:
    places = workbook(tmp_path / "p.xlsx", [("地域", [PLACE_HEADERS, ["SC", "新社区", "community", "ST", None]])])
    assert errors(plan_as(cast.street_admin, places)) == [
        "row 2, 地域：上级地域代码: no place with the code ST, in this sheet or recorded"]
    with acting(None, "system"):
        from grassroots.orgs.services import territory_create, territory_hold

        st = territory_create(code="ST", name="某街道", kind="street")
        territory_hold(st, holder=cast.street, on=dt.date(2001, 1, 1))
        xt = territory_create(code="XT", name="另一街道", kind="street")
        territory_hold(xt, holder=cast.other_street, on=dt.date(2001, 1, 1))
    assert import_as(cast.street_admin, places).applied
    other = workbook(tmp_path / "o.xlsx", [("地域", [PLACE_HEADERS, ["XC", "外社区", "社区", "XT", None]])])
    assert errors(plan_as(cast.street_admin, other)) == [
        "row 2, 地域：上级地域代码: no place with the code XT, in this sheet or recorded"]
    # A branch given a recorded place of the street's territory, and one outside it.
    orgs = workbook(tmp_path / "b.xlsx", [("组织", [ORG_HEADERS, ["D", "新社区支部", "党支部", "S", "2019-01-01", "SC"],
                                                    ["E", "外社区支部", "党支部", "S", "2019-01-01", "XT"]])])
    assert errors(plan_as(cast.street_admin, orgs)) == [
        "row 3, 所在地域代码: no place with the code XT, in the territory sheet or recorded"]


def test_an_existing_org_is_given_its_place(cast: Cast, tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", [
        ("组织", [ORG_HEADERS, ["S", "街道党工委", "党工委", None, "2000-01-01", "ST"]]),
        ("地域", [PLACE_HEADERS, ["ST", "某街道", "街道", None, None]])])
    plan = import_as(cast.admin, path)
    assert plan.applied and plan.org_counts["update"] == 1, errors(plan)
    assert holder_of(Territory.objects.get(code="ST"), dt.date(2000, 6, 1)) == cast.street
    again = plan_as(cast.admin, path)
    assert again.ok and again.org_counts["unchanged"] == 1 and again.place_counts["unchanged"] == 1


def test_the_cli_verb(cast: Cast, tmp_path: Path, capsys: Any) -> None:
    path = street(tmp_path)
    before = counts()
    assert main(["import", "orgs", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would create 5 organizations and 3 places" in out and counts() == before
    assert main(["import", "orgs", str(path), "--as", "street_admin"]) == 1
    assert "only the site administrator may create a top organization" in capsys.readouterr().err
    assert main(["import", "orgs", str(path)]) == 0
    assert "created 5 organizations and 3 places" in capsys.readouterr().out
    assert Organization.objects.filter(code__startswith="QS").count() == 5


def test_kinds_by_every_common_name() -> None:
    assert importer.org_kind_of("街道党工委") == importer.org_kind_of("working committee") == "working_committee"
    assert importer.org_kind_of("党委") == "committee" and importer.org_kind_of("党总支部") == "general_branch"
    assert importer.org_kind_of("Party group") == "party_group" and importer.org_kind_of("党 支 部") == "branch"
    assert importer.place_kind_of("县（区）") == "county" and importer.place_kind_of("居委会") == "community"
    assert importer.place_kind_of("villager_group") == "villager_group" and importer.place_kind_of("省") is None


def test_files_that_are_not_an_organization_sheet(cast: Cast, tmp_path: Path) -> None:
    roster = Path(__file__).parents[2] / "members" / "tests" / "files" / "roster-title-row.xls"  # an old .xls
    plan = plan_as(cast.admin, roster)
    assert not plan.ok and plan.rows == []
    assert any("this required column is missing" in e.message for e in plan.errors), errors(plan)
    damaged = tmp_path / "d.xls"
    damaged.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "cannot read" in plan_as(cast.admin, damaged).errors[0].message
    other = tmp_path / "o.pdf"
    other.write_bytes(b"%PDF")
    assert "unsupported file type" in plan_as(cast.admin, other).errors[0].message


def test_a_csv_of_places_with_english_headers(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("code,name,kind,parent,since\n"
                    "T-1,一组,villager group,T,2019.3.1\n"
                    "T,青松村,village,,\n", encoding="utf-8")
    plan = import_as(cast.admin, path)
    assert plan.applied and plan.place_counts["create"] == 2 and plan.sheet is None, errors(plan)
    assert Territory.objects.get(code="T-1").get_parent().code == "T"
    assert TerritoryState.objects.get(territory__code="T-1").valid_from == dt.date(2019, 3, 1)
    path.write_text("code,name,kind,parent,since\nT-1,二组,villager group,T,\n", encoding="utf-8")
    plan = plan_as(cast.admin, path)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "地域：name")], errors(plan)  # a renamed place


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CELLS = st.one_of(st.none(), st.text(max_size=12).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)), st.integers(-5, 30000000), st.sampled_from(
    ["S", "G", "A", "X", "党支部", "branch", "党小组", "community", "2019-01-05", "2019-02-30", "ST", ""]))


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=6),
       places=st.lists(st.lists(CELLS, min_size=0, max_size=6), max_size=4))
def test_any_cells_give_a_plan_or_errors_and_a_dry_run_writes_nothing(cast: Cast, tmp_path: Path, rows: Any,
                                                                         places: Any) -> None:
    path = workbook(tmp_path / "f.xlsx", [("组织", [ORG_HEADERS, *rows]), ("地域", [PLACE_HEADERS, *places])])
    before = counts()
    plan = plan_as(cast.street_admin, path)
    assert plan.ok or plan.errors
    assert all(e.row >= 0 and e.message for e in plan.errors)
    assert counts() == before


@FUZZ
@given(rows=st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=6),
       places=st.lists(st.lists(CELLS, min_size=0, max_size=6), max_size=4))
def test_a_clean_dry_run_is_what_the_import_writes(cast: Cast, tmp_path: Path, rows: Any, places: Any) -> None:
    path = workbook(tmp_path / "f.xlsx", [("组织", [ORG_HEADERS, *rows]), ("地域", [PLACE_HEADERS, *places])])
    for user in (cast.street_admin, cast.admin):
        dry = plan_as(user, path)
        before = counts()
        plan = import_as(user, path)
        assert plan.applied == dry.ok, (errors(dry), errors(plan))
        if not plan.applied:
            assert counts() == before
