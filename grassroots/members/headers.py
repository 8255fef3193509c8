"""The columns of a member spreadsheet and the cell labels people type: one table, read by import and export.

A header matches its column whatever the spacing, case, underscores, a trailing "*" (required marks) or a
hint in brackets ("出生日期（2019-12-31）"). Cell labels match the same way.
"""

from __future__ import annotations

from django.utils import timezone

from grassroots.core.sheets import Column, norm
from grassroots.rules.registry import in_force

from .models import Education, Occupation, Sex, Status

# In the order of the export and the template.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", ("名字", "full_name"), required=True),
    Column("sex", "性别", "sex", ("gender",), required=True),
    Column("ethnicity", "民族", "ethnicity", ("nation",)),
    Column("birth_date", "出生日期", "birth_date", ("出生年月日", "birthday", "date_of_birth")),
    Column("id_number", "身份证号", "id_number", ("身份证号码", "公民身份号码", "身份证", "id_no"), required=True),
    Column("education", "学历", "education", ("文化程度",), required=True),
    Column("occupation", "人员类别", "occupation", ("职业",), required=True),
    Column("status", "党员状态", "status", ("党籍状态",)),
    Column("joined_on", "入党时间", "joined_on", ("入党日期", "join_date"), required=True),
    Column("converted_on", "转正时间", "converted_on", ("转正日期",)),
    Column("org_code", "所在党组织", "org_code", ("所在党支部", "所在支部", "党组织", "org", "organization")),
    Column("phone", "联系电话", "phone", ("手机号码", "手机", "电话", "联系方式", "mobile_phone")),
    Column("party_group_code", "党小组", "party_group_code", ("所在党小组", "party_group")),
)
ZH_HEADERS = [c.zh for c in COLUMNS]

def _labels(field: str) -> dict[str, tuple[str, ...]]:
    """The labels of one field, from the rule `members.labels` (rules data: add a label there, not here)."""
    return {code: tuple(names) for code, names in in_force("members.labels", timezone.localdate())[field].items()}


SEX_LABELS = _labels("sex")
EDUCATION_LABELS = _labels("education")
OCCUPATION_LABELS = _labels("occupation")
STATUS_LABELS = _labels("status")


def _index(labels: dict[str, tuple[str, ...]], choices: type) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, names in labels.items():
        # the code itself, the enum name ("MALE") and the Chinese names
        for name in (str(code), str(choices(code).name), *names):
            out[norm(name)] = str(code)
    return out


_SEX = _index(SEX_LABELS, Sex)
_EDUCATION = _index(EDUCATION_LABELS, Education)
_OCCUPATION = _index(OCCUPATION_LABELS, Occupation)
_STATUS = _index(STATUS_LABELS, Status)
LOOKUPS = {"sex": _SEX, "education": _EDUCATION, "occupation": _OCCUPATION, "status": _STATUS}


def code_for(field: str, label: str) -> str | None:
    """The model's code for a cell label ("本科" -> "bachelor"), or None when unknown."""
    return LOOKUPS[field].get(norm(label))


ZH_LABELS: dict[str, dict[str, tuple[str, ...]]] = {"sex": SEX_LABELS, "education": EDUCATION_LABELS, "occupation": OCCUPATION_LABELS,
              "status": STATUS_LABELS}


def zh_label(field: str, code: str) -> str:
    """The Chinese label written by the export (the first of the names above)."""
    names = ZH_LABELS[field].get(code)
    return names[0] if names else code
