"""Importing a station's register of opinions: every row through `submit_opinion` (so routed, numbered and
given its deadline), all or nothing, a dry run that writes nothing, every error naming its row and column,
Chinese or English headers, .csv or .xlsx, the CLI verb."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from grassroots import cli
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.opinions import services
from grassroots.opinions.importer import COLUMNS, apply_import, plan_import, template_xlsx
from grassroots.opinions.models import Assignment, Opinion, State

from .fixtures import Station

D = dt.date
HEADER = ["收到日期", "反映内容", "类别", "地点", "详细地址", "渠道", "服务点", "反映人", "联系电话", "电子邮箱"]
HISTORY_HEADER = ["办理状态", "答复内容", "答复日期", "办理人", "办理人电话", "满意度评分", "评价日期"]
HEADER_EN = ["received_on", "text", "category", "place", "address", "channel", "outlet", "submitter_name", "phone",
             "email"]


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def good_rows() -> list[list[Any]]:
    return [
        # to the department by its category (code), from the phone line
        ["2024-03-04", "人民路路灯坏了三盏，晚上很黑", "roads", "", "人民路12号", "电话", "", "张华", "138 0013 8001", ""],
        # by the place (name), to branch A; the category by its name
        ["2024/03/05", "楼上漏水多次协商无果", "邻里纠纷", "东风社区", "", "走访", "", "王芳", "13800138002",
         "wf@example.cn"],
        # by the outlet's place (the outlet by its code), to branch A
        ["2024年3月6日", "楼道堆放杂物，存在消防隐患", "neighbours", "", "", "服务点", "OUT-A", "", "", ""],
        # sorted by hand: no department, no place; channel blank: import
        ["2024.03.07", "希望增加社区文化活动", "其他", "", "", "", "", "李四", "", ""],
    ]


def plan_as(user: Any, station: Any, data: bytes, filename: str = "register.csv") -> Any:
    with acting(user, "web"):
        return plan_import(io.BytesIO(data), filename, station=station)


def apply_as(user: Any, plan: Any) -> Any:
    with acting(user, "web"):
        return apply_import(plan)


def errors_of(plan: Any) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in plan.errors}


def test_a_good_register_creates_every_opinion_routed(station: Station, cast: Any) -> None:
    plan = plan_as(cast.street_admin, station.org, csv_bytes(good_rows()))
    assert plan.ok, [str(e) for e in plan.errors]
    applied = apply_as(cast.street_admin, plan)
    assert applied.applied and not applied.errors
    ops = list(Opinion.objects.order_by("received_on"))
    assert [o.received_on for o in ops] == [D(2024, 3, 4), D(2024, 3, 5), D(2024, 3, 6), D(2024, 3, 7)]
    assert [o.number for o in ops] == ["S-2024-0001", "S-2024-0002", "S-2024-0003", "S-2024-0004"]
    roads, dispute, hallway, culture = ops
    # the department by the category
    assert (roads.handler_org, roads.department, roads.state) == (station.org, station.department, State.ASSIGNED)
    assert roads.channel == "phone" and roads.submitter_phone == "13800138001" and roads.address == "人民路12号"
    assert roads.deadline == services.deadline_for(station.roads, D(2024, 3, 4))
    # the branch whose territory holds the place, given by name or by the outlet's place
    assert (dispute.handler_org, dispute.department, dispute.state) == (cast.branch_a, None, State.ASSIGNED)
    assert dispute.territory == station.territory_a and dispute.channel == "visit"
    assert dispute.submitter_email == "wf@example.cn"
    assert (hallway.handler_org, hallway.outlet, hallway.territory) == (cast.branch_a, station.outlet_a,
                                                                        station.territory_a)
    assert hallway.channel == "outlet"
    # no department and no place: it waits, received, at the station
    assert (culture.handler_org, culture.state, culture.channel) == (station.org, State.RECEIVED, "import")
    assert culture.deadline == services.deadline_for(station.other, D(2024, 3, 7))
    assert Assignment.objects.count() == 3
    assert all(o.recorded_by == cast.street_admin and o.tracking_code for o in ops)
    submitted = AuditEntry.objects.filter(action="opinions.submit")
    assert submitted.count() == 4 and set(submitted.values_list("channel", flat=True)) == {"import"}


def test_the_dry_run_writes_nothing_and_shows_where_each_goes(station: Station, cast: Any) -> None:
    plan = plan_as(cast.street_admin, station.org, csv_bytes(good_rows()))
    assert plan.ok and not Opinion.objects.exists() and not AuditEntry.objects.filter(
        action__startswith="opinions.").exclude(action__in=("opinions.department_create", "opinions.category_create",
                                                            "opinions.outlet_create")).exists()
    assert [r.action for r in plan.rows] == ["create"] * 4
    assert [r.goes_to for r in plan.rows] == ["城管办", "第一支部", "第一支部", "to be sorted by the station"]
    assert [r.deadline for r in plan.rows] == [services.deadline_for(station.roads, D(2024, 3, 4)),
                                               services.deadline_for(station.neighbours, D(2024, 3, 5)),
                                               services.deadline_for(station.neighbours, D(2024, 3, 6)),
                                               services.deadline_for(station.other, D(2024, 3, 7))]
    assert plan.rows[0].id_number_masked == "138****8001"  # the masked phone, never the full number
    assert plan.rows[2].place == "东风社区" and plan.rows[2].outlet == "东风社区民情快递站"


def test_importing_the_same_register_again_writes_nothing_twice(station: Station, cast: Any) -> None:
    data = csv_bytes(good_rows())
    assert apply_as(cast.street_admin, plan_as(cast.street_admin, station.org, data)).applied
    again = plan_as(cast.street_admin, station.org, data)
    assert again.ok and [r.action for r in again.rows] == ["unchanged"] * 4
    assert apply_as(cast.street_admin, again).applied
    assert Opinion.objects.count() == 4


def test_every_kind_of_error_names_its_row_and_column(station: Station, cast: Any) -> None:
    tomorrow = (services._today() + dt.timedelta(days=1)).isoformat()
    rows = [
        ["2024-03-04", "路灯坏了", "parking", "", "", "", "", "", "", ""],  # 2: unknown category
        ["2024-03-04", "路灯坏了", "roads", "", "", "", "OUT-Z", "", "", ""],  # 3: unknown outlet
        ["2024-03-04", "路灯坏了", "roads", "火星社区", "", "", "", "", "", ""],  # 4: unknown place
        [tomorrow, "路灯坏了", "roads", "", "", "", "", "", "", ""],  # 5: a future date
        ["2024-03-04", "路灯坏了", "roads", "", "", "", "", "", "12ab", ""],  # 6: a bad phone
        ["2024-03-04", "", "roads", "", "", "", "", "", "", ""],  # 7: no text
        ["2024-13-40", "路灯坏了", "roads", "", "", "", "", "", "", ""],  # 8: not a date
        ["2024-03-04", "路灯坏了", "roads", "", "", "网上", "", "", "", ""],  # 9: unknown channel
        ["2024-03-04", "路灯坏了", "roads", "", "", "", "", "", "", "not-an-email"],  # 10: a bad email
        ["", "路灯坏了", "roads", "", "", "", "", "", "", ""],  # 11: no date
        ["1999-05-01", "路灯坏了", "roads", "", "", "", "", "", "", ""],  # 12: before the station existed
        ["2024-03-04", "路灯坏了", "", "", "", "", "", "", "", ""],  # 13: no category
        ["2024-03-05", "井盖丢了", "roads", "", "", "", "", "", "", ""],  # 14: fine
    ]
    plan = plan_as(cast.street_admin, station.org, csv_bytes(rows))
    assert not plan.ok
    by_row = {e.row: e for e in plan.errors}
    assert errors_of(plan) == {(2, "类别"), (3, "服务点"), (4, "地点"), (5, "收到日期"), (6, "联系电话"), (7, "反映内容"),
                               (8, "收到日期"), (9, "渠道"), (10, "电子邮箱"), (11, "收到日期"), (12, "收到日期"),
                               (13, "类别")}
    assert "unknown category parking" in by_row[2].message and "道路" in by_row[2].message
    assert "unknown outlet OUT-Z" in by_row[3].message and "东风社区民情快递站" in by_row[3].message
    assert "unknown place 火星社区" in by_row[4].message
    assert f"the date {tomorrow} is in the future" == by_row[5].message
    assert "**** is not a phone number" == by_row[6].message  # masked, as the pages
    assert by_row[7].message == "this cell is required"
    assert "is not a date" in by_row[8].message
    assert "unknown channel 网上" in by_row[9].message and "电话" in by_row[9].message
    assert "n*** is not an email address" == by_row[10].message
    assert by_row[11].message == "this cell is required"
    assert "did not exist yet on 1999-05-01" in by_row[12].message
    assert str(by_row[6]) == "row 6, 联系电话: **** is not a phone number"
    assert apply_as(cast.street_admin, plan) is plan and not Opinion.objects.exists()


def test_a_mistyped_phone_or_email_is_masked_in_its_error(station: Station, cast: Any) -> None:
    rows = [["2024-03-04", "路灯坏了", "roads", "", "", "", "", "", "1391234567x", ""],
            ["2024-03-04", "路灯坏了", "roads", "", "", "", "", "", "", "zhangsan@qq"],
            ["2024-03-04", "路灯坏了", "roads", "", "", "", "", "", "", "13912345678"]]  # a phone in the email column
    plan = plan_as(cast.street_admin, station.org, csv_bytes(rows))
    assert [(e.row, e.message) for e in plan.errors] == [
        (2, "139****567x is not a phone number"), (3, "z***@qq is not an email address"),
        (4, "1*** is not an email address")]
    assert not any(v in str(e) for e in plan.errors for v in ("1391234567x", "zhangsan", "13912345678"))


def test_a_place_outside_the_station_or_named_twice_is_an_error(station: Station, cast: Any) -> None:
    from grassroots.orgs.services import territory_create

    with acting(None, "system"):
        elsewhere = territory_create(code="T-X", name="外街", kind="street")
        territory_create(code="T-A2", name="东风社区", kind="community", parent=elsewhere)
        territory_create(code="T-S-G1", name="一组", kind="villager_group", parent=station.territory_a)
        territory_create(code="T-S-G1B", name="一组", kind="villager_group", parent=station.territory_s)
    rows = [
        ["2024-03-04", "路灯坏了", "neighbours", "T-X", "", "", "", "", "", ""],  # outside the station's area
        ["2024-03-04", "路灯坏了", "neighbours", "一组", "", "", "", "", "", ""],  # two places of that name
        ["2024-03-04", "路灯坏了", "neighbours", "东风社区", "", "", "", "", "", ""],  # the station's, not T-A2
        ["2024-03-04", "路灯坏了 ", "neighbours", "T-S-G1", "", "", "", "", "", "13900000000"],
    ]
    plan = plan_as(cast.street_admin, station.org, csv_bytes(rows))
    by_row = {e.row: e.message for e in plan.errors}
    assert errors_of(plan) == {(2, "地点"), (3, "地点"), (5, "电子邮箱")}
    assert "外街 is outside the area of 街道党工委" == by_row[2]
    assert "several places are named 一组: use the code" == by_row[3]


def test_an_error_in_row_5_writes_nothing_of_the_rows_before(station: Station, cast: Any) -> None:
    rows = good_rows()[:3] + [["2024-03-08", "路面塌陷", "roads", "", "", "", "", "", "0871-abc", ""]]
    plan = plan_as(cast.street_admin, station.org, csv_bytes(rows))
    assert [str(e) for e in plan.errors] == ["row 5, 联系电话: 087*-abc is not a phone number"]
    assert not apply_as(cast.street_admin, plan).applied
    assert not Opinion.objects.exists()


def test_a_row_the_service_refuses_while_writing_undoes_the_rows_written(station: Station, cast: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows 2-4 are written, the service refuses row 5: nothing stays, and the error names row 5's column."""
    plan = plan_as(cast.street_admin, station.org, csv_bytes(good_rows()))
    assert plan.ok
    real = services.submit_opinion
    calls: list[int] = []

    def refuse_the_fourth(station_org: Any, **kw: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise RuleError("refused for the test", field="category")
        return real(station_org, **kw)

    monkeypatch.setattr(services, "submit_opinion", refuse_the_fourth)
    result = apply_as(cast.street_admin, plan)
    assert not result.applied
    assert [str(e) for e in result.errors] == ["row 5, 类别: refused for the test"]
    assert len(calls) == 4 and not Opinion.objects.exists() and not Assignment.objects.exists()


def test_a_category_switched_off_after_the_dry_run_is_caught_when_confirming(station: Station, cast: Any) -> None:
    plan = plan_as(cast.street_admin, station.org, csv_bytes(good_rows()))
    assert plan.ok
    station.other.active = False
    station.other.save()
    result = apply_as(cast.street_admin, plan)
    assert not result.applied and [str(e) for e in result.errors] == [
        "row 5, 类别: the category 其他 is no longer in use"]
    assert not Opinion.objects.exists()


def test_english_headers_and_their_errors(station: Station, cast: Any) -> None:
    rows = [r[:] for r in good_rows()]
    rows[0][5] = "phone"
    rows[1][5] = "visit"
    rows[2][5], rows[2][6] = "outlet", "东风社区民情快递站"  # the outlet by its name
    plan = plan_as(cast.street_admin, station.org, csv_bytes(rows, HEADER_EN))
    assert plan.ok, [str(e) for e in plan.errors]
    assert apply_as(cast.street_admin, plan).applied
    assert sorted(Opinion.objects.values_list("channel", flat=True)) == ["import", "outlet", "phone", "visit"]
    assert Opinion.objects.get(channel="outlet").outlet == station.outlet_a
    bad = plan_as(cast.street_admin, station.org,
                  csv_bytes([["2024-03-04", "x", "roads", "", "", "", "", "", "phone?", ""]], HEADER_EN))
    assert [str(e) for e in bad.errors] == ["row 2, phone: ****** is not a phone number"]
    missing = plan_as(cast.street_admin, station.org, csv_bytes([["2024-03-04", "x"]], ["received_on", "text"]))
    assert [str(e) for e in missing.errors] == ["row 1, category: this required column is missing"]


def test_headers_by_alias_in_any_order(station: Station, cast: Any) -> None:
    data = csv_bytes([["东风社区", "王芳", "楼上漏水", "2024-03-05", "邻里纠纷", "13800138002"]],
                     ["村（社区）", "姓名", "反映问题", "受理日期", "问题类别", "手机号码"])
    plan = plan_as(cast.street_admin, station.org, data)
    assert plan.ok, [str(e) for e in plan.errors]
    assert apply_as(cast.street_admin, plan).applied
    o = Opinion.objects.get()
    assert (o.territory, o.submitter_name, o.text, o.handler_org) == (station.territory_a, "王芳", "楼上漏水",
                                                                      cast.branch_a)


def test_an_xlsx_register_with_real_dates_and_numeric_phones(station: Station, cast: Any) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([dt.datetime(2024, 3, 4), "人民路路灯坏了\n已经一周", "roads", None, None, "电话", None, "张华",
               13800138001, None])
    ws.append([D(2024, 3, 5), "楼上漏水", "neighbours", "T-A", None, None, None, None, None, None])
    ws.append([None] * 10)  # a blank row is skipped
    buf = io.BytesIO()
    wb.save(buf)
    plan = plan_as(cast.street_admin, station.org, buf.getvalue(), "register.xlsx")
    assert plan.ok, [str(e) for e in plan.errors]
    assert apply_as(cast.street_admin, plan).applied
    first, second = Opinion.objects.order_by("received_on")
    assert first.text == "人民路路灯坏了\n已经一周" and first.submitter_phone == "13800138001"
    assert second.territory == station.territory_a and second.handler_org == cast.branch_a


def test_the_same_opinion_twice_in_one_file_is_an_error(station: Station, cast: Any) -> None:
    row = ["2024-03-04", "路灯坏了", "roads", "", "", "", "", "张华", "13800138001", ""]
    plan = plan_as(cast.street_admin, station.org, csv_bytes([row, row]))
    assert [str(e) for e in plan.errors] == [
        "row 3, 反映内容: the same opinion (date, text, name and phone) is also on row 2"]


def test_only_those_who_may_enter_for_the_station_may_import(station: Station, cast: Any) -> None:
    for user in (cast.auditor, cast.outsider, cast.member_user):
        with pytest.raises(PermissionDeniedError):
            plan_as(user, station.org, csv_bytes(good_rows()))
    # a branch secretary may enter opinions for the station above (the service's rule)
    assert plan_as(cast.secretary, station.org, csv_bytes(good_rows())).ok


def test_a_station_without_categories_and_a_bad_file(cast: Any) -> None:
    plan = plan_as(cast.street_admin, cast.street, csv_bytes(good_rows()))
    assert [str(e) for e in plan.errors] == ["街道党工委 has no opinion categories yet: set up the station first"]


def test_a_revoked_station_takes_no_register(station: Station, cast: Any) -> None:
    from grassroots.orgs.models import Organization

    Organization.objects.filter(pk=station.org.pk).update(revoked_on=D(2024, 6, 1))
    station.org.refresh_from_db()
    plan = plan_as(cast.street_admin, station.org, csv_bytes(good_rows()))
    assert [str(e) for e in plan.errors] == ["街道党工委 has been revoked"] and not plan.rows


def test_a_bad_file_type(station: Station, cast: Any) -> None:
    plan = plan_as(cast.street_admin, station.org, b"whatever", "register.doc")
    assert plan.errors and plan.errors[0].row == 0 and ".xlsx" in plan.errors[0].message


def test_the_template_holds_the_headers_and_the_station_s_choices(station: Station, cast: Any) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(station.org)))
    sheet, notes = wb.worksheets
    assert [c.value for c in sheet[1]] == [c.zh for c in COLUMNS] == HEADER + HISTORY_HEADER
    accepted = {row[0].value: row[2].value for row in notes.iter_rows(min_row=2)}
    assert "roads 道路" in accepted["类别"] and "neighbours 邻里纠纷" in accepted["类别"]
    assert accepted["服务点"] == "东风社区民情快递站"
    assert "东风社区" in accepted["地点"]
    # the template itself imports cleanly once filled in
    sheet.append(["2024-03-04", "路灯坏了", "道路", "东风社区", "", "电话", "", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    assert plan_as(cast.street_admin, station.org, buf.getvalue(), "filled.xlsx").ok


def test_the_cli_verb(station: Station, cast: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "民情登记.csv"
    path.write_bytes(csv_bytes(good_rows()))
    assert cli.main(["import", "opinions", str(path), "--org", "S", "--dry-run", "--as", "street_admin"]) == 0
    out = capsys.readouterr().out
    assert "would take in 4 opinions, add outcomes or ratings to 0, leave 0 already taken in; nothing was written" in out
    assert "row 2\tcreate\t2024-03-04\t道路\t-\tPhone line\t城管办\tdue " in out
    assert not Opinion.objects.exists()
    assert cli.main(["import", "opinions", str(path), "--org", "S", "--as", "street_admin"]) == 0
    assert "took in 4 opinions, added outcomes or ratings to 0, 0 were already taken in" in capsys.readouterr().out
    assert Opinion.objects.count() == 4
    assert cli.main(["import", "opinions", str(path), "--org", "S", "--as", "auditor"]) == 1
    assert "you may not enter opinions for 街道党工委" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["2024-03-04", "x", "nope", "", "", "", "", "", "", ""]]))
    assert cli.main(["import", "opinions", str(bad), "--org", "S"]) == 1
    err = capsys.readouterr().err
    assert "row 2, 类别: unknown category nope" in err and "1 errors: nothing was written" in err
    with pytest.raises(SystemExit):
        cli.main(["import", "opinions", str(path)])
