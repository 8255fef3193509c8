"""Member import: reading .csv/.xlsx, checking every row, writing all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.core.models import AuditEntry
from grassroots.members import importer
from grassroots.members.importer import apply_import, cli_import, plan_import
from grassroots.members.models import Member
from grassroots.members.services import member_create

ZH = ["姓名", "性别", "民族", "出生日期", "身份证号", "学历", "人员类别", "入党时间", "转正时间", "所在党组织",
      "联系电话"]
EN = ["name", "sex", "ethnicity", "birth_date", "id_number", "education", "occupation", "joined_on",
      "converted_on", "org_code", "phone"]
BIRTH = dt.date(1990, 5, 6)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The cast creates six users; the default hasher makes that take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def new_id(seq: int, birth: dt.date = BIRTH) -> str:
    return idnumber.make("110101", birth, seq)


def row(seq: int, **over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"姓名": f"张{seq}", "性别": "男", "民族": "汉族", "出生日期": "",
                              "身份证号": new_id(seq), "学历": "本科", "人员类别": "在岗职工",
                              "入党时间": "2015-07-01", "转正时间": "2016-07-01", "所在党组织": "A",
                              "联系电话": "13900000000"}
    values.update(over)
    return values


def write_csv(path: Path, rows: list[dict[str, Any]], heads: list[str] = ZH, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(heads)
    for r in rows:
        writer.writerow([r.get(h, "") for h in heads])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]], heads: list[str] = ZH) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(heads)
    for r in rows:
        ws.append([r.get(h) for h in heads])
    wb.save(path)
    return path


def plan_as(user: Any, path: Path, **kw: Any) -> importer.ImportPlan:
    with acting(user, "web"):
        return plan_import(path, path.name, **kw)


def apply_as(user: Any, plan: importer.ImportPlan) -> importer.ImportPlan:
    with acting(user, "web"):
        return apply_import(plan)


def totals() -> tuple[int, int]:
    return Member.objects.count(), AuditEntry.objects.count()


# --- happy paths ---------------------------------------------------------------------------------------


def test_csv_creates_members_with_labels_and_derived_fields(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [
        row(1),
        row(2, 性别="女", 学历="大专", 人员类别="离退休人员", 转正时间="", 民族="回族"),
        row(3, 学历="研究生", 入党时间="2019/12/31", 转正时间="2020年12月31日"),
    ])
    plan = plan_as(cast.secretary, path)
    assert plan.ok, plan.errors
    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0}
    assert [r.row for r in plan.rows] == [2, 3, 4]
    assert plan.rows[0].id_number_masked == idnumber.mask(new_id(1))
    assert Member.objects.filter(id_number=new_id(1)).count() == 0  # planning writes nothing

    done = apply_as(cast.secretary, plan)
    assert done.applied and done.ok
    m1 = Member.objects.get(id_number=new_id(1))
    assert (m1.org, m1.sex, m1.education, m1.occupation, m1.status) == (cast.branch_a, "M", "bachelor",
                                                                        "in_service", "full")
    assert m1.birth_date == BIRTH  # blank birth date: taken from the ID number
    assert m1.converted_on == dt.date(2016, 7, 1)
    m2 = Member.objects.get(id_number=new_id(2))
    assert (m2.sex, m2.education, m2.occupation, m2.status, m2.ethnicity) == ("F", "college", "retired",
                                                                             "probationary", "回族")
    assert m2.converted_on is None
    m3 = Member.objects.get(id_number=new_id(3))
    assert (m3.education, m3.joined_on, m3.converted_on) == ("postgraduate", dt.date(2019, 12, 31),
                                                             dt.date(2020, 12, 31))
    entries = AuditEntry.objects.filter(action="member.create", object_id__in=[m1.pk, m2.pk, m3.pk])
    assert entries.count() == 3
    assert {(e.channel, e.actor_name) for e in entries} == {("import", "secretary")}


def test_xlsx_with_excel_date_cells_english_headers_and_codes(cast: Any, tmp_path: Path) -> None:
    rows = [
        {"name": "Li", "sex": "female", "ethnicity": "汉族", "birth_date": BIRTH, "id_number": new_id(11),
         "education": "bachelor", "occupation": "in_service", "joined_on": dt.datetime(2015, 7, 1),
         "converted_on": dt.date(2016, 7, 1), "org_code": "A", "phone": 13900000000, "status": "full"},
        {"name": "Wu", "sex": "M", "id_number": new_id(12), "education": "high_school",
         "occupation": "farmer", "joined_on": 42186, "org_code": "第一支部", "status": "probationary"},
    ]
    path = write_xlsx(tmp_path / "m.xlsx", rows, heads=[*EN, "status"])
    plan = plan_as(cast.street_admin, path)
    assert plan.ok, plan.errors
    done = apply_as(cast.street_admin, plan)
    assert done.applied
    li = Member.objects.get(id_number=new_id(11))
    assert (li.sex, li.joined_on, li.converted_on, li.phone) == ("F", dt.date(2015, 7, 1),
                                                                 dt.date(2016, 7, 1), "13900000000")
    wu = Member.objects.get(id_number=new_id(12))
    # 42186 is the Excel serial number of 2015-07-01; the org was named by its exact name
    assert (wu.joined_on, wu.org, wu.status, wu.occupation) == (dt.date(2015, 7, 1), cast.branch_a,
                                                                "probationary", "farmer")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-8"])
def test_csv_encodings(cast: Any, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "m.csv", [row(21, 姓名="欧阳娜娜", 民族="维吾尔族")], encoding=encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # really not UTF-8
    plan = plan_as(cast.secretary, path)
    assert plan.ok, plan.errors
    assert plan.rows[0].name == "欧阳娜娜"
    apply_as(cast.secretary, plan)
    assert Member.objects.get(id_number=new_id(21)).ethnicity == "维吾尔族"


def test_default_org_code_fills_a_missing_org_column(cast: Any, tmp_path: Path) -> None:
    heads = [h for h in ZH if h != "所在党组织"]
    path = write_csv(tmp_path / "m.csv", [row(31)], heads=heads)
    missing = plan_as(cast.secretary, path)
    assert [(e.row, e.column) for e in missing.errors] == [(1, "所在党组织")]
    plan = plan_as(cast.secretary, path, default_org_code="A")
    assert plan.ok and plan.rows[0].org_code == "A"


# --- row errors ----------------------------------------------------------------------------------------

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
BAD_CHECK = new_id(41)[:17] + ("0" if new_id(41)[17] != "0" else "1")


@pytest.mark.parametrize(("over", "column", "fragment"), [
    ({"身份证号": BAD_CHECK}, "身份证号", "bad check digit"),
    ({"身份证号": ""}, "身份证号", "required"),
    ({"身份证号": "12345"}, "身份证号", "18 characters"),
    ({"所在党组织": "NOPE"}, "所在党组织", "unknown organization"),
    ({"所在党组织": "A1"}, "所在党组织", "not a Party group"),
    ({"入党时间": FUTURE, "转正时间": ""}, "入党时间", "in the future"),
    ({"转正时间": FUTURE}, "转正时间", "in the future"),
    ({"转正时间": "2015-07-01"}, "转正时间", "not after joining"),
    ({"转正时间": "2015-06-01"}, "转正时间", "not after joining"),
    ({"入党时间": "2008-05-05", "转正时间": "2009-05-05"}, "入党时间", "before turning 18"),
    ({"性别": "未知"}, "性别", "unknown sex"),
    ({"学历": "幼儿园"}, "学历", "unknown education"),
    ({"人员类别": "宇航员"}, "人员类别", "unknown occupation"),
    ({"出生日期": "1991-01-01"}, "出生日期", "does not match the ID number"),
    ({"入党时间": "明年"}, "入党时间", "is not a date"),
    ({"入党时间": "2015-02-30"}, "入党时间", "is not a date"),
    ({"姓名": ""}, "姓名", "required"),
    ({"联系电话": "call me"}, "联系电话", "not a phone number"),
])
def test_row_errors_name_row_column_and_reason(cast: Any, tmp_path: Path, over: dict[str, Any], column: str,
                                               fragment: str) -> None:
    path = write_csv(tmp_path / "m.csv", [row(40), row(41, **over), row(42)])
    before = totals()
    plan = plan_as(cast.street_admin, path)
    assert not plan.ok
    assert [(e.row, e.column) for e in plan.errors] == [(3, column)]
    assert fragment in plan.errors[0].message
    assert str(plan.errors[0]).startswith(f"row 3, {column}: ")
    assert apply_as(cast.street_admin, plan).errors == plan.errors
    assert totals() == before


def test_bad_check_digit_message(cast: Any, tmp_path: Path) -> None:
    good = new_id(43)
    wrong = "X" if good[17] != "X" else "0"
    path = write_csv(tmp_path / "m.csv", [row(43, 身份证号=good[:17] + wrong)])
    (error,) = plan_as(cast.street_admin, path).errors
    assert str(error) == f"row 2, 身份证号: bad check digit: {wrong}, expected {good[17]}"


def test_probationary_status_with_conversion_date(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [{**row(44), "党员状态": "预备党员"}], heads=[*ZH, "党员状态"])
    (error,) = plan_as(cast.street_admin, path).errors
    assert (error.row, error.column) == (2, "党员状态")


def test_id_number_stored_as_excel_number_gets_a_hint(cast: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [row(45, 身份证号=float(new_id(45)[:17] + "1"))])
    (error,) = plan_as(cast.street_admin, path).errors
    assert error.column == "身份证号" and "format the column as text" in error.message


def test_same_id_number_twice_in_the_file(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [row(50), row(51), row(52), row(51, 姓名="另一人")])
    plan = plan_as(cast.street_admin, path)
    assert [(e.row, e.column) for e in plan.errors] == [(5, "身份证号")]
    assert "row 3" in plan.errors[0].message


@pytest.mark.parametrize(("heads", "missing"), [
    ([h for h in ZH if h != "入党时间"], "入党时间"),
    ([h for h in ZH if h != "身份证号"], "身份证号"),
    ([h for h in EN if h != "education"], "education"),
])
def test_missing_required_column_is_one_error_on_row_1(cast: Any, tmp_path: Path, heads: list[str],
                                                       missing: str) -> None:
    english = {zh: en for zh, en in zip(ZH, EN, strict=True)}
    rows = [row(60), row(61)]
    if heads[0] == "name":
        rows = [{english[k]: v for k, v in r.items()} for r in rows]
    plan = plan_as(cast.street_admin, write_csv(tmp_path / "m.csv", rows, heads=heads))
    assert [(e.row, e.column) for e in plan.errors] == [(1, missing)]
    assert plan.rows == []


def test_unreadable_files_are_errors_not_exceptions(cast: Any, tmp_path: Path) -> None:
    bad = tmp_path / "m.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is no workbook")
    assert "cannot read" in str(plan_as(cast.admin, bad).errors[0])
    assert not plan_as(cast.admin, tmp_path / "absent.csv").ok
    old = tmp_path / "m.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "cannot read" in plan_as(cast.admin, old).errors[0].message  # a damaged .xls (real ones are read)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert plan_as(cast.admin, empty).errors[0].row == 1


# --- scope -------------------------------------------------------------------------------------------


def test_secretary_of_a_cannot_import_into_b(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [row(70), row(71, 所在党组织="B")])
    before = totals()
    plan = plan_as(cast.secretary, path)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "所在党组织")]
    assert "outside" in plan.errors[0].message
    assert apply_as(cast.secretary, plan).applied is False
    assert totals() == before
    # the same file is fine for the street's organizer
    assert plan_as(cast.street_admin, path).ok


def test_secretary_cannot_touch_a_member_of_b_through_its_id_number(cast: Any, tmp_path: Path) -> None:
    mb = cast.member_b
    path = write_csv(tmp_path / "m.csv", [row(72, 身份证号=mb.id_number, 姓名="改名", 所在党组织="A")])
    (error,) = plan_as(cast.secretary, path).errors
    assert (error.row, error.column) == (2, "身份证号")


# --- updates --------------------------------------------------------------------------------------------


def _row_of(m: Member, **over: Any) -> dict[str, Any]:
    values = {"姓名": m.name, "性别": "男" if m.sex == "M" else "女", "民族": m.ethnicity,
              "出生日期": m.birth_date.isoformat(), "身份证号": m.id_number, "学历": m.education,
              "人员类别": m.occupation, "入党时间": m.joined_on.isoformat(),
              "转正时间": m.converted_on.isoformat() if m.converted_on else "", "所在党组织": m.org.code,
              "联系电话": m.phone}
    values.update(over)
    return values


def test_update_changes_static_fields_and_education(cast: Any, tmp_path: Path) -> None:
    m = cast.member
    path = write_csv(tmp_path / "m.csv", [_row_of(m, 学历="研究生", 联系电话="13711112222"),
                                          _row_of(cast.member_a2)])
    plan = plan_as(cast.secretary, path)
    assert plan.ok, plan.errors
    assert plan.counts == {"create": 0, "update": 1, "unchanged": 1}
    assert plan.rows[0].changes == {"phone": ("138****8000", "137****2222"),  # masked like the pages
                                    "education": ("bachelor", "postgraduate")}
    done = apply_as(cast.secretary, plan)
    assert done.applied
    m.refresh_from_db()
    assert (m.education, m.phone) == ("postgraduate", "13711112222")
    entry = AuditEntry.objects.filter(action="member.update", object_id=str(m.pk)).get()
    assert entry.channel == "import"
    assert entry.changes["after"]["education"] == "postgraduate"


@pytest.mark.parametrize(("over", "column"), [
    ({"入党时间": "2005-08-01"}, "入党时间"),
    ({"转正时间": "2006-08-01"}, "转正时间"),
    ({"转正时间": ""}, "转正时间"),
    ({"所在党组织": "B"}, "所在党组织"),
])
def test_dates_and_org_of_an_existing_member_are_events_not_updates(cast: Any, tmp_path: Path,
                                                                    over: dict[str, Any], column: str) -> None:
    path = write_csv(tmp_path / "m.csv", [_row_of(cast.member, **over)])
    plan = plan_as(cast.street_admin, path)
    assert [(e.row, e.column) for e in plan.errors] == [(2, column)]
    assert "transfer or an event" in plan.errors[0].message


def test_importing_the_same_file_twice_changes_nothing(cast: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [row(80), row(81, 转正时间=""), _row_of(cast.member, 学历="大专")])
    first = apply_as(cast.secretary, plan_as(cast.secretary, path))
    assert first.applied and first.counts == {"create": 2, "update": 1, "unchanged": 0}
    before = totals()
    again = plan_as(cast.secretary, path)
    assert again.ok and again.counts == {"create": 0, "update": 0, "unchanged": 3}
    second = apply_as(cast.secretary, again)
    assert second.applied and second.counts["unchanged"] == 3
    assert totals() == before  # no members and no audit entries


# --- all or nothing ------------------------------------------------------------------------------------


def test_five_good_rows_and_one_bad_write_nothing(cast: Any, tmp_path: Path) -> None:
    rows = [row(90 + i) for i in range(5)] + [row(95, 学历="不知道")]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    before = totals()
    plan = plan_as(cast.street_admin, path)
    assert len(plan.rows) == 5 and len(plan.errors) == 1 and plan.errors[0].row == 7
    result = apply_as(cast.street_admin, plan)
    assert not result.applied and result.errors
    assert totals() == before


def test_apply_rechecks_against_the_roster_of_now(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [row(100), row(101), row(102)])
    plan = plan_as(cast.street_admin, path)
    assert plan.ok
    with acting(None, "system"):  # meanwhile someone enters row 4's person in B
        member_create(name="别人", sex="M", birth_date=BIRTH, id_number=new_id(102), education="bachelor",
                      occupation="in_service", org=cast.branch_b, joined_on=dt.date(2015, 7, 1))
    before = totals()
    result = apply_as(cast.street_admin, plan)
    assert not result.applied
    assert {(e.row, e.column) for e in result.errors} == {(4, "所在党组织"), (4, "转正时间")}
    assert totals() == before


def test_a_failure_while_writing_rolls_back_the_rows_already_written(cast: Any, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = importer.member_create
    calls = []

    def flaky(**kw: Any) -> Member:
        calls.append(kw["id_number"])
        if len(calls) == 3:
            raise RuleError("the phone line went down", field="phone")
        return real(**kw)

    monkeypatch.setattr(importer, "member_create", flaky)
    path = write_csv(tmp_path / "m.csv", [row(110 + i) for i in range(4)])
    before = totals()
    result = apply_as(cast.street_admin, plan_as(cast.street_admin, path))
    assert len(calls) == 3  # two members were written before the failure...
    assert not result.applied
    assert [(e.row, e.column, e.message) for e in result.errors] == [(4, "联系电话", "the phone line went down")]
    assert totals() == before  # ...and rolled back


# --- the CLI ---------------------------------------------------------------------------------------------


def test_cli_dry_run_prints_the_plan_and_writes_nothing(cast: Any, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "m.csv", [row(120), _row_of(cast.member, 学历="高中")])
    before = totals()
    assert cli_import(path, org_code=None, dry_run=True, actor=cast.secretary) == 0
    out = capsys.readouterr().out
    assert idnumber.mask(new_id(120)) in out and "张120" in out
    assert "education: bachelor -> high_school" in out
    assert "would create 1, update 1, leave 0 unchanged" in out
    assert totals() == before


def test_cli_writes_and_reports_counts(cast: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "m.csv", [row(121), row(122)], heads=[h for h in ZH if h != "所在党组织"])
    assert cli_import(path, org_code="B", dry_run=False, actor=None) == 0
    assert "created 2, updated 0, unchanged 0" in capsys.readouterr().out
    assert Member.objects.filter(id_number__in=[new_id(121), new_id(122)], org=cast.branch_b).count() == 2
    assert set(AuditEntry.objects.filter(action="member.create").values_list("channel", flat=True)) >= {"import"}


def test_cli_errors_go_to_stderr_and_return_1(cast: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "m.csv", [row(123), row(124, 所在党组织="B")])
    before = totals()
    assert cli_import(path, org_code=None, dry_run=False, actor=cast.secretary) == 1
    err = capsys.readouterr().err
    assert "row 3, 所在党组织: " in err
    assert totals() == before


# --- fuzz --------------------------------------------------------------------------------------------------

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=2000), ext=st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ""]))
def test_random_bytes_never_raise(cast: Any, data: bytes, ext: str) -> None:
    before = totals()
    with acting(cast.secretary, "web"):
        plan = plan_import(io.BytesIO(data), "upload" + ext)
    assert isinstance(plan.errors, list)
    assert totals() == before


garbage = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(["男", "女", "本科", "A", "B", "C", "G", "S", "A1", "正式党员", "2019年2月30日", "9999-12-31"]),
)


@FUZZ
@given(column=st.sampled_from([*ZH, "党员状态", "党小组"]), value=garbage, target=st.integers(0, 2),
       as_xlsx=st.booleans())
def test_garbage_cells_give_errors_and_never_partial_writes(cast: Any, tmp_path_factory: pytest.TempPathFactory,
                                                           column: str, value: Any, target: int,
                                                           as_xlsx: bool) -> None:
    heads = [*ZH, "党员状态", "党小组"]
    rows = [row(130 + i) for i in range(3)]
    if isinstance(value, str) and as_xlsx:
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    rows[target][column] = value
    folder = tmp_path_factory.mktemp("fuzz")
    path = write_xlsx(folder / "m.xlsx", rows, heads) if as_xlsx else write_csv(folder / "m.csv", rows, heads)
    before = totals()
    plan = plan_as(cast.street_admin, path)
    assert totals() == before
    assert all(isinstance(e.row, int) and e.row >= 1 for e in plan.errors)
    result = apply_as(cast.street_admin, plan)
    members_after = Member.objects.count()
    if result.applied:
        assert members_after == before[0] + result.counts["create"]
    else:
        assert result.errors and totals() == before


# --- rosters as secretaries have them (issue 12) -------------------------------------------------------

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_a_roster_with_a_title_row_full_width_digits_and_common_labels(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["第一支部党员花名册", "", ""])  # a title row
    writer.writerow([])  # and a blank row above the header
    writer.writerow(ZH)
    rows = [row(1, 人员类别="自由职业者"), row(2, 人员类别="未就业高校毕业生", 学历="硕士"),
            row(3, 人员类别="灵活就业", 性别="女性", 入党时间="２０１５－０７－０１")]
    for r in rows:
        r = dict(r, 身份证号=r["身份证号"].translate(FULL), 联系电话="１３９ ０００　００００")
        writer.writerow([r.get(h, "") for h in ZH])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    plan = plan_as(cast.secretary, path)
    assert plan.ok, plan.errors
    assert plan.sheet is not None and plan.sheet.header_row == 3
    assert [r.row for r in plan.rows] == [4, 5, 6]  # numbered as the spreadsheet numbers them
    assert apply_as(cast.secretary, plan).applied
    stored = {m.id_number: m for m in Member.objects.filter(name__in=["张1", "张2", "张3"])}
    assert set(stored) == {new_id(1), new_id(2), new_id(3)}  # stored in ASCII
    assert {m.occupation for m in stored.values()} == {"freelance", "unemployed_or_demobilized"}
    assert stored[new_id(3)].phone == "139 000 0000" and stored[new_id(3)].sex == "F"
    # The same people typed in ASCII: nothing changes, nobody is counted twice.
    again = plan_as(cast.secretary, write_csv(tmp_path / "ascii.csv", [dict(r, 联系电话="139 000 0000")
                                                                       for r in rows]))
    assert again.ok, again.errors
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3}


def test_a_header_row_missing_a_column_is_named_where_it_was_found(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    heads = [h for h in ZH if h != "学历"]
    path.write_text("名册\n\n" + ",".join(heads) + "\n", encoding="utf-8")
    plan = plan_as(cast.secretary, path)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "学历")]


def test_an_old_xls_workbook_is_read(cast: Any) -> None:
    path = Path(__file__).parent / "files" / "roster-title-row.xls"  # Excel 97-2003, a title row, real dates
    plan = plan_as(cast.secretary, path)
    assert plan.ok, plan.errors
    assert plan.sheet is not None and plan.sheet.header_row == 3
    assert [(r.name, r.action) for r in plan.rows] == [("赵一", "create"), ("钱二", "create")]
    assert plan.rows[0].values["joined_on"] == dt.date(2015, 7, 1)
    assert plan.rows[0].values["occupation"] == "freelance" and plan.rows[1].values["education"] == "bachelor"


def test_cell_labels_are_rules_data_and_every_code_is_a_choice() -> None:
    """The labels live in the rule `members.labels` (rules/data/members.json); each names a real choice, no label
    means two values, and the export writes the first one."""
    import datetime as _dt

    from grassroots.members import headers
    from grassroots.members.models import Education, Occupation, Sex, Status
    from grassroots.rules.registry import in_force

    rule = in_force("members.labels", _dt.date.today())
    for field, choices in (("sex", Sex), ("education", Education), ("occupation", Occupation), ("status", Status)):
        assert set(rule[field]) == set(choices.values), field
        seen: dict[str, str] = {}
        for code, names in rule[field].items():
            for name in names:
                assert seen.setdefault(headers.norm(name), code) == code, (field, name)
                assert headers.code_for(field, name) == code
            assert headers.zh_label(field, code) == names[0]
    assert headers.code_for("occupation", "自由职业者") == "freelance"
    assert headers.code_for("occupation", "未就业高校毕业生") == "unemployed_or_demobilized"
    assert headers.code_for("education", "学士") == "bachelor"
