"""The .xlsx exports of the list pages: `?format=xlsx` gives exactly the rows of the filtered page (all its pages),
with the page's columns, masked ID numbers and phones, the filters on a sheet of their own, and the page's scope
(an organization out of reach is a 404, as the page is)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.dues import services as dues_services
from grassroots.meetings import services as meeting_services
from grassroots.meetings.models import Meeting
from grassroots.members.models import Member, Transfer
from grassroots.members.transfers import transfer_request
from grassroots.recruitment.models import Candidate
from grassroots.recruitment.tests.factories import make_activist, make_applicant, make_probationary
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db


# --- reading a workbook ----------------------------------------------------------------------------

def workbook(response: Any) -> Any:
    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def sheet(response: Any) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """The first sheet's headers and rows; the header row is frozen."""
    ws = workbook(response).worksheets[0]
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def filters(response: Any) -> dict[str, Any]:
    wb = workbook(response)
    assert wb.sheetnames[-1] == "Filters"
    return {r[0]: r[1] for r in list(wb["Filters"].iter_rows(values_only=True))[1:]}


def every_cell(response: Any) -> str:
    wb = workbook(response)
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


def assert_masked(response: Any, cast: Cast) -> None:
    cells = every_cell(response)
    for m in (cast.member, cast.member_a2, cast.member_b, cast.member_c):
        assert m.id_number not in cells
        assert m.phone not in cells


def column(headers: list[Any], rows: list[tuple[Any, ...]], name: str) -> list[Any]:
    return [r[headers.index(name)] for r in rows]


def html(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def ids(page: str, attribute: str) -> list[int]:
    return [int(v) for v in re.findall(rf'{attribute}="(\d+)"', page)]


# --- the members table of an organization ------------------------------------------------------------

def test_members_export_has_the_filtered_rows_of_every_page_masked(cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("org-detail", args=["S"])
    page = html(client.get(url, {"q": "李"}))
    shown = set(re.findall(r'<a href="/members/(\d+)/">', page))
    assert shown == {str(cast.member.pk)}
    assert '?q=%E6%9D%8E&amp;format=xlsx" id="members-export-xlsx"' in page

    response = client.get(url, {"q": "李", "format": "xlsx", "page": "2"})
    assert re.search(r'filename="members-S-\d{8}\.xlsx"', response["Content-Disposition"])
    headers, rows = sheet(response)
    assert headers == ["Name", "Sex", "ID number", "Status", "Standing", "Organization", "Joined on"]
    assert column(headers, rows, "Name") == ["李明"]
    assert rows[0][2] == cast.member.id_number_masked and rows[0][5] == cast.branch_a.name
    assert rows[0][6] == dt.datetime(2005, 7, 1)
    assert filters(response)["Name"] == "李"
    assert_masked(response, cast)

    everyone = sheet(client.get(url, {"format": "xlsx"}))
    assert sorted(column(everyone[0], everyone[1], "Name")) == sorted(["李明", "王强", "赵刚"])  # not C's 孙丽


def test_members_export_has_all_pages(cast: Cast) -> None:
    from conftest import make_member

    with acting(None, "system"):
        for i in range(52):
            make_member(cast.branch_b, name=f"成员{i:02d}")
    client = client_as(cast, "street_admin")
    url = reverse("org-detail", args=["B"])
    page = html(client.get(url, {"q": "成员"}))
    assert len(re.findall(r'<a href="/members/\d+/">', page)) == 50  # one page of 50
    headers, rows = sheet(client.get(url, {"q": "成员", "format": "xlsx"}))
    expected = set(Member.objects.filter(org=cast.branch_b, name__startswith="成员").values_list("name", flat=True))
    assert len(rows) == 52 and set(column(headers, rows, "Name")) == expected


@pytest.mark.parametrize(("role", "code"), [("secretary", "B"), ("outsider", "A"), ("member", "A")])
def test_members_export_outside_the_scope_is_a_404(cast: Cast, role: str, code: str) -> None:
    client = client_as(cast, role)
    url = reverse("org-detail", args=[code])
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "xlsx"}).status_code == 404


# --- the audit log ---------------------------------------------------------------------------------

def test_audit_export_has_the_filtered_rows_of_every_page(cast: Cast) -> None:
    with acting(None, "system"):
        for i in range(55):
            audit.record("test.bulk", org_id=cast.branch_a.pk, object_type="test.thing", object_id=i,
                         object_repr=f"thing {i}")
        audit.record("test.bulk", org_id=cast.branch_c.pk, object_type="test.thing", object_id=999,
                     object_repr="thing in C")
    client = client_as(cast, "secretary")
    page = html(client.get(reverse("audit-log"), {"action": "test.bulk"}))
    assert page.count("<code>test.bulk</code>") == 50  # the first page
    assert 'href="?action=test.bulk&amp;format=xlsx" id="export-xlsx"' in page
    response = client.get(reverse("audit-log"), {"action": "test.bulk", "format": "xlsx"})
    headers, rows = sheet(response)
    assert headers[:5] == ["When", "Who", "Channel", "Action", "Object"]
    assert sorted(int(v) for v in column(headers, rows, "Object ID")) == list(range(55))  # not C's
    assert set(column(headers, rows, "Action")) == {"test.bulk"}
    assert filters(response)["Action"] == "test.bulk"
    assert re.search(r'filename="audit-log-\d{8}\.xlsx"', response["Content-Disposition"])

    outsider = sheet(client_as(cast, "outsider").get(reverse("audit-log"), {"action": "test.bulk",
                                                                               "format": "xlsx"}))
    assert column(outsider[0], outsider[1], "Object") == ["thing in C"]


def test_audit_export_keeps_the_logs_masking(cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    response = client.get(reverse("audit-log"), {"action": "member.create", "format": "xlsx"})
    headers, rows = sheet(response)
    expected = {str(m.pk) for m in (cast.member, cast.member_a2, cast.member_b)}
    page = html(client.get(reverse("audit-log"), {"action": "member.create"}))
    assert {i for i in expected if f"members.member #{i}" in page} == expected
    assert set(column(headers, rows, "Object ID")) == expected
    assert_masked(response, cast)
    assert cast.member.id_number_masked in every_cell(response)
    assert AuditEntry.objects.filter(action="member.create").count() == 4  # C's is not in S's log


# --- the recruitment pipeline ------------------------------------------------------------------------

@pytest.fixture
def people(cast: Cast) -> dict[str, Candidate]:
    D = dt.date
    with acting(None, "system"):
        return {
            "applicant": make_applicant(cast.branch_a, applied_on=D(2019, 10, 8), name="申请人甲"),
            "activist": make_activist(cast.branch_a, applied_on=D(2018, 9, 3), name="积极分子乙"),
            "probationary": make_probationary(cast.branch_a, applied_on=D(2016, 3, 1), name="预备党员丁"),
            "in_c": make_applicant(cast.branch_c, applied_on=D(2019, 11, 4), name="外街申请人"),
        }


@pytest.mark.parametrize(("code", "as_of"), [("S", "2019-12-31"), ("A", "2019-12-31"), ("S", "2018-01-31")])
def test_pipeline_export_has_the_cards_of_the_board(cast: Cast, people: Any, code: str, as_of: str) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("pipeline", args=[code])
    page = html(client.get(url, {"as_of": as_of}))
    on_board = set(ids(page, "data-candidate"))
    assert f'href="?as_of={as_of}&amp;format=xlsx" id="export-xlsx"' in page
    response = client.get(url, {"as_of": as_of, "format": "xlsx"})
    headers, rows = sheet(response)
    names = dict(Candidate.objects.filter(pk__in=on_board).values_list("name", "pk"))
    assert sorted(column(headers, rows, "Name")) == sorted(names)
    assert "外街申请人" not in column(headers, rows, "Name")
    assert filters(response)["As of"] == dt.datetime.fromisoformat(as_of)
    assert_masked(response, cast)


def test_pipeline_export_says_where_and_what_is_due(cast: Cast, people: Any) -> None:
    response = client_as(cast, "secretary").get(reverse("pipeline", args=["A"]),
                                                {"as_of": "2019-12-31", "format": "xlsx"})
    headers, rows = sheet(response)
    by_name = {r[1]: r for r in rows}
    assert set(by_name) == {"申请人甲", "积极分子乙", "预备党员丁"}
    applicant = by_name["申请人甲"]
    assert applicant[0] == "Applicant" and applicant[3] == dt.datetime(2019, 10, 8)
    assert applicant[headers.index("State")] == "Overdue"
    assert "The talk with the applicant was due by 2019-11-08" in applicant[headers.index("Next step due")]


@pytest.mark.parametrize(("role", "code"), [("secretary", "B"), ("outsider", "A"), ("member", "A")])
def test_pipeline_export_outside_the_scope_is_a_404(cast: Cast, people: Any, role: str, code: str) -> None:
    assert client_as(cast, role).get(reverse("pipeline", args=[code]), {"format": "xlsx"}).status_code == 404


# --- transfers ---------------------------------------------------------------------------------------

def test_transfers_export_has_the_transfers_of_the_page(cast: Cast) -> None:
    with acting(None, "system"):
        to_b = transfer_request(cast.member_a2, to_org=cast.branch_b, on=dt.date(2024, 3, 1), letter_number="L-7")
        transfer_request(cast.member_c, to_outside="某县某镇党委", on=dt.date(2024, 3, 2))
    client = client_as(cast, "secretary")
    page = html(client.get(reverse("transfers")))
    on_page = set(ids(page, "data-transfer"))
    assert on_page == {to_b.pk}
    response = client.get(reverse("transfers"), {"format": "xlsx"})
    headers, rows = sheet(response)
    expected = {t.member.name for t in Transfer.objects.filter(pk__in=on_page)}
    assert set(column(headers, rows, "Member")) == expected == {"王强"}
    row = rows[0]
    assert row[headers.index("List")] == "Sent by you, pending"
    assert row[headers.index("To")] == cast.branch_b.name and row[headers.index("Letter")] == "L-7"
    assert row[headers.index("Requested on")] == dt.datetime(2024, 3, 1)
    assert_masked(response, cast)

    outsider = sheet(client_as(cast, "outsider").get(reverse("transfers"), {"format": "xlsx"}))
    assert column(outsider[0], outsider[1], "Member") == ["孙丽"]
    assert column(outsider[0], outsider[1], "To") == ["某县某镇党委"]
    assert client_as(cast, "anonymous").get(reverse("transfers"), {"format": "xlsx"}).status_code == 302


# --- meetings ----------------------------------------------------------------------------------------

def meeting(org: Any, kind: str, day: dt.date, topic: str) -> Meeting:
    with acting(None, "system"):
        return meeting_services.record_meeting(org=org, kind=kind, date=day, topic=topic, attendance={})


@pytest.mark.parametrize("params", [{"kind": "theme_day"}, {"start": "2024-03-01", "end": "2024-03-31"}, {}])
def test_meetings_export_has_the_filtered_meetings(cast: Cast, params: dict[str, str]) -> None:
    meeting(cast.branch_a, "theme_day", dt.date(2024, 3, 5), "学习党章")
    meeting(cast.branch_a, "party_lecture", dt.date(2024, 3, 20), "专题党课")
    meeting(cast.branch_b, "theme_day", dt.date(2024, 4, 5), "志愿服务")
    meeting(cast.branch_c, "theme_day", dt.date(2024, 3, 6), "外街主题党日")
    client = client_as(cast, "street_admin")
    url = reverse("meetings", args=["S"])
    page = html(client.get(url, params))
    topics = set(Meeting.objects.filter(pk__in=ids(page, "data-meeting")).values_list("topic", flat=True))
    assert topics and "外街主题党日" not in topics
    response = client.get(url, {**params, "format": "xlsx"})
    headers, rows = sheet(response)
    assert headers == ["Date", "Kind", "Topic", "Organization", "Class hours", "Entered"]
    assert set(column(headers, rows, "Topic")) == topics and len(rows) == len(topics)
    shown = filters(response)
    if "kind" in params:
        assert set(column(headers, rows, "Kind")) == {shown["Kind"]}  # the kind's label, as on the page
        assert shown["Kind"] in page
    if "start" in params:
        assert shown["From"] == dt.datetime(2024, 3, 1) and shown["To"] == dt.datetime(2024, 3, 31)
    assert_masked(response, cast)


def test_meetings_export_has_every_page(cast: Cast) -> None:
    for i in range(53):
        meeting(cast.branch_a, "group_meeting", dt.date(2023, 1, 1) + dt.timedelta(days=i), f"小组会{i}")
    client = client_as(cast, "secretary")
    url = reverse("meetings", args=["A"])
    assert len(ids(html(client.get(url)), "data-meeting")) == 50
    headers, rows = sheet(client.get(url, {"format": "xlsx", "page": "2"}))
    assert len(rows) == 53 and column(headers, rows, "Date")[0] == dt.datetime(2023, 2, 22)  # newest first


@pytest.mark.parametrize(("page", "role", "code"), [("meetings", "secretary", "B"), ("meetings", "outsider", "A"),
                                                    ("duties", "secretary", "B"), ("duties", "outsider", "S"),
                                                    ("dues-ledger", "secretary", "B"),
                                                    ("dues-ledger", "outsider", "A")])
def test_exports_outside_the_scope_are_404(cast: Cast, page: str, role: str, code: str) -> None:
    client = client_as(cast, role)
    assert client.get(reverse(page, args=[code])).status_code == 404
    assert client.get(reverse(page, args=[code]), {"format": "xlsx"}).status_code == 404


# --- duties ------------------------------------------------------------------------------------------

def test_duties_export_of_a_branch_has_the_grid_rows(cast: Cast) -> None:
    meeting(cast.branch_a, "theme_day", dt.date(2024, 3, 5), "学习党章")
    client = client_as(cast, "secretary")
    url = reverse("duties", args=["A"])
    page = html(client.get(url, {"year": "2024"}))
    titles = [re.sub(r"\s+", " ", t).strip()
              for t in re.findall(r'<th scope="row" class="duty">([^<]*)', page)]
    assert titles
    response = client.get(url, {"year": "2024", "format": "xlsx"})
    assert re.search(r'filename="duties-A-\d{8}-2024\.xlsx"', response["Content-Disposition"])
    headers, rows = sheet(response)
    assert headers[:3] == ["Duty", "Organization", "1"] and headers[-2:] == ["Met", "Missed"]
    assert column(headers, rows, "Duty") == titles
    assert filters(response)["Year"] == 2024
    wb = workbook(response)
    periods = list(wb["Periods"].iter_rows(values_only=True))[1:]
    march = [p for p in periods if p[3] <= dt.datetime(2024, 3, 5) <= p[4] and "2024-03-05" in (p[8] or "")]
    assert march, "the theme day's period lists the meeting"
    assert_masked(response, cast)


def test_duties_export_above_a_branch_has_the_organizations(cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("duties", args=["S"])
    page = html(client.get(url, {"year": "2024"}))
    codes = re.findall(r'<tr data-org="([^"]+)">', page)
    assert codes
    headers, rows = sheet(client.get(url, {"year": "2024", "format": "xlsx"}))
    assert column(headers, rows, "Code") == codes and "C" not in codes


# --- the dues ledger ---------------------------------------------------------------------------------

def test_dues_export_has_the_rows_of_the_ledger(cast: Cast) -> None:
    month = timezone.localdate().replace(day=1)
    with acting(None, "system"):
        for m in (cast.member, cast.member_a2):
            dues_services.assess(m, year=month.year, category="in_service", base=Decimal("4000"),
                                 on=timezone.localdate())
        dues_services.record_payment(cast.member, paid_on=timezone.localdate(), months=[month],
                                     amount=Decimal("40.00"))
    client = client_as(cast, "secretary")
    url = reverse("dues-ledger", args=["A"])
    params = {"year": str(month.year), "month": str(month.month)}
    page = html(client.get(url, params))
    names = set(Member.objects.filter(pk__in=ids(page, "data-member")).values_list("name", flat=True))
    assert names == {"李明", "王强"}
    response = client.get(url, {**params, "format": "xlsx"})
    headers, rows = sheet(response)
    assert headers[:5] == ["Name", "Monthly amount", "This month", "Paid on", "Received this month"]
    by_name = {r[0]: r for r in rows}
    assert set(by_name) == names
    assert by_name["李明"][1:3] == (40.0, "Paid") and by_name["李明"][4] == 40.0
    assert by_name["王强"][2] == "Unpaid" and by_name["王强"][3] is None
    shown = filters(response)
    assert shown["Year"] == month.year and shown["Month"] == month.month and shown["Rows"] == 2
    assert_masked(response, cast)


# --- opinions (their content is tested with the opinion pages) -----------------------------------------

def test_opinions_export_writes_its_filters_and_keeps_the_scope(cast: Cast, station: Any) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("opinion-list", args=["S"])
    response = client.get(url, {"state": "open", "format": "xlsx"})
    headers, _rows = sheet(response)
    assert headers[0] == "Number"
    assert filters(response)["State"] == "Open (not completed)"
    assert client_as(cast, "outsider").get(url, {"format": "xlsx"}).status_code == 404
