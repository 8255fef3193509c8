"""GB/T 4761-2008 《家庭关系代码》: the two-digit code of a person's relation to the head of the household.

The table below is the standard's, as household registers and the population systems use it (checked against
several registers that copy the standard; the standard's own text was not at hand, so the names marked
`uncertain` below should be checked against it). Each group's "x0" code is the general one (20 子: a son, not
said which); a register may use either. A spreadsheet may give the code or the Chinese name; both are accepted
(`lookup`). The head is 02; 01 本人 is the person themselves (a form about one person), not used for a household.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code -> (Chinese name, English name)
RELATIONS: dict[str, tuple[str, str]] = {
    "01": ("本人", "Self"),
    "02": ("户主", "Head of household"),
    "10": ("配偶", "Spouse"),
    "11": ("夫", "Husband"),
    "12": ("妻", "Wife"),
    "20": ("子", "Son"),
    "21": ("独生子", "Only son"),
    "22": ("长子", "Eldest son"),
    "23": ("次子", "Second son"),
    "24": ("三子", "Third son"),
    "25": ("四子", "Fourth son"),
    "26": ("五子", "Fifth son"),
    "27": ("养子或继子", "Adopted son or stepson"),
    "28": ("女婿", "Son-in-law"),
    "29": ("其他儿子", "Other son"),
    "30": ("女", "Daughter"),
    "31": ("独生女", "Only daughter"),
    "32": ("长女", "Eldest daughter"),
    "33": ("次女", "Second daughter"),
    "34": ("三女", "Third daughter"),
    "35": ("四女", "Fourth daughter"),
    "36": ("五女", "Fifth daughter"),
    "37": ("养女或继女", "Adopted daughter or stepdaughter"),
    "38": ("儿媳", "Daughter-in-law"),
    "39": ("其他女儿", "Other daughter"),
    "40": ("孙子、孙女或外孙子、外孙女", "Grandchild"),
    "41": ("孙子", "Grandson (son's son)"),
    "42": ("孙女", "Granddaughter (son's daughter)"),
    "43": ("外孙子", "Grandson (daughter's son)"),
    "44": ("外孙女", "Granddaughter (daughter's daughter)"),
    "45": ("孙媳妇或外孙媳妇", "Grandson's wife"),
    "46": ("孙女婿或外孙女婿", "Granddaughter's husband"),
    "47": ("曾孙子或外曾孙子", "Great-grandson"),
    "48": ("曾孙女或外曾孙女", "Great-granddaughter"),
    "49": ("其他孙子、孙女或外孙子、外孙女", "Other grandchild"),
    "50": ("父母", "Parent"),
    "51": ("父亲", "Father"),
    "52": ("母亲", "Mother"),
    "53": ("公公", "Father-in-law (husband's father)"),
    "54": ("婆婆", "Mother-in-law (husband's mother)"),
    "55": ("岳父", "Father-in-law (wife's father)"),
    "56": ("岳母", "Mother-in-law (wife's mother)"),
    "57": ("继父或养父", "Stepfather or adoptive father"),
    "58": ("继母或养母", "Stepmother or adoptive mother"),
    "59": ("其他父母关系", "Other parent"),
    "60": ("祖父母或外祖父母", "Grandparent"),
    "61": ("祖父", "Grandfather (father's father)"),
    "62": ("祖母", "Grandmother (father's mother)"),
    "63": ("外祖父", "Grandfather (mother's father)"),
    "64": ("外祖母", "Grandmother (mother's mother)"),
    "65": ("配偶的祖父母或外祖父母", "Spouse's grandparent"),  # uncertain
    "66": ("曾祖父", "Great-grandfather"),  # uncertain
    "67": ("曾祖母", "Great-grandmother"),  # uncertain
    "68": ("配偶的曾祖父母或外曾祖父母", "Spouse's great-grandparent"),  # uncertain
    "69": ("其他祖父母或外祖父母关系", "Other grandparent"),
    "70": ("兄弟姐妹", "Sibling"),
    "71": ("兄", "Elder brother"),
    "72": ("嫂", "Elder brother's wife"),
    "73": ("弟", "Younger brother"),
    "74": ("弟媳", "Younger brother's wife"),
    "75": ("姐姐", "Elder sister"),
    "76": ("姐夫", "Elder sister's husband"),
    "77": ("妹妹", "Younger sister"),
    "78": ("妹夫", "Younger sister's husband"),
    "79": ("其他兄弟姐妹", "Other sibling"),
    "80": ("其他", "Other relative (general)"),  # uncertain: some registers name 80 "其他"
    "81": ("伯父", "Uncle (father's elder brother)"),
    "82": ("伯母", "Aunt (his wife)"),
    "83": ("叔父", "Uncle (father's younger brother)"),
    "84": ("婶母", "Aunt (his wife)"),
    "85": ("舅父", "Uncle (mother's brother)"),
    "86": ("舅母", "Aunt (his wife)"),
    "87": ("姨父", "Uncle (mother's sister's husband)"),
    "88": ("姨母", "Aunt (mother's sister)"),
    "89": ("姑父", "Uncle (father's sister's husband)"),
    "90": ("姑母", "Aunt (father's sister)"),
    "91": ("堂兄弟、堂姐妹", "Cousin (father's brother's child)"),
    "92": ("表兄弟、表姐妹", "Cousin"),
    "93": ("侄子", "Nephew (brother's son)"),
    "94": ("侄女", "Niece (brother's daughter)"),
    "95": ("外甥", "Nephew (sister's son)"),
    "96": ("外甥女", "Niece (sister's daughter)"),
    "97": ("其他亲属", "Other relative"),
    "99": ("非亲属", "Not related"),
}
HEAD = "02"
UNCERTAIN = frozenset({"65", "66", "67", "68", "80"})
# Words registers write that are not the standard's names.
ALIASES = {"本人": "02", "户主本人": "02", "丈夫": "11", "妻子": "12", "儿子": "20", "女儿": "30", "孙子女": "40",
           "外孙": "43", "父": "51", "母": "52", "爸爸": "51", "妈妈": "52", "爷爷": "61", "奶奶": "62",
           "兄弟": "70", "姐妹": "70", "哥哥": "71", "弟弟": "73", "媳妇": "38", "其他亲戚": "97", "其它": "99",
           "保姆": "99"}


def name_zh(code: str) -> str:
    return RELATIONS.get(code, (code, code))[0]


def label(code: str, language: str = "zh") -> str:
    zh, en = RELATIONS.get(code, (code, code))
    return zh if language.startswith("zh") else en


def lookup(text: str) -> str | None:
    """The code a register's cell names: the code itself ("2", "02", "１２"), the standard's name, or a common
    word for it (儿子, 妻子). "本人" in a household register is the head. None when unknown."""
    value = str(text or "").strip()
    if value.isdigit():
        code = value.zfill(2)
        return code if code in RELATIONS else None
    if value in ALIASES:
        return ALIASES[value]
    for code, (zh, en) in RELATIONS.items():
        if value == zh or value.casefold() == en.casefold():
            return code
    return None


def choices() -> list[tuple[str, str]]:
    """For a form: "20 子", the head left out (a new head comes by `head_change`)."""
    return [(code, f"{code} {zh}") for code, (zh, _en) in RELATIONS.items() if code not in ("01", HEAD)]


VERBOSE = _("relation to the head (GB/T 4761-2008)")
