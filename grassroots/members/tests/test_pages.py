"""The roster's pages (a member, logged reveals, the import), tried as each member of the cast."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Cast
from grassroots.core import idnumber
from grassroots.core.models import AuditEntry
from grassroots.members.models import Member
from grassroots.ui.testing import import_confirm, import_job_of, import_upload


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The cast's six passwords, hashed cheaply (the default hasher takes seconds on a busy machine)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client: Any, cast: Cast, role: str) -> None:
    client.force_login(cast.users[role])


def stat_count(html: str, key: str) -> int:
    m = re.search(rf'data-key="{key}">\s*<td[^>]*>[^<]*</td>\s*<td class="num" data-count>(\d+)</td>', html)
    assert m, f"no {key} row in the statistics table"
    return int(m.group(1))


# --- one member -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "street_admin", "secretary", "auditor", "member"])
def test_member_page_renders_for_readers(cast: Cast, client: Any, role: str) -> None:
    login(client, cast, role)
    response = client.get(f"/members/{cast.member.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "李明" in html
    assert cast.member.id_number_masked in html and cast.member.id_number not in html
    assert cast.member.phone_masked in html and cast.member.phone not in html
    assert [e.kind for e in response.context["events"]] == ["joined", "converted"]
    assert len(response.context["periods"]) == 2
    assert "member.create" in html  # its audit entry
    reveal_url = reverse("member-reveal", args=[cast.member.pk, "id_number"])
    assert (reveal_url in html) is (role != "auditor")


@pytest.mark.parametrize(("role", "who"), [
    ("secretary", "member_b"), ("member", "member_a2"), ("outsider", "member"), ("street_admin", "member_c"),
    ("auditor", "member_c"),
])
def test_member_page_is_404_outside_scope(cast: Cast, client: Any, role: str, who: str) -> None:
    login(client, cast, role)
    assert client.get(f"/members/{getattr(cast, who).pk}/").status_code == 404


def test_reveal_shows_the_full_value_and_is_logged(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    url = reverse("member-reveal", args=[cast.member.pk, "id_number"])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert cast.member.id_number in response.content.decode() and "<html" not in response.content.decode()
    entry = AuditEntry.objects.filter(action="member.reveal_id_number").get()
    assert (entry.actor_name, entry.channel, entry.object_id) == ("secretary", "web", str(cast.member.pk))
    # without htmx: the whole page, with the value shown
    response = client.post(reverse("member-reveal", args=[cast.member.pk, "phone"]))
    assert response.status_code == 200 and cast.member.phone in response.content.decode()
    assert "member.reveal_phone" in response.content.decode()  # listed in the member's audit entries
    assert AuditEntry.objects.filter(action="member.reveal_phone", actor_name="secretary").count() == 1


def test_reveal_refused(cast: Cast, client: Any) -> None:
    login(client, cast, "auditor")
    url = reverse("member-reveal", args=[cast.member.pk, "id_number"])
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 403
    login(client, cast, "outsider")
    assert client.post(url).status_code == 404
    login(client, cast, "secretary")
    assert client.post(f"/members/{cast.member.pk}/reveal/name/").status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="member.reveal").exists()


def test_member_may_reveal_own_record(cast: Cast, client: Any) -> None:
    login(client, cast, "member")
    response = client.post(reverse("member-reveal", args=[cast.member.pk, "phone"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and cast.member.phone in response.content.decode()


# --- import ---------------------------------------------------------------------------------------

HEADER = ["name", "sex", "birth_date", "id_number", "education", "occupation", "status", "joined_on",
          "converted_on", "org_code", "phone"]


def xlsx(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "members.xlsx"
    return buf


def new_rows(org_code: str = "A") -> list[list[Any]]:
    out = []
    for i, (name, sex, birth) in enumerate([("陈静", "女", dt.date(1990, 2, 3)), ("刘洋", "男", dt.date(1985, 6, 7))]):
        number = idnumber.make("110101", birth, 900 + i)
        out.append([name, sex, birth.isoformat(), number, "本科", "在岗职工", "正式党员", "2012-07-01",
                    "2013-07-01", org_code, "13900139000"])
    return out


@pytest.fixture
def uploads(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    return tmp_path / "uploads"


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_import_is_403_without_a_writable_org(cast: Cast, client: Any, role: str) -> None:
    login(client, cast, role)
    assert client.get("/import/members/").status_code == 403
    assert client.post("/import/members/", {"file": xlsx(new_rows())}).status_code == 403


def test_import_form_offers_only_writable_orgs(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    response = client.get("/import/members/")
    assert response.status_code == 200
    codes = [code for code, _label in response.context["form"].fields["default_org"].choices if code]
    assert codes == ["A", "A1"]
    assert reverse("member-import-template") in response.content.decode()


def test_import_dry_run_then_confirm(cast: Cast, client: Any, uploads: Any) -> None:
    login(client, cast, "secretary")
    response = import_upload(client, "/import/members/", xlsx(new_rows()))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-action="create"') == 2 and "陈静" in html and "刘洋" in html
    assert import_job_of(response).ok and 'id="confirm-import"' in html
    assert not Member.objects.filter(name__in=["陈静", "刘洋"]).exists()  # nothing written yet
    kept = sorted(f.name for f in uploads.iterdir())  # the file, and its dry run kept beside it
    assert len(kept) == 2 and kept[1] == kept[0] + ".plan.json"

    done = import_confirm(client, response)
    assert done.status_code == 200 and 'id="import-summary"' in done.content.decode() and import_job_of(done).applied
    created = Member.objects.filter(name__in=["陈静", "刘洋"], org=cast.branch_a)
    assert created.count() == 2
    assert AuditEntry.objects.filter(action="member.create", channel="import", actor_name="secretary").count() == 2
    assert list(uploads.iterdir()) == []  # the kept file and its kept dry run are gone
    html = client.get("/orgs/A/").content.decode()
    assert stat_count(html, "total") == 4
    # the same job cannot be applied twice
    response = import_confirm(client, response)
    assert response.status_code == 200 and created.count() == 2


def test_import_refuses_rows_outside_scope_and_other_jobs(cast: Cast, client: Any, uploads: Any) -> None:
    login(client, cast, "secretary")
    response = import_upload(client, "/import/members/", xlsx(new_rows("B")))
    assert response.status_code == 200
    job = import_job_of(response)
    assert not job.ok and job.error_count == 2
    assert 'id="confirm-import"' not in response.content.decode()
    response = import_confirm(client, response)
    assert response.status_code == 200 and not Member.objects.filter(name="陈静").exists()
    forged = client.post(reverse("import-job-confirm", args=[uuid.uuid4()]))
    assert forged.status_code == 404 and not Member.objects.filter(name="陈静").exists()


def test_import_rejects_other_file_types(cast: Cast, client: Any, uploads: Any) -> None:
    login(client, cast, "secretary")
    bad = io.BytesIO(b"hello")
    bad.name = "members.txt"
    response = client.post("/import/members/", {"file": bad})
    assert response.status_code == 400 and response.context["form"].errors["file"]
    assert not uploads.exists() or list(uploads.iterdir()) == []


# What applying an import costs, measured: 20 queries for the request, the job's bookkeeping (claiming it, its
# dry-run lines deleted, its result saved) and the plan, then 18 per created row
# (the member, its joined and converted events and its period, the scope checks and the hash-chained audit entry).
# A lookup that grew with the file (one per row of the rows before it, say) would break the per-row bound.
IMPORT_QUERIES_FIXED = 20
IMPORT_QUERIES_PER_ROW = 18


def many_rows(n: int, first: int) -> list[list[Any]]:
    """`n` new members for branch A, with ID numbers and names of their own from `first` on."""
    out = []
    for i in range(first, first + n):
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=i)
        out.append([f"成员{i:03d}", "男", birth.isoformat(), idnumber.make("110101", birth, 300 + i % 100),
                    "本科", "在岗职工", "正式党员", "2012-07-01", "2013-07-01", "A", "13900139000"])
    return out


def confirm_queries(client: Any, rows: list[list[Any]]) -> int:
    """The queries of confirming (applying) a dry-run upload of `rows`."""
    checked = import_upload(client, "/import/members/", xlsx(rows))
    with CaptureQueriesContext(connection) as ctx:  # the job's write runs at once, inside the request
        response = client.post(reverse("import-job-confirm", args=[import_job_of(checked).pk]))
    assert response.status_code == 302 and import_job_of(checked).applied
    return len(ctx.captured_queries)


def test_import_confirm_queries_grow_by_a_constant_per_row(cast: Cast, client: Any, uploads: Any) -> None:
    login(client, cast, "secretary")
    five = confirm_queries(client, many_rows(5, 0))
    ten = confirm_queries(client, many_rows(10, 100))
    assert Member.objects.filter(name__startswith="成员").count() == 15
    assert five <= IMPORT_QUERIES_FIXED + 5 * IMPORT_QUERIES_PER_ROW, five
    assert ten - five <= 5 * IMPORT_QUERIES_PER_ROW, (five, ten)


def test_import_template_download(cast: Cast, client: Any) -> None:
    login(client, cast, "secretary")
    response = client.get(reverse("member-import-template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in book.active[1]]
    assert {"姓名", "身份证号", "所在党组织", "入党时间"} <= set(headers)
    login(client, cast, "auditor")
    assert client.get(reverse("member-import-template")).status_code == 403


def test_import_page_says_where_the_headers_were_found(cast: Cast, client: Any, uploads: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["第一支部党员名册"])  # a title row, then a blank row, as secretaries' files have them
    sheet.append([])
    sheet.append(HEADER)
    for row in new_rows():
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "members.xlsx"
    login(client, cast, "secretary")
    response = import_upload(client, "/import/members/", buf)
    job = import_job_of(response)
    assert job.ok and list(job.lines.values_list("row", flat=True)) == [4, 5]
    assert 'id="header-row"' in response.content.decode()
    assert "列标题在第 3 行" in response.content.decode()  # the page is in Chinese
