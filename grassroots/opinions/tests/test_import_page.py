"""The opinions' import page of a station: upload, the dry run (where each would go, or the errors with row and
column), confirm; the empty register to download; only for those who may change the station."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import Cast
from grassroots.opinions.models import Opinion, State
from grassroots.opinions.tests.fixtures import Station, build_station
from grassroots.ui.testing import client_as, import_confirm, import_job_of

HEADER = "收到日期,反映内容,类别,地点,渠道,反映人,联系电话"
GOOD = (HEADER + "\n"
        "2024-03-04,人民路路灯坏了三盏,roads,,电话,张华,13800138001\n"
        "2024-03-05,楼上漏水多次协商无果,邻里纠纷,东风社区,走访,王芳,\n"
        "2024-03-07,希望增加社区文化活动,其他,,,,\n").encode()


@pytest.fixture
def station(cast: Cast, settings: Any, tmp_path: Any) -> Station:
    settings.DATA_DIR = tmp_path
    return build_station(cast)


def text(response: Any) -> str:
    return response.content.decode()


def upload(data: bytes, name: str = "register.csv") -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def test_the_dry_run_then_the_confirmation(station: Station, cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("opinion-import", args=["S"])
    assert url == "/orgs/S/opinions/import/"
    page = client.get(url)
    assert page.status_code == 200 and 'id="dry-run"' in text(page) and 'id="no-categories"' not in text(page)
    response = client.post(url, upload(GOOD), follow=True)  # to the job's page, its dry run done (tasks run at once)
    html = text(response)
    assert response.status_code == 200 and html.count('<tr data-action="create">') == 3
    assert "城管办" in html and "第一支部" in html and "to be sorted by the station" in html  # where each goes
    assert "138****8001" in html and "13800138001" not in html  # the phone masked
    assert 'id="import-errors"' not in html and 'id="confirm-import"' in html
    assert not Opinion.objects.exists()  # a dry run writes nothing
    followed = import_confirm(client, response)
    assert followed.status_code == 200
    assert f'href="{reverse("opinion-list", args=["S"])}" id="done-link"' in text(followed)
    assert "Imported: 3 opinions taken in, 0 given their outcome or rating, 0 already taken in." in text(followed)
    ops = list(Opinion.objects.order_by("received_on"))
    assert [(o.handler_org.code, o.department, o.state, o.channel) for o in ops] == [
        ("S", station.department, State.ASSIGNED, "phone"), ("A", None, State.ASSIGNED, "visit"),
        ("S", None, State.RECEIVED, "import")]
    assert all(o.recorded_by == cast.street_admin for o in ops)
    listed = client.get(reverse("opinion-list", args=["S"]))
    assert all(o.number in text(listed) for o in ops)  # the list shows what was taken in
    # the job is done and its file deleted: confirming again writes nothing
    again = import_confirm(client, response)
    assert again.status_code == 200 and Opinion.objects.count() == 3


def test_a_register_with_errors_shows_them_and_offers_no_confirmation(station: Station, cast: Cast) -> None:
    data = (HEADER + "\n"
            "2024-03-04,人民路路灯坏了三盏,roads,,电话,张华,13800138001\n"
            "2024-03-05,楼上漏水,停车,火星社区,,王芳,12ab\n").encode()
    response = client_as(cast, "street_admin").post(reverse("opinion-import", args=["S"]), upload(data), follow=True)
    html = text(response)
    assert response.status_code == 200
    assert 'id="import-errors"' in html and 'id="confirm-import"' not in html
    errors = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    assert {(row, column) for row, column, _m in errors} == {("3", "类别"), ("3", "地点"), ("3", "联系电话")}
    assert any("unknown category 停车" in m for _r, _c, m in errors)
    assert not Opinion.objects.exists()


def test_a_confirmation_that_meets_an_error_writes_nothing(station: Station, cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    url = reverse("opinion-import", args=["S"])
    checked = client.post(url, upload(GOOD), follow=True)
    station.other.active = False  # switched off between the dry run and the confirmation
    station.other.save()
    response = import_confirm(client, checked)
    html = text(response)
    assert response.status_code == 200 and "The file has errors; nothing was imported." in html
    assert "the category 其他 is no longer in use" in html
    assert not Opinion.objects.exists()


def test_the_auditor_and_others_are_refused(station: Station, cast: Cast) -> None:
    url = reverse("opinion-import", args=["S"])
    template = reverse("opinion-import-template", args=["S"])
    for role, status in (("auditor", 403), ("secretary", 404), ("member", 404), ("outsider", 404)):
        client = client_as(cast, role)
        assert client.get(url).status_code == status, role
        assert client.post(url, upload(GOOD)).status_code == status, role
        assert client.get(template).status_code == status, role
    assert client_as(cast, "anonymous").get(url).status_code == 302  # to the login page
    assert not Opinion.objects.exists()


def test_the_auditor_cannot_confirm_someone_else_s_upload(station: Station, cast: Cast) -> None:
    url = reverse("opinion-import", args=["S"])
    checked = client_as(cast, "street_admin").post(url, upload(GOOD), follow=True)
    job = import_job_of(checked)
    auditor = client_as(cast, "auditor")
    assert auditor.post(reverse("import-job-confirm", args=[job.pk])).status_code == 404
    assert auditor.get(reverse("import-job", args=[job.pk])).status_code == 404
    assert not Opinion.objects.exists()


def test_the_template_download(station: Station, cast: Cast) -> None:
    response = client_as(cast, "street_admin").get(reverse("opinion-import-template", args=["S"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="opinions-S.xlsx"' in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]][:3] == ["收到日期", "反映内容", "类别"]
    assert "roads 道路" in str(wb.worksheets[1]["C4"].value)


def test_a_station_without_categories_says_so(cast: Cast) -> None:
    page = client_as(cast, "street_admin").get(reverse("opinion-import", args=["G"]))
    assert page.status_code == 200 and 'id="no-categories"' in text(page)
    assert reverse("opinion-setup", args=["G"]) in text(page)


def test_a_wrong_file_type_stays_on_the_form(station: Station, cast: Cast) -> None:
    response = client_as(cast, "street_admin").post(reverse("opinion-import", args=["S"]),
                                                    upload(b"x", "register.doc"))
    assert response.status_code == 400 and "Upload an .xlsx, .xls or .csv file." in text(response)
