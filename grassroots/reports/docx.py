"""The annual summary as a Word document in the layout of Chinese official documents (GB/T 9704-2012).

A4, margins 37/35/28/26 mm (top, bottom, left, right); the title in 方正小标宋简体 22 pt, centred; the body in
仿宋_GB2312 16 pt, first line indented two characters, lines exactly 28 pt apart; level-1 headings ("一、") in
黑体, level-2 headings ("（一）") in 楷体_GB2312, both 16 pt; page numbers "— N —" in 宋体 14 pt at the foot, on
the right of odd pages and the left of even ones. Each is a named style (`STYLES`) so a user can restyle the
whole document at once; a machine without a font shows a fallback.

The data sections come from `annual.AnnualSummary`. Highlights, problems and next steps need people's words:
they are left as highlighted places to write (`PLACE_STYLE`), never filled in.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import translation
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from grassroots.members.models import Education, Occupation

from .annual import STRUCTURE_GROUPS, AnnualSummary

TITLE_STYLE = "公文标题"
BODY_STYLE = "公文正文"
HEADING1_STYLE = "公文一级标题"
HEADING2_STYLE = "公文二级标题"
PLACE_STYLE = "待填写"
PAGE_NUMBER_STYLE = "公文页码"

LATIN_FONT = "Times New Roman"
STYLES: dict[str, dict[str, Any]] = {  # name: east-asian font, size, alignment, first-line indent (characters)
    TITLE_STYLE: {"font": "方正小标宋简体", "size": 22, "align": WD_ALIGN_PARAGRAPH.CENTER, "indent": 0},
    BODY_STYLE: {"font": "仿宋_GB2312", "size": 16, "align": WD_ALIGN_PARAGRAPH.JUSTIFY, "indent": 2},
    HEADING1_STYLE: {"font": "黑体", "size": 16, "align": WD_ALIGN_PARAGRAPH.JUSTIFY, "indent": 2, "outline": 0},
    HEADING2_STYLE: {"font": "楷体_GB2312", "size": 16, "align": WD_ALIGN_PARAGRAPH.JUSTIFY, "indent": 2,
                     "outline": 1},
    PLACE_STYLE: {"font": "仿宋_GB2312", "size": 16, "align": WD_ALIGN_PARAGRAPH.JUSTIFY, "indent": 2},
    PAGE_NUMBER_STYLE: {"font": "宋体", "size": 14, "align": WD_ALIGN_PARAGRAPH.RIGHT, "indent": 0},
}
LINE_PITCH = Pt(28)
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

NUMERALS = "一二三四五六七八九十"
PLACES = {  # section key: (Chinese heading, English heading, Chinese place, English place)
    "highlights": ("工作亮点", "Highlights", "【请在此填写：本年度工作亮点】", "[Write here: this year's highlights]"),
    "problems": ("存在的问题", "Problems", "【请在此填写：存在的主要问题和不足】",
                 "[Write here: the main problems and shortcomings]"),
    "next_steps": ("下一步工作打算", "Next steps", "【请在此填写：下一步工作打算】",
                   "[Write here: the plans for next year]"),
}


# --- the words ---------------------------------------------------------------------------------------------------

def _zh(language: str) -> bool:
    return language.startswith("zh")


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _label(key: str) -> str:
    """The label of a structure figure (the translation in force)."""
    if key.startswith("education_"):
        return str(Education(key.removeprefix("education_")).label)
    return str(Occupation(key.removeprefix("occupation_")).label)


AGE_LABELS = {
    "age_35_or_under": ("35岁及以下", "35 or under"), "age_36_45": ("36至45岁", "36 to 45"),
    "age_46_54": ("46至54岁", "46 to 54"), "age_55_60": ("55至60岁", "55 to 60"),
    "age_over_60": ("61岁及以上", "61 or over"),
}
GROUP_LABELS = {"age": ("按年龄分", "By age"), "education": ("按学历分", "By education"),
                "occupation": ("按职业分", "By occupation")}


def structure_sentence(summary: AnnualSummary, group: str, keys: tuple[str, ...], language: str) -> str:
    figures = summary.situation.figures
    zh = _zh(language)
    parts = []
    with translation.override(language):
        for key in keys:
            f = figures[key]
            label = AGE_LABELS[key][0 if zh else 1] if key in AGE_LABELS else _label(key)
            parts.append(f"{label}{f.count}名，占{f.pct}%" if zh else f"{label}: {f.count} ({f.pct}%)")
    head = GROUP_LABELS[group][0 if zh else 1]
    return f"{head}：{'；'.join(parts)}。" if zh else f"{head}: {'; '.join(parts)}."


def recruitment_paragraph(summary: AnnualSummary, language: str) -> str:
    r = summary.recruitment
    d = summary.day
    if _zh(language):
        return (f"{d.year}年，共收到入党申请{r.applications}份，确定入党积极分子{r.activists_decided}名，"
                f"列为发展对象{r.development_targets_listed}名，接收预备党员{r.admitted}名，"
                f"预备党员按期转为正式党员{r.converted}名。截至{d.year}年{d.month}月{d.day}日，"
                f"有入党申请人{r.applicants}名、入党积极分子{r.activists}名、发展对象{r.development_targets}名。")
    return (f"In {d.year}, {r.applications} applications for membership were received, {r.activists_decided} "
            f"activists were decided on, {r.development_targets_listed} development targets were listed, "
            f"{r.admitted} probationary members were admitted and {r.converted} probationary members became full "
            f"members. As of {d.day} {d:%B %Y} there were {r.applicants} applicants, {r.activists} activists and "
            f"{r.development_targets} development targets.")


def dues_paragraph(summary: AnnualSummary, language: str) -> str:
    u = summary.dues
    if _zh(language):
        return (f"{summary.year}年，应缴党费{_money(u.assessed)}元，实收党费{_money(u.collected)}元"
                f"（其中按月交纳{_money(u.regular)}元，补交{_money(u.back)}元）；"
                f"收到自愿多交党费{_money(u.voluntary)}元（其中全额上缴中央{_money(u.to_centre)}元）；"
                f"向上级党组织上缴党费{_money(u.remitted)}元。")
    return (f"In {summary.year}, dues assessed came to {_money(u.assessed)} yuan and {_money(u.collected)} yuan "
            f"were collected ({_money(u.regular)} yuan paid for the month, {_money(u.back)} yuan paid back); "
            f"voluntary payments came to {_money(u.voluntary)} yuan ({_money(u.to_centre)} yuan of them go whole "
            f"to the Central Committee); {_money(u.remitted)} yuan were remitted to higher levels.")


def life_paragraphs(summary: AnnualSummary, language: str) -> list[str]:
    life = summary.life
    zh = _zh(language)
    if not life.duties:
        return ["本年度没有需开展组织生活的党组织。" if zh else "No organization owed organizational life this year."]
    if zh:
        head = (f"{summary.year}年，{life.units}个党组织应落实组织生活{life.owed}次，已落实{life.met}次，"
                f"落实率{life.rate}%。")
        lines = "；".join(f"{d.label(language)}应落实{d.owed}次，已落实{d.met}次，落实率{d.rate}%"
                         for d in life.duties)
        return [head, f"分项情况：{lines}。"]
    head = (f"In {summary.year}, {life.units} organizations owed {life.owed} periods of organizational life and "
            f"met {life.met} of them ({life.rate}%).")
    lines = "; ".join(f"{d.label(language)}: {d.met} of {d.owed} met ({d.rate}%)" for d in life.duties)
    return [head, f"By duty: {lines}."]


def opinions_paragraph(summary: AnnualSummary, language: str) -> str:
    o = summary.opinions
    zh = _zh(language)
    if not o.received:
        return f"{summary.year}年未受理群众意见。" if zh else f"No residents' opinions were received in {summary.year}."
    if zh:
        text = (f"{summary.year}年，共受理群众意见{o.received}件，已办结{o.completed}件，办结率{_rate(o.completion_rate)}；"
                f"按期办结{o.on_time}件，按期办结率{_rate(o.on_time_rate)}；尚未办结{o.still_open}件，其中超期{o.overdue}件。")
        if o.rated:
            text += f"群众评价{o.rated}件，平均评分{o.average_rating}分，满意率{_rate(o.satisfaction_rate)}。"
        return text
    text = (f"In {summary.year}, {o.received} residents' opinions were received and {o.completed} completed "
            f"({_rate(o.completion_rate)}); {o.on_time} were completed on time ({_rate(o.on_time_rate)}); "
            f"{o.still_open} were still open, {o.overdue} of them overdue.")
    if o.rated:
        text += (f" {o.rated} were rated, with an average rating of {o.average_rating} and a satisfaction rate of "
                 f"{_rate(o.satisfaction_rate)}.")
    return text


def title(summary: AnnualSummary, language: str) -> str:
    if _zh(language):
        return f"{summary.org_name(language)}{summary.year}年度党建工作总结"
    return f"{summary.org_name(language)}: Annual Summary of Party Building Work, {summary.year}"


def blocks(summary: AnnualSummary, language: str) -> Iterator[tuple[str, str]]:
    """The document as (style, text) paragraphs, in order."""
    zh = _zh(language)
    d = summary.day
    yield TITLE_STYLE, title(summary, language)
    yield BODY_STYLE, (f"（本总结中的数据根据系统记录生成，截至{d.year}年{d.month}月{d.day}日。）" if zh else
                       f"(The figures in this summary are generated from the records as of {d.day} {d:%B %Y}.)")
    sections: list[tuple[str, str, list[tuple[str, str]]]] = [  # zh heading, en heading, paragraphs
        ("基本情况", "Basic situation", [
            (BODY_STYLE, summary.situation.paragraph["zh-hans" if zh else "en"]),
            (HEADING2_STYLE, "（一）党员队伍结构" if zh else "1. Structure of the membership"),
            *[(BODY_STYLE, structure_sentence(summary, group, keys, language)) for group, keys in STRUCTURE_GROUPS],
        ]),
        ("发展党员工作", "Recruitment", [(BODY_STYLE, recruitment_paragraph(summary, language))]),
        ("党费收缴使用管理", "Party dues", [(BODY_STYLE, dues_paragraph(summary, language))]),
        ("组织生活开展情况", "Organizational life", [(BODY_STYLE, p) for p in life_paragraphs(summary, language)]),
        ("群众意见办理情况", "Residents' opinions", [(BODY_STYLE, opinions_paragraph(summary, language))]),
    ]
    for zh_head, en_head, place_zh, place_en in PLACES.values():
        sections.append((zh_head, en_head, [(PLACE_STYLE, place_zh if zh else place_en)]))
    for number, (zh_head, en_head, paragraphs) in enumerate(sections):
        yield HEADING1_STYLE, f"{NUMERALS[number]}、{zh_head}" if zh else f"{_roman(number + 1)}. {en_head}"
        yield from paragraphs


def _roman(n: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")[n - 1]


def plain_text(summary: AnnualSummary, language: str = "zh-hans") -> str:
    """The document's text, one paragraph a line (what the .docx holds)."""
    return "\n".join(text for _style, text in blocks(summary, language))


# --- the layout --------------------------------------------------------------------------------------------------

def _set_fonts(rpr_owner: Any, east_asian: str) -> None:
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), LATIN_FONT)


def _define_styles(document: Any) -> None:
    styles = document.styles
    for name, spec in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        style.font.size = Pt(spec["size"])
        _set_fonts(style.element, spec["font"])
        fmt = style.paragraph_format
        fmt.alignment = spec["align"]
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
        if spec["indent"]:
            fmt.first_line_indent = Pt(spec["size"] * spec["indent"])
            ind = style.element.get_or_add_pPr().get_or_add_ind()
            ind.set(qn("w:firstLineChars"), str(spec["indent"] * 100))
        if "outline" in spec:
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(spec["outline"]))
            style.element.get_or_add_pPr().append(outline)
    styles[PLACE_STYLE].font.highlight_color = WD_COLOR_INDEX.YELLOW
    styles[TITLE_STYLE].paragraph_format.line_spacing = Pt(36)  # a 22 pt title does not fit 28 pt lines
    styles[TITLE_STYLE].paragraph_format.space_after = LINE_PITCH  # one empty line under the title
    styles[HEADING1_STYLE].next_paragraph_style = styles[BODY_STYLE]
    styles[HEADING2_STYLE].next_paragraph_style = styles[BODY_STYLE]


def _page_number(paragraph: Any) -> None:
    """ "— N —" with N the PAGE field."""
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for tag, value in (("w:fldChar", "begin"), ("w:instrText", " PAGE "), ("w:fldChar", "separate"),
                       ("w:t", "1"), ("w:fldChar", "end")):
        el = OxmlElement(tag)
        if tag == "w:fldChar":
            el.set(qn("w:fldCharType"), value)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = value
        run._r.append(el)
    paragraph.add_run(" —")


def _footers(document: Any) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                        WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.style = document.styles[PAGE_NUMBER_STYLE]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        if align == WD_ALIGN_PARAGRAPH.RIGHT:  # one character in from the edge (GB/T 9704 7.5)
            fmt.right_indent = Pt(14)
        else:
            fmt.left_indent = Pt(14)
        _page_number(paragraph)


def build_document(summary: AnnualSummary, language: str = "zh-hans") -> Any:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.footer_distance = Mm(28) - Mm(7)  # the page number about 7 mm below the last line
    _define_styles(document)
    for paragraph in list(document.paragraphs):  # the template's empty first paragraph
        paragraph._p.getparent().remove(paragraph._p)
    core = document.core_properties
    core.title = title(summary, language)
    core.language = "zh-CN" if _zh(language) else "en"
    core.author = "Grassroots"
    for style, text in blocks(summary, language):
        document.add_paragraph(text, style=document.styles[style])
    _footers(document)
    return document


def write_docx(summary: AnnualSummary, language: str = "zh-hans") -> bytes:
    """The .docx file's bytes."""
    out = io.BytesIO()
    build_document(summary, language).save(out)
    return out.getvalue()
