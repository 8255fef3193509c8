"""The points pages: totals (printable, .xlsx), the proposals queue (propose, approve and decline in bulk), manual
entries, exemptions, the scheme and the ranking switch, the ranking (absent by default), a member's statement
and opt-in, the import; the links from the organization and member pages; refusals."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.points.models import (
    EntryStatus,
    PointEntry,
    PointExemption,
    PointOptIn,
    PointScheme,
    PointSetting,
)
from grassroots.ui.testing import assert_writes_refused, client_as, counts, import_confirm, import_upload

from .conftest import D, approve_all, ev, propose

pytestmark = pytest.mark.django_db


def _proposed(cast: Any, fake_source: list[Any]) -> list[PointEntry]:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_a2, D(2024, 5, 2)),
                        ev(cast.member, D(2024, 5, 3), item="dues.paid_on_time")])
    return propose(cast.branch_a, 2024, cast.secretary)


def test_the_org_and_member_pages_link_to_points(cast: Any) -> None:
    client = client_as(cast, "secretary")
    assert reverse("points-totals", args=["A"]) in client.get(reverse("org-detail", args=["A"])).content.decode()
    page = client.get(reverse("member-detail", args=[cast.member.pk])).content.decode()
    assert reverse("points-statement", args=[cast.member.pk]) in page


def test_totals_print_and_export(cast: Any, fake_source: list[Any], django_assert_max_num_queries: Any) -> None:
    _proposed(cast, fake_source)
    approve_all(cast.branch_a, cast.secretary)
    client = client_as(cast, "auditor")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("points-totals", args=["G"]), {"year": 2024})
    html = response.content.decode()
    assert response.status_code == 200 and "李明" in html and "赵刚" in html and "63.00" in html
    assert reverse("points-ranking", args=["G"]) not in html
    assert client.get(reverse("points-totals", args=["G"]), {"year": 2024, "all": "1"}).status_code == 200
    sheet = client.get(reverse("points-totals", args=["G"]), {"year": 2024, "format": "xlsx"})
    wb = openpyxl.load_workbook(io.BytesIO(sheet.content))
    values = [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]
    header = values[0]
    [mine] = [row for row in values if row[0] == "李明"]
    assert float(mine[header.index("Total")]) == 63
    entries = client.get(reverse("points-entries", args=["A"]), {"year": 2024, "format": "xlsx"})
    assert entries.status_code == 200 and entries["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_as(cast, "outsider").get(reverse("points-totals", args=["A"])).status_code == 404


def test_the_proposals_queue(cast: Any, fake_source: list[Any]) -> None:
    fake_source.extend([ev(cast.member, D(2024, 5, 1)), ev(cast.member_a2, D(2024, 5, 2))])
    client = client_as(cast, "secretary")
    url = reverse("points-proposals", args=["A"])
    response = client.post(url, {"action": "propose", "year": 2024}, follow=True)
    assert "2 proposals made from the records." in response.content.decode()
    made = list(PointEntry.objects.order_by("id"))
    assert len(made) == 2 and client.get(url).content.decode().count('name="entry"') == 2
    sheet = client.get(url, {"format": "xlsx"})
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0].iter_rows(values_only=True))
    assert {r[1] for r in rows[1:] if r[1]} >= {"李明", "王强"}
    # declining needs a reason: nothing is written
    before = counts()
    response = client.post(url, {"decision": "decline", "reason": "", "entry": [f"{e.pk}:{e.version}" for e in made]})
    assert response.status_code == 400 and counts() == before
    response = client.post(url, {"decision": "approve", "entry": [f"{made[0].pk}:{made[0].version}"]}, follow=True)
    assert "1 proposals approved." in response.content.decode()
    # a stale version (the page was opened before someone else's change) is refused
    response = client.post(url, {"decision": "approve", "entry": [f"{made[1].pk}:{made[1].version + 3}"]})
    assert response.status_code == 400 and PointEntry.objects.get(pk=made[1].pk).status == EntryStatus.PROPOSED
    client.post(url, {"decision": "decline", "reason": "重复记录", "entry": [f"{made[1].pk}:{made[1].version}"]})
    assert PointEntry.objects.get(pk=made[1].pk).status == EntryStatus.DECLINED
    # approve all of the year at once
    fake_source.append(ev(cast.member, D(2024, 8, 1)))
    client.post(url, {"action": "propose", "year": 2024})
    response = client.post(f"{url}?year=2024", {"action": "approve_all"}, follow=True)
    assert "1 proposals approved." in response.content.decode()
    assert not PointEntry.objects.filter(status=EntryStatus.PROPOSED).exists()
    # the auditor sees the queue, may not decide
    auditor = client_as(cast, "auditor")
    assert auditor.get(url).status_code == 200
    assert_writes_refused(client_as(cast, "member"), [(url, {"action": "propose", "year": 2024})], "member")
    assert auditor.post(url, {"action": "propose", "year": 2024}).status_code == 403


def test_manual_entries_from_the_page(cast: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("points-give", args=["A"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"member": cast.member.pk, "item": "manual.pioneer", "day": "2024-07-01",
                                 "points": "", "reason": ""})
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    response = client.post(url, {"member": cast.member.pk, "item": "manual.pioneer", "day": "2024-07-01",
                                 "points": "", "reason": "抗洪抢险"})
    assert response.status_code == 302
    entry = PointEntry.objects.get()
    assert entry.manual and entry.status == EntryStatus.APPROVED and entry.points == 5
    statement = client.get(reverse("points-statement", args=[cast.member.pk]), {"year": 2024}).content.decode()
    assert "抗洪抢险" in statement and "65.00" in statement
    assert_writes_refused(client_as(cast, "auditor"), [(url, {"member": cast.member.pk, "item": "manual.pioneer",
                                                             "day": "2024-07-01", "reason": "x"})], "auditor")


def test_exemptions_from_the_page(cast: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("points-exemptions", args=["A"])
    response = client.post(url, {"member": cast.member.pk, "reason": "sick", "start": "2024-03-01",
                                 "end": "2024-02-01"})
    assert response.status_code == 400 and not PointExemption.objects.exists()
    response = client.post(url, {"member": cast.member.pk, "reason": "sick", "start": "2024-03-01", "end": ""})
    assert response.status_code == 302 and PointExemption.objects.count() == 1
    assert "李明" in client.get(url).content.decode()
    assert client.get(url, {"format": "xlsx"}).status_code == 200
    assert_writes_refused(client_as(cast, "outsider"), [(url, {"member": cast.member.pk, "reason": "sick",
                                                              "start": "2024-03-01"})], "outsider")


def test_the_scheme_page(cast: Any) -> None:
    client = client_as(cast, "secretary")
    url = reverse("points-scheme", args=["A"])
    page = client.get(url)
    assert page.status_code == 200 and "points.default@default" in page.content.decode()
    data = {"action": "scheme", "effective_from": "2024-01-01", "base": "70", "floor": "80", "exempt": ["retired"],
            "meetings__attended__points": "2", "meetings__attended__cap": "24", "manual": "pioneer, 先锋模范, 5, 10"}
    response = client.post(url, data)
    assert response.status_code == 400 and response.context["form"].errors["floor"]
    response = client.post(url, {**data, "floor": "0"})
    assert response.status_code == 302
    scheme = PointScheme.objects.get()
    assert scheme.params["base"] == "70.00" and set(scheme.params["items"]) == {"meetings.attended",
                                                                                 "manual.pioneer"}
    assert client_as(cast, "auditor").post(url, {**data, "floor": "0"}).status_code == 403


def test_the_ranking_is_absent_by_default_and_lists_only_members_who_opted_in(
        cast: Any, fake_source: list[Any]) -> None:
    _proposed(cast, fake_source)
    approve_all(cast.branch_a, cast.secretary)
    secretary = client_as(cast, "secretary")
    ranking = reverse("points-ranking", args=["A"])
    assert secretary.get(ranking).status_code == 404  # absent by default
    assert ranking not in secretary.get(reverse("points-totals", args=["A"])).content.decode()
    # the member opts in on their own statement
    member = client_as(cast, "member")
    response = member.post(reverse("points-statement", args=[cast.member.pk]), {"opted_in": "on"})
    assert response.status_code == 302 and PointOptIn.objects.get(member=cast.member).opted_in
    assert secretary.get(ranking).status_code == 404  # still absent: the branch has not turned it on
    response = secretary.post(reverse("points-scheme", args=["A"]), {"action": "ranking", "enabled": "on",
                                                                      "version": "1"})
    assert response.status_code == 302 and PointSetting.objects.get(org=cast.branch_a).ranking_enabled
    html = secretary.get(ranking, {"year": 2024}).content.decode()
    assert "李明" in html and "王强" not in html  # only the member who opted in
    assert ranking in secretary.get(reverse("points-totals", args=["A"])).content.decode()


def test_a_member_sees_their_own_statement_only(cast: Any, fake_source: list[Any]) -> None:
    _proposed(cast, fake_source)
    member = client_as(cast, "member")
    page = member.get(reverse("points-statement", args=[cast.member.pk]), {"year": 2024})
    assert page.status_code == 200 and "Awaiting approval" in page.content.decode()
    assert member.get(reverse("points-statement", args=[cast.member_a2.pk])).status_code == 404
    assert member.post(reverse("points-statement", args=[cast.member_a2.pk]), {"opted_in": "on"}).status_code == 404
    assert member.get(reverse("points-totals", args=["A"])).status_code == 404
    # the secretary sets the choice on an elderly member's behalf
    secretary = client_as(cast, "secretary")
    assert secretary.post(reverse("points-statement", args=[cast.member_a2.pk]), {"opted_in": "on"}).status_code == 302
    assert client_as(cast, "auditor").post(reverse("points-statement", args=[cast.member_a2.pk]),
                                           {"opted_in": "on"}).status_code == 403


def _sheet(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "项目", "日期", "分值", "理由"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_import_of_manual_entries(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    client = client_as(cast, "secretary")
    url = reverse("points-import", args=["A"])
    bad = _sheet([["李明", cast.member.id_number, "先锋模范", "2024-07-01", "", "抗洪"],
                  ["王强", cast.member_a2.id_number, "不存在", "2024-07-01", "", "x"]])
    response = import_upload(client, url, SimpleUploadedFile("p.xlsx", bad))
    html = response.content.decode()
    assert "unknown item 不存在" in html and not PointEntry.objects.exists()
    good = _sheet([["李明", cast.member.id_number, "先锋模范", "2024-07-01", "", "抗洪"],
                   ["王强", cast.member_a2.id_number, "deduction", "2024-07-02", "2", "无故缺席"]])
    response = import_upload(client, url, SimpleUploadedFile("p.xlsx", good))
    assert response.status_code == 200 and not PointEntry.objects.exists()  # a dry run writes nothing
    done = import_confirm(client, response)
    assert "Imported: 2 entries recorded" in done.content.decode()
    assert sorted(PointEntry.objects.values_list("points", flat=True)) == [-2, 5]
    again = import_confirm(client, import_upload(client, url, SimpleUploadedFile("p.xlsx", good)))
    assert "0 entries recorded, 2 already recorded" in again.content.decode() and PointEntry.objects.count() == 2
    assert client_as(cast, "auditor").get(url).status_code == 403


def test_the_cli_import(cast: Any, tmp_path: Any, capsys: Any) -> None:
    from grassroots import cli

    path = tmp_path / "p.xlsx"
    path.write_bytes(_sheet([["李明", cast.member.id_number, "pioneer", "2024-07-01", "3", "抗洪"]]))
    assert cli.main(["import", "points", str(path), "--org", "A", "--dry-run", "--as", "secretary"]) == 0
    assert "would record 1 points entries" in capsys.readouterr().out and not PointEntry.objects.exists()
    assert cli.main(["import", "points", str(path), "--org", "A", "--as", "secretary"]) == 0
    assert PointEntry.objects.get().points == 3
    path.write_bytes(_sheet([["李明", cast.member.id_number, "pioneer", "2099-07-01", "3", "抗洪"]]))
    assert cli.main(["import", "points", str(path), "--org", "A", "--as", "secretary"]) == 1
    assert "日期" in capsys.readouterr().err
