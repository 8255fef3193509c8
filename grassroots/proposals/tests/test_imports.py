"""The web import of proposals: a dry run that writes nothing and shows what each row would record; a bad file's
errors naming the row and the column, nothing written and nothing to confirm; a good file written on confirmation;
the empty register's header row; only writers see the button and may open the pages; the page in Chinese."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.proposals import importer
from grassroots.proposals.models import Proposal, ProposalState
from grassroots.ui.models import ImportJob, JobStatus
from grassroots.ui.testing import client_as, import_confirm, import_job_of, import_upload

from .test_importer import GOOD, HEADER, _xlsx

URL = reverse("proposals-import", args=["A"])
TEMPLATE = reverse("proposals-import-template", args=["A"])
TITLES = ("关于修缮村道的提案", "关于增设健身器材的提案")


def _upload(client: Any, rows: list[list[Any]], name: str = "p.xlsx") -> Any:
    return import_upload(client, URL, SimpleUploadedFile(name, _xlsx(rows)))


def test_a_dry_run_shows_the_plan_and_writes_nothing(cast: Any, world: Any) -> None:
    before = (Proposal.objects.count(), AuditEntry.objects.count())
    page = _upload(client_as(cast, "secretary"), GOOD)
    html = page.content.decode()
    assert page.status_code == 200 and import_job_of(page).status == JobStatus.CHECKED
    assert 'id="import-preview"' in html and all(t in html for t in TITLES)
    assert "王代表*、李明*、陈大爷" in html  # the proposers as matched: a seat, a member, a residents' rep
    assert "2024-03-08" in html and "城建办" in html and "Construction, roads and water" in html
    assert html.count('data-action="create"') == 2 and 'id="confirm' in html
    assert (Proposal.objects.count(), AuditEntry.objects.count()) == before
    assert not Proposal.objects.filter(title__in=TITLES).exists()


def test_a_bad_file_names_row_and_column_and_writes_nothing(cast: Any, world: Any) -> None:
    rows = [HEADER, GOOD[2], ["关于x的提案", "", "天文", "2024-03-05", "甲", "", ""],
            ["关于y的提案", "", "民生", "2024-03-05", "乙", "2024-03-01", ""]]
    client = client_as(cast, "secretary")
    page = _upload(client, rows)
    html = page.content.decode()
    job = import_job_of(page)
    assert job.error_count == 3
    errors = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert [(int(r), c) for r, c, _ in errors] == [(3, "类别"), (4, "承办单位"), (4, "立案日期")]
    assert "天文" in errors[0][2]
    assert not Proposal.objects.filter(title__in=(*TITLES, "关于x的提案", "关于y的提案")).exists()
    import_confirm(client, page)  # a plan with errors cannot be confirmed
    assert ImportJob.objects.get(pk=job.pk).status != JobStatus.DONE
    assert not Proposal.objects.filter(title=TITLES[0]).exists()


def test_a_good_file_is_written_on_confirmation_once(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    page = import_confirm(client, _upload(client, GOOD))
    assert import_job_of(page).status == JobStatus.DONE
    assert "Imported: 2 proposals recorded, 0 already recorded." in page.content.decode()
    p = Proposal.objects.get(org=cast.branch_a, title=TITLES[0])
    assert (p.state, p.lead_unit, p.category) == (ProposalState.ACCEPTED, "城建办", "construction")
    assert [x.name for x in p.proposers.order_by("order")] == ["王代表", "李明", "陈大爷"]
    assert Proposal.objects.get(org=cast.branch_a, title=TITLES[1]).state == ProposalState.RECEIVED
    assert AuditEntry.objects.filter(action__icontains="proposal").exists()
    count = Proposal.objects.count()
    again = import_confirm(client, _upload(client, GOOD))  # the same sheet again records nothing
    assert "Imported: 0 proposals recorded, 2 already recorded." in again.content.decode()
    assert Proposal.objects.count() == count


def test_the_empty_register_has_the_header_row(cast: Any, world: Any) -> None:
    response = client_as(cast, "secretary").get(TEMPLATE)
    assert response.status_code == 200 and "proposals-A.xlsx" in response["Content-Disposition"]
    header = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())]
    assert header == [c.zh for c in importer.COLUMNS]
    with acting(cast.secretary, "web"):  # the importer reads its own register: every column known, no row
        plan = importer.plan_import(io.BytesIO(response.content), "t.xlsx", within=cast.branch_a)
    assert plan.ok and not plan.rows and plan.sheet is not None
    assert sorted(plan.sheet.columns) == sorted(c.field for c in importer.COLUMNS)


def test_only_writers_import_and_see_the_button(cast: Any, world: Any) -> None:
    home = reverse("proposals-home", args=["A"])
    assert URL in client_as(cast, "secretary").get(home).content.decode()
    auditor = client_as(cast, "auditor")
    assert auditor.get(home).status_code == 200 and URL not in auditor.get(home).content.decode()
    for role, status in (("auditor", 403), ("outsider", 404), ("member", 404)):
        client = client_as(cast, role)
        assert client.get(URL).status_code == status, role
        assert client.get(TEMPLATE).status_code == status, role
        response = client.post(URL, {"file": SimpleUploadedFile("p.xlsx", _xlsx(GOOD))})
        assert response.status_code == status, role
    assert not ImportJob.objects.exists() and not Proposal.objects.filter(title__in=TITLES).exists()
    assert client_as(cast, "anonymous").get(URL).status_code == 302


def test_the_import_page_in_chinese(cast: Any, world: Any) -> None:
    client = client_as(cast, "secretary")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(URL).content.decode()
    assert '<html lang="zh-hans">' in html and "上传文件" in html and "预览" in html and "代表提案" in html
    page = _upload(client, GOOD).content.decode()
    assert "导入将执行的操作" in page and "案由" in page and "承办单位" in page and "城建" in page
