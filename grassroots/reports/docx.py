"""The annual summary as a Word document in the layout of Chinese official documents (GB/T 9704-2012).

A4, margins 37/35/28/26 mm (top, bottom, left, right); the title in 方正小标宋简体 22 pt, centred; the body in
仿宋_GB2312 16 pt, first line indented two characters, lines exactly 28 pt apart; level-1 headings ("一、") in
黑体, level-2 headings ("（一）") in 楷体_GB2312, both 16 pt; page numbers "— N —" in 宋体 14 pt at the foot, on
the right of odd pages and the left of even ones. Each is a named style (`STYLES`) so a user can restyle the
whole document at once; a machine without a font shows a fallback.

The data sections come from `annual.AnnualSummary`: each registered section gives its heading and paragraphs
(`core.modules.SectionText`), and this module alone numbers, styles and lays them out. Highlights, problems and
next steps need people's words: they are left as highlighted places to write (`PLACE_STYLE`), never filled in.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from grassroots.core.modules import Subheading

from .annual import AnnualSummary

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

DIGITS = "零一二三四五六七八九"

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


def title(summary: AnnualSummary, language: str) -> str:
    if _zh(language):
        return f"{summary.org_name(language)}{summary.year}年度党建工作总结"
    return f"{summary.org_name(language)}: Annual Summary of Party Building Work, {summary.year}"


def blocks(summary: AnnualSummary, language: str) -> Iterator[tuple[str, str]]:
    """The document as (style, text) paragraphs, in order: the title, the day of the figures, each registered
    section's words (`core.modules.Section`) numbered, then the places to write."""
    zh = _zh(language)
    d = summary.day
    yield TITLE_STYLE, title(summary, language)
    yield BODY_STYLE, (f"（本总结中的数据根据系统记录生成，截至{d.year}年{d.month}月{d.day}日。）" if zh else
                       f"(The figures in this summary are generated from the records as of {d.day} {d:%B %Y}.)")
    texts = [section.written(figures, d, language) for section, figures in summary.parts]
    for number, text in enumerate(texts, start=1):
        yield HEADING1_STYLE, _heading(number, text.heading, zh)
        subsection = 0
        for paragraph in text.paragraphs:
            if isinstance(paragraph, Subheading):
                subsection += 1
                yield HEADING2_STYLE, (f"（{chinese_numeral(subsection)}）{paragraph.text}" if zh else
                                       f"{subsection}. {paragraph.text}")
            else:
                yield BODY_STYLE, paragraph
    for extra, (zh_head, en_head, place_zh, place_en) in enumerate(PLACES.values(), start=1):
        yield HEADING1_STYLE, _heading(len(texts) + extra, zh_head if zh else en_head, zh)
        yield PLACE_STYLE, place_zh if zh else place_en


def _heading(number: int, text: str, zh: bool) -> str:
    return f"{chinese_numeral(number)}、{text}" if zh else f"{roman_numeral(number)}. {text}"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 21 → 二十一 (a document's headings, 1 to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"no heading number {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def roman_numeral(n: int) -> str:
    """1 → I, 4 → IV, 14 → XIV (1 to 3999)."""
    if not 1 <= n <= 3999:
        raise ValueError(f"no heading number {n}")
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += letters * count
    return out


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


def define_styles(document: Any) -> None:
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
    define_styles(document)
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
