"""The volunteer-service certificate (志愿服务记录证明) as a .docx in the house style of `reports.docx`: the four
blocks of Order 67 (the volunteer; hours and content; the issuer; the number, date and notes)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.shared import Pt

from grassroots.core.idnumber import mask
from grassroots.reports.docx import BODY_STYLE, HEADING2_STYLE, PAGE, TITLE_STYLE, define_styles

from .models import Certificate, IdType

# The certificate is a Chinese document: the document types in Chinese whatever the reader's language.
ID_TYPES_ZH = {IdType.RESIDENT_ID: "居民身份证", IdType.HK_MACAO: "港澳居民来往内地通行证",
               IdType.TAIWAN: "台湾居民来往大陆通行证", IdType.PASSPORT: "护照", IdType.OTHER: "其他证件"}

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _cn_date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _table(document: Any, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        for cell in cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(12)


def build(certificate: Certificate) -> Any:
    v = certificate.volunteer
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    define_styles(document)
    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    document.core_properties.title = f"志愿服务记录证明 {certificate.number}"
    document.core_properties.language = "zh-CN"
    document.core_properties.author = "Grassroots"
    styles = document.styles
    document.add_paragraph("志愿服务记录证明", style=styles[TITLE_STYLE])
    document.add_paragraph(f"证明编号：{certificate.number}", style=styles[BODY_STYLE])
    document.add_paragraph("一、志愿者基本信息", style=styles[HEADING2_STYLE])
    number = v.document_number
    _table(document, [("姓名", v.display_name), ("证件类型", ID_TYPES_ZH[IdType.RESIDENT_ID if v.member_id else IdType(v.id_type)]),
                      ("证件号码", mask(number) if number else ""), ("志愿者编号", v.number)])
    document.add_paragraph("二、志愿服务时长和内容", style=styles[HEADING2_STYLE])
    document.add_paragraph(
        f"经核实，该志愿者于{_cn_date(certificate.period_start)}至{_cn_date(certificate.period_end)}期间，"
        f"累计参加志愿服务时长{certificate.hours}小时。", style=styles[BODY_STYLE])
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("日期", "服务内容", "时长（小时）"), strict=True):
        cell.text = text
    for day, what, hours in certificate.content:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(day), str(what), str(hours)
    document.add_paragraph("三、出具组织信息", style=styles[HEADING2_STYLE])
    _table(document, [("出具组织", certificate.org.name), ("负责人", certificate.person_in_charge),
                      ("经办人", certificate.handler), ("联系方式", certificate.contact)])
    document.add_paragraph("四、证明信息", style=styles[HEADING2_STYLE])
    _table(document, [("证明编号", certificate.number), ("出具日期", _cn_date(certificate.issued_on)),
                      ("备注", certificate.notes or "服务时长为实际服务时间，不含交通时间。")])
    document.add_paragraph(f"{certificate.org.name}（盖章）", style=styles[BODY_STYLE])
    document.add_paragraph(_cn_date(certificate.issued_on), style=styles[BODY_STYLE])
    return document


def certificate_docx(certificate: Certificate) -> bytes:
    out = io.BytesIO()
    build(certificate).save(out)
    return out.getvalue()
