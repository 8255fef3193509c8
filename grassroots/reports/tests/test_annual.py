"""The annual summary with the cast: every figure equals the statistics API's for the same organization and date
(structure, the opening paragraph, recruitment, opinions), in the dataclasses and in the document's text; the
CLI writes the file; the download needs a login and the organization in the user's scope."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from conftest import PASSWORD, make_member
from grassroots.core.context import acting
from grassroots.recruitment.tests.factories import make_activist, make_development_target
from grassroots.reports.annual import annual_summary, as_json
from grassroots.reports.docx import DOCX_CONTENT_TYPE, PLACES, plain_text, write_docx

D = dt.date


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


@pytest.fixture
def people(cast: Any) -> Any:
    """Some variety: a young probationary woman of a minority, a retired member, applicants and activists."""
    with acting(None, "system"):
        make_member(cast.branch_b, name="阿依古丽", sex="F", birth=D(1995, 5, 6), ethnicity="维吾尔族",
                    status="probationary", joined_on=D(2019, 6, 1), converted_on=None, education="college")
        make_member(cast.branch_a, name="老周", birth=D(1950, 1, 2), occupation="retired",
                    education="high_school")
        make_activist(cast.branch_a, applied_on=D(2018, 9, 3), name="积极分子甲")
        make_activist(cast.branch_b, applied_on=D(2019, 3, 4), name="积极分子乙")
        make_development_target(cast.branch_a, applied_on=D(2017, 3, 1), name="发展对象丙")
        make_activist(cast.branch_c, applied_on=D(2018, 9, 3), name="外街积极分子")
    return cast


CASES = [("S", 2019, None), ("G", 2019, None), ("A", 2019, D(2019, 6, 30)), ("B", 2018, None), ("S", 2004, None),
         ("C", 2020, None), ("A1", 2019, None), ("S", 2025, D(2025, 3, 31))]


@pytest.mark.parametrize(("code", "year", "as_of"), CASES)
def test_every_figure_equals_the_statistics_api(people: Any, code: str, year: int, as_of: Any) -> None:
    from grassroots.orgs.models import Organization

    client = Client()
    client.force_login(people.admin)
    org = Organization.objects.get(code=code)
    summary = annual_summary(org, year, as_of=as_of)
    day = as_of or D(year, 12, 31)
    assert summary.day == day
    api = client.get(f"/api/orgs/{code}/stats/", {"as_of": day.isoformat()}).json()
    opinions = client.get(f"/api/orgs/{code}/opinion-statistics/",
                          {"year": year, "as_of": day.isoformat()}).json()["total"]

    # structure: every count and percentage
    figures = summary.situation.figures
    keys = {k for k, v in api.items() if isinstance(v, dict) and "count" in v}
    assert keys == set(figures) and "female" in keys and "education_college" in keys
    for key in keys:
        assert figures[key].count == api[key]["count"], key
        assert float(figures[key].pct) == api[key]["pct"], key
    assert summary.situation.organizations == api["organizations"]
    assert summary.situation.paragraph == api["basic_situation"]
    # recruitment
    for key, value in as_json(summary)["recruitment"].items():
        assert value == api[key], key
    # opinions
    o = summary.opinions
    for key in ("received", "completed", "on_time", "still_open", "overdue", "rated"):
        assert getattr(o, key) == opinions[key], key
    for key in ("completion_rate", "on_time_rate", "average_rating", "satisfaction_rate"):
        assert (None if getattr(o, key) is None else str(getattr(o, key))) == opinions[key], key

    # the rendered text states the same figures
    zh = _docx_text(write_docx(summary, "zh-hans"))
    en = _docx_text(write_docx(summary, "en"))
    assert zh == plain_text(summary, "zh-hans") and en == plain_text(summary, "en")
    assert api["basic_situation"]["zh-hans"] in zh and api["basic_situation"]["en"] in en
    for key in ("age_36_45", "age_over_60", "education_college", "education_high_school", "occupation_retired"):
        assert f"{api[key]['count']}名，占{Decimal(str(api[key]['pct'])):.2f}%" in zh, key
    assert (f"收到入党申请{api['applications']}份，确定入党积极分子{api['activists_decided']}名，"
            f"列为发展对象{api['development_targets_listed']}名，接收预备党员{api['admitted']}名") in zh
    assert (f"有入党申请人{api['applicants']}名、入党积极分子{api['activists']}名、"
            f"发展对象{api['development_targets']}名") in zh
    assert (f"there were {api['applicants']} applicants, {api['activists']} activists and "
            f"{api['development_targets']} development targets") in en


def test_the_cast_street_in_2019_reads_as_expected(people: Any) -> None:
    summary = annual_summary(people.street, 2019)
    text = plain_text(summary)
    assert text.splitlines()[0] == "街道党工委2019年度党建工作总结"
    assert "共有党员5名。其中预备党员1名，占党员总数的20.00%；女党员2名，占40.00%；少数民族党员1名，占20.00%" in text
    assert "现有入党积极分子2名，发展对象1名。" in text
    assert "按年龄分：35岁及以下1名，占20.00%；36至45岁3名，占60.00%；" in text
    assert "61岁及以上1名，占20.00%" in text
    assert "按职业分：在岗职工4名，占80.00%；离退休人员1名，占20.00%；" in text
    assert "2019年未受理群众意见。" in text
    assert "应缴党费0.00元，实收党费0.00元" in text
    # the places to write, in Chinese and English, and no invented words after them
    for zh_head, en_head, place_zh, place_en in PLACES.values():
        assert place_zh in text and zh_head in text
        english = plain_text(summary, "en")
        assert place_en in english and en_head in english
    assert text.rstrip().endswith(PLACES["next_steps"][2])
    with pytest.raises(ValueError):
        annual_summary(people.street, 2019, as_of=D(2020, 1, 1))


def test_cli_writes_the_document(people: Any, tmp_path: Any, capsys: Any) -> None:
    from grassroots.cli import main

    out = tmp_path / "s.docx"
    assert main(["report", "annual", "--org", "S", "--year", "2019", "--out", str(out)]) == 0
    text = _docx_text(out.read_bytes())
    assert "街道党工委2019年度党建工作总结" in text and "共有党员5名" in text
    out_en = tmp_path / "s-en.docx"
    assert main(["report", "annual", "--org", "S", "--year", "2019", "--out", str(out_en), "--lang", "en"]) == 0
    assert "5 members in total" in _docx_text(out_en.read_bytes())
    with pytest.raises(SystemExit, match="no organization"):
        main(["report", "annual", "--org", "C", "--year", "2019", "--out", str(out), "--as", "street_admin"])
    with pytest.raises(SystemExit):
        main(["report", "annual", "--org", "S", "--out", str(out)])  # --year is required


def test_download_needs_a_login_and_the_org_in_scope(people: Any) -> None:
    url = reverse("report-annual", args=["S"])
    assert url == "/orgs/S/reports/annual.docx"
    client = Client()
    response = client.get(url, {"year": 2019})
    assert response.status_code == 302 and "login" in response["Location"]

    assert client.login(username="street_admin", password=PASSWORD)
    response = client.get(url, {"year": 2019})
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="S-2019-annual-summary.docx"'
    text = _docx_text(response.content)
    assert "街道党工委2019年度党建工作总结" in text and "共有党员5名" in text
    response = client.get(url, {"year": 2019, "lang": "en"})
    assert response["Content-Disposition"] == 'attachment; filename="S-2019-annual-summary-en.docx"'
    assert "5 members in total" in _docx_text(response.content)

    assert client.get(reverse("report-annual", args=["C"]), {"year": 2019}).status_code == 404  # another street
    assert client.get(reverse("report-annual", args=["NOPE"])).status_code == 404
    secretary = Client()
    assert secretary.login(username="secretary", password=PASSWORD)
    assert secretary.get(url, {"year": 2019}).status_code == 404  # a branch secretary does not see the street
    assert "共有党员" in _docx_text(secretary.get(reverse("report-annual", args=["A"]), {"year": 2019}).content)


@pytest.mark.django_db
def test_the_organization_page_offers_the_download(cast: Any) -> None:
    from grassroots.ui.testing import client_as

    page = client_as(cast, "street_admin").get(f"/orgs/{cast.street.code}/").content.decode()
    assert f'action="/orgs/{cast.street.code}/reports/annual.docx"' in page and 'name="year"' in page


def test_heading_numbers_go_past_ten() -> None:
    """The summary has more than ten sections once the engagement modules speak: 十一、 and XI. follow 十、 and X."""
    from grassroots.reports.docx import chinese_numeral, roman_numeral

    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 15, 20, 21, 99)] == [
        "一", "九", "十", "十一", "十五", "二十", "二十一", "九十九"]
    assert [roman_numeral(n) for n in (1, 4, 9, 10, 11, 14, 19, 40, 90, 2026)] == [
        "I", "IV", "IX", "X", "XI", "XIV", "XIX", "XL", "XC", "MMXXVI"]
