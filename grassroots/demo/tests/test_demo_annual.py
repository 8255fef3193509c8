"""The demo town's 2019 summary (from the demo built once for the package): the figures of the issue in Chinese and English,
the page and the named styles of GB/T 9704, the places to write; the dues, organizational life and opinions
equal their selectors and API for several organizations; LibreOffice converts it to PDF."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from docx import Document
from docx.enum.text import WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from grassroots.core.money import yuan
from grassroots.demo import data
from grassroots.reports import docx as report_docx
from grassroots.reports.annual import annual_summary

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)
ZH_FIGURES = ("共有党员391名", "预备党员12名，占党员总数的3.07%", "女党员148名，占37.85%", "少数民族党员15名，占3.84%",
              "35岁及以下党员128名，占32.74%", "大专及以上学历党员139名，占35.55%", "流动党员7名",
              "现有入党积极分子71名，发展对象9名")
EN_FIGURES = ("391 members in total", "12 were probationary members, 3.07% of the total", "148 were women (37.85%)",
              "15 belonged to ethnic minorities (3.84%)", "128 were aged 35 or under (32.74%)",
              "139 had a college education or above (35.55%)", "7 were mobile members",
              "There were 71 activists and 9 development targets")


@pytest.fixture(scope="module")
def demo(built_demo: Any, django_db_blocker: Any) -> Any:
    """The summaries and what the tests compare them with, read from the shared demo; the module's own user is
    written in a savepoint rolled back at the end."""
    from django.contrib.auth import get_user_model

    from grassroots.orgs.models import Organization

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        town = Organization.objects.get(code=data.TOWN_CODE)
        admin = get_user_model().objects.create_user("report-admin", is_superuser=True, is_staff=True)
        client = Client()
        client.force_login(admin)
        summary = annual_summary(town, 2019)
        children = list(Organization.objects.filter(path__startswith=town.path, depth=town.depth + 1)
                        .order_by("path")[:3])
        summaries = {org.code: annual_summary(org, 2019) for org in [town, *children]}
        summaries[f"{town.code}@2019-06-30"] = annual_summary(town, 2019, as_of=dt.date(2019, 6, 30))
        api = {}
        for key, s in summaries.items():
            day = s.day.isoformat()
            api[key] = {"stats": client.get(f"/api/orgs/{s.org.code}/stats/", {"as_of": day}).json(),
                        "opinions": client.get(f"/api/orgs/{s.org.code}/opinion-statistics/",
                                               {"year": 2019, "as_of": day}).json()["total"]}
        from grassroots.dues.selectors import totals
        from grassroots.meetings.selectors import duties

        selected = {key: {"dues": totals(s.org, dt.date(2019, 1, 1), s.day),
                          "duties": [r for r in duties(s.org, dt.date(2019, 1, 1), s.day) if r.period_end <= s.day]}
                    for key, s in summaries.items()}
        yield {"town": town, "summary": summary, "zh": report_docx.write_docx(summary, "zh-hans"),
               "en": report_docx.write_docx(summary, "en"), "summaries": summaries, "api": api,
               "selected": selected}
        transaction.set_rollback(True)


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_demo_figures_in_chinese(demo: Any, db: Any) -> None:
    text = _text(demo["zh"])
    assert text.startswith(f"{demo['town'].name}2019年度党建工作总结\n")
    for figure in ZH_FIGURES:
        assert figure in text, figure
    assert "截至2019年12月31日" in text


def test_the_demo_figures_in_english(demo: Any, db: Any) -> None:
    text = _text(demo["en"])
    assert "Annual Summary of Party Building Work, 2019" in text.splitlines()[0]
    for figure in EN_FIGURES:
        assert figure in text, figure
    assert "党员" not in text.replace(demo["town"].name, "")  # English throughout (names aside)


def test_dues_life_and_opinions_are_stated(demo: Any, db: Any) -> None:
    s = demo["summary"]
    text = _text(demo["zh"])
    assert s.dues.assessed > 0 and s.dues.collected > 0 and s.dues.regular > 0
    assert f"应缴党费{yuan(s.dues.assessed)}元，实收党费{yuan(s.dues.collected)}元" in text
    assert f"（其中按月交纳{yuan(s.dues.regular)}元，补交{yuan(s.dues.back)}元）" in text
    assert str(s.dues.collected) == f"{s.dues.collected:.2f}"  # money to the fen
    assert s.life.owed > 0 and 0 < s.life.met <= s.life.owed
    assert f"应落实组织生活{s.life.owed}次，已落实{s.life.met}次，落实率{s.life.rate}%" in text
    assert s.opinions.received > 0
    assert f"共受理群众意见{s.opinions.received}件，已办结{s.opinions.completed}件" in text
    if s.opinions.rated:
        assert f"满意率{s.opinions.satisfaction_rate}%" in text


def test_figures_equal_the_api_and_the_selectors_for_several_organizations(demo: Any, db: Any) -> None:
    assert len(demo["summaries"]) >= 4
    for key, s in demo["summaries"].items():
        stats, opinions = demo["api"][key]["stats"], demo["api"][key]["opinions"]
        for figure_key, figure in s.situation.figures.items():
            assert (figure.count, float(figure.pct)) == (stats[figure_key]["count"], stats[figure_key]["pct"]), key
        assert s.situation.paragraph == stats["basic_situation"]
        for field in ("applicants", "activists", "development_targets", "applications", "admitted", "converted"):
            assert getattr(s.recruitment, field) == stats[field], (key, field)
        for field in ("received", "completed", "on_time", "still_open", "overdue", "rated"):
            assert getattr(s.opinions, field) == opinions[field], (key, field)
        assert str(s.opinions.satisfaction_rate) == str(opinions["satisfaction_rate"]), key
        dues = demo["selected"][key]["dues"]
        for field in ("assessed", "collected", "regular", "back", "voluntary", "to_centre", "remitted"):
            assert getattr(s.dues, field) == dues[field], (key, field)
        rows = demo["selected"][key]["duties"]
        assert s.life.owed == len(rows) and s.life.met == sum(r.met for r in rows), key
        for duty in s.life.duties:
            mine = [r for r in rows if r.rule_id == duty.rule_id]
            assert (duty.owed, duty.met) == (len(mine), sum(r.met for r in mine)), (key, duty.rule_id)
        text = report_docx.plain_text(s, "zh-hans")
        assert stats["basic_situation"]["zh-hans"] in text
        assert f"有入党申请人{stats['applicants']}名、入党积极分子{stats['activists']}名" in text


def _east_asian(style: Any) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_page_styles_and_places_to_write(demo: Any, db: Any) -> None:
    document = Document(io.BytesIO(demo["zh"]))
    section = document.sections[0]
    page = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
            section.left_margin, section.right_margin)
    assert [round(length.mm, 1) for length in page] == [210, 297, 37, 35, 28, 26]  # stored in twips
    styles = document.styles
    expected = {report_docx.TITLE_STYLE: ("方正小标宋简体", 22), report_docx.BODY_STYLE: ("仿宋_GB2312", 16),
                report_docx.HEADING1_STYLE: ("黑体", 16), report_docx.HEADING2_STYLE: ("楷体_GB2312", 16),
                report_docx.PAGE_NUMBER_STYLE: ("宋体", 14)}
    for name, (font, size) in expected.items():
        assert (_east_asian(styles[name]), styles[name].font.size) == (font, Pt(size)), name
    body = styles[report_docx.BODY_STYLE].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY and Pt(28) <= body.line_spacing <= Pt(29)
    assert body.first_line_indent == Pt(32)
    assert styles[report_docx.BODY_STYLE].element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    by_style: dict[str, list[str]] = {}
    for p in document.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style[report_docx.TITLE_STYLE] == [f"{demo['town'].name}2019年度党建工作总结"]
    assert by_style[report_docx.HEADING1_STYLE][:3] == ["一、基本情况", "二、发展党员工作", "三、党费收缴使用管理"]
    assert by_style[report_docx.HEADING2_STYLE] == ["（一）党员队伍结构"]
    assert document.paragraphs[1].style.name == report_docx.BODY_STYLE
    # places to write: marked, highlighted, empty of invented words
    assert by_style[report_docx.PLACE_STYLE] == ["【请在此填写：本年度工作亮点】", "【请在此填写：存在的主要问题和不足】",
                                                 "【请在此填写：下一步工作打算】"]
    assert styles[report_docx.PLACE_STYLE].font.highlight_color == WD_COLOR_INDEX.YELLOW
    english = Document(io.BytesIO(demo["en"]))
    assert [p.text for p in english.paragraphs if p.style.name == report_docx.PLACE_STYLE][0] == \
        "[Write here: this year's highlights]"
    # page numbers: "— PAGE —" on odd and even pages
    for footer in (section.footer, section.even_page_footer):
        p = footer.paragraphs[0]
        assert p.style.name == report_docx.PAGE_NUMBER_STYLE and p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))


def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.environ.get("GRASSROOTS_REQUIRE_SOFFICE") == "1":
        pytest.fail("GRASSROOTS_REQUIRE_SOFFICE=1 but neither soffice nor libreoffice is on PATH")
    return found


@pytest.mark.parametrize("language", ["zh", "en"])
def test_libreoffice_converts_it_to_pdf(demo: Any, db: Any, tmp_path: Path, language: str) -> None:
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = tmp_path / f"annual-{language}.docx"
    source.write_bytes(demo[language])
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={home.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=180, env={**os.environ, "HOME": str(home)}, check=False)
    pdf = tmp_path / f"annual-{language}.pdf"
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert pdf.exists(), result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 5000
    if language == "zh":  # the Chinese text is drawn with a CJK font (a fallback where the GB fonts are missing)
        fonts = re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", content)
        assert any(re.search(rb"CJK|Song|Hei|Kai|Fang|Ming|WenQuanYi|GB2312", f, re.IGNORECASE) for f in fonts), fonts
