"""The web import of practical projects: the empty sheet with the header row, a dry run that writes nothing and
shows what would be written, a bad file's errors by row and column (nothing written), the confirmation writing
the projects with their sub-projects, the hub's button for writers only, outsiders and readers refused, and the
page in Chinese."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from grassroots.congress import importer
from grassroots.congress.models import PracticalProject
from grassroots.ui.testing import client_as, import_confirm, import_upload

from .test_importer import GOOD, HEAD


def _xlsx(rows: list[list[str]]) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("projects.xlsx", out.getvalue())


def _cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_template_has_the_header_row(cast: Any, world: Any) -> None:
    response = client_as(cast, "secretary").get(reverse("congress-import-template", args=["A"]))
    assert response.status_code == 200 and 'filename="practical-projects-A.xlsx"' in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(ws.iter_rows())] == [c.zh for c in importer.COLUMNS]
    assert ws.max_row == 1


def test_a_dry_run_shows_the_plan_and_writes_nothing_then_confirm_writes(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    before = PracticalProject.objects.count()
    page = import_upload(client, reverse("congress-import", args=["A"]), _xlsx(GOOD))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="confirm-import"' in html and 'id="import-errors"' not in html
    rows = _cells(html, "import-preview")
    assert [r[0] for r in rows] == ["2", "3", "4", "5", "6"]
    assert rows[1][3:8] == ["2025", "2025-01-1", "主路", "2025-01", "3"]
    assert rows[0][8] == "2025-10-31"
    assert PracticalProject.objects.count() == before  # a dry run writes nothing
    done = import_confirm(client, page)
    assert done.status_code == 200 and "5 projects recorded" in done.content.decode()
    assert PracticalProject.objects.count() == before + 5
    road = PracticalProject.objects.get(title="村内道路硬化")
    assert road.org == cast.branch_a and road.year == 2025 and road.due_on.isoformat() == "2025-10-31"
    assert {(c.title, c.weight) for c in road.children.all()} == {("主路", 3), ("支路", 1)}
    assert PracticalProject.objects.get(title="入户管网").parent == world.project
    again = import_upload(client, reverse("congress-import", args=["A"]), _xlsx(GOOD))
    assert {r[1] for r in _cells(again.content.decode(), "import-preview")} == {"Unchanged (already recorded)"}


def test_a_bad_file_shows_row_and_column_and_writes_nothing(cast: Any, world: Any) -> None:
    bad = [GOOD[0],
           ["2025-09", "坏项目", "", "2025", "0", "", "", "", "2025-05-01", "2025-04-01"],
           ["2025-03", "孤儿子项目", "不存在的项目", "2025", "", "", "", "", "", ""]]
    client = client_as(cast, "secretary")
    before = PracticalProject.objects.count()
    page = import_upload(client, reverse("congress-import", args=["A"]), _xlsx(bad))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="confirm-import"' not in html
    errors = {(r[0], r[1]) for r in _cells(html, "import-errors")}
    assert errors == {("3", "权重"), ("3", "完成时限"), ("4", "所属项目")}
    assert PracticalProject.objects.count() == before
    assert not PracticalProject.objects.filter(title="村内道路硬化").exists()  # the good row is not written either


def test_only_writers_import_and_see_the_button(cast: Any, world: Any) -> None:
    url = reverse("congress-import", args=["A"])
    template = reverse("congress-import-template", args=["A"])
    for role, status in (("outsider", 404), ("auditor", 403)):
        client = client_as(cast, role)
        assert client.get(url).status_code == status and client.get(template).status_code == status
        assert client.post(url, {"file": _xlsx(GOOD)}).status_code == status
    assert client_as(cast, "anonymous").get(url).status_code == 302
    assert not PracticalProject.objects.filter(title="村内道路硬化").exists()
    assert 'id="congress-import"' not in client_as(cast, "auditor").get(reverse("congress-home", args=["A"])
                                                                        ).content.decode()
    home = client_as(cast, "secretary").get(reverse("congress-home", args=["A"])).content.decode()
    assert f'href="{url}"' in home and 'id="congress-import"' in home


def test_the_page_in_chinese(cast: Any, world: Any) -> None:
    client = Client()  # no language cookie: Chinese, the users' first language
    client.force_login(cast.users["secretary"])
    html = client.get(reverse("congress-import", args=["A"])).content.decode()
    assert '<html lang="zh-hans">' in html and 'id="import-template"' in html
    assert 'enctype="multipart/form-data"' in html
    assert ">实事项目</a>" in html and ">预览</button>" in html  # the hub's link back and the dry run's button
