"""Resident ID numbers (GB 11643-1999): 18 characters, the last a check digit (0-9 or X)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class IDNumberError(ValueError):
    pass


# Full-width digits, letters, the signs of numbers, dates, phones and e-mail addresses (＋－．／＠) and the
# ideographic space as ASCII: what NFKC does to them, leaving Chinese punctuation (，：；！？（）) as it is in free text.
FULL_WIDTH = {**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
              **{0xFF41 + i: 0x61 + i for i in range(26)}, 0xFF0B: 0x2B, 0xFF0D: 0x2D, 0xFF0E: 0x2E, 0xFF0F: 0x2F,
              0xFF20: 0x40, 0x3000: 0x20}


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize(value: str) -> str:
    """Full-width digits and letters as ASCII (a number typed with a Chinese input method is the same number), no
    spaces, the check letter in upper case."""
    return "".join((value or "").translate(FULL_WIDTH).split()).upper()


def validate(value: str) -> str:
    """Return the normalized number, or raise IDNumberError saying what is wrong."""
    v = normalize(value)
    if len(v) != 18:
        raise IDNumberError(_("must have 18 characters, has %(n)d") % {"n": len(v)})
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise IDNumberError(_("must be 17 digits followed by a digit or X"))
    try:
        dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError as exc:
        raise IDNumberError(_("birth date %(d)s is not a date") % {"d": v[6:14]}) from exc
    expected = check_digit(v[:17])
    if v[17] != expected:
        raise IDNumberError(_("bad check digit: %(got)s, expected %(expected)s") % {"got": v[17], "expected": expected})
    return v


def birth_date(value: str) -> dt.date:
    v = normalize(value)
    return dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))


def sex_code(value: str) -> str:
    """'M' or 'F' from the sequence digit (odd: male)."""
    return "M" if int(normalize(value)[16]) % 2 == 1 else "F"


def mask(value: str) -> str:
    """110***********1234: the first 3 and last 4 characters shown."""
    v = normalize(value)
    if len(v) <= 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_phone(value: str) -> str:
    v = (value or "").strip()
    if len(v) < 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_email(value: str) -> str:
    """z***@example.com: the first character and the domain shown."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return value[:1] + "***"
    return f"{local[:1]}***@{domain}"


# The keys under which records, events and audit entries hold personal data, and how each is masked: what the
# audit log (its page, export and API) and the events' details show to anyone.
PERSONAL_KEYS = {"id_number": mask, "phone": mask_phone, "contact": mask_phone, "submitter_phone": mask_phone,
                 "submitter_email": mask_email}


def mask_personal(values: Any) -> Any:
    """A copy of `values` (a dict, list, or nested ones) with every value under a key of PERSONAL_KEYS masked.
    Masking is idempotent: an entry that already holds masked values reads the same."""
    if isinstance(values, dict):
        return {k: (PERSONAL_KEYS[k](str(v)) if k in PERSONAL_KEYS and isinstance(v, str | int) and v != ""
                    else mask_personal(v)) for k, v in values.items()}
    if isinstance(values, list):
        return [mask_personal(v) for v in values]
    return values


def make(region: str, birth: dt.date, seq: int) -> str:
    """Build a valid number (for demo data and tests): 6-digit region, birth date, 3-digit sequence."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)
