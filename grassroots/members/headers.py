"""The columns of a member spreadsheet and the cell labels people type: one table, read by import and export.

A header matches its column whatever the spacing, case, underscores, a trailing "*" (required marks) or a
hint in brackets ("出生日期（2019-12-31）"). Cell labels match the same way.
"""

from __future__ import annotations

from grassroots.core.sheets import Column, norm

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

SEX_LABELS: dict[str, tuple[str, ...]] = {
    Sex.MALE: ("男", "男性", "男士", "male", "m"),
    Sex.FEMALE: ("女", "女性", "女士", "female", "f"),
}
EDUCATION_LABELS: dict[str, tuple[str, ...]] = {
    Education.POSTGRADUATE: ("研究生", "博士研究生", "硕士研究生", "博士", "硕士", "postgraduate"),
    Education.BACHELOR: ("大学本科", "本科", "学士", "bachelor"),
    Education.COLLEGE: ("大专", "大学专科", "专科", "college"),
    Education.SECONDARY_TECHNICAL: ("中专", "中等专科", "中等专业", "中技", "技校", "技工学校", "secondary_technical"),
    Education.HIGH_SCHOOL: ("高中", "普通高中", "职高", "high_school"),
    Education.JUNIOR_HIGH_OR_BELOW: ("初中及以下", "初中", "小学", "小学及以下", "junior_high_or_below"),
}
OCCUPATION_LABELS: dict[str, tuple[str, ...]] = {
    Occupation.IN_SERVICE: ("在岗职工", "在职职工", "在岗", "在职", "公务员", "事业单位人员", "企业职工", "in_service"),
    Occupation.RETIRED: ("离退休人员", "离退休", "退休", "离休", "retired"),
    Occupation.FARMER: ("农牧渔民", "农民", "farmer"),
    Occupation.STUDENT: ("学生", "student"),
    Occupation.UNEMPLOYED_OR_DEMOBILIZED: ("待业毕业生或退役军人", "待业毕业生", "未就业高校毕业生", "未就业毕业生",
                                           "退役军人", "退伍军人", "复员退伍军人", "unemployed_or_demobilized"),
    Occupation.FREELANCE: ("自由职业或个体", "自由职业", "自由职业者", "灵活就业", "灵活就业人员", "个体", "个体户",
                           "个体工商户", "个体经营", "freelance"),
    Occupation.OTHER: ("其他", "其它", "other"),
}
STATUS_LABELS: dict[str, tuple[str, ...]] = {
    Status.FULL: ("正式党员", "正式", "full"),
    Status.PROBATIONARY: ("预备党员", "预备", "probationary"),
}


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
