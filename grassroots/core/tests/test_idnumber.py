"""GB 11643 resident ID numbers: validation, check digit, masking, sex."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.core import idnumber

KNOWN_VALID = ["11010519491231002X", "440524188001010014", "110101199003074477"]


def _weighted_check(first17: str) -> str:
    """An independent computation: ISO 7064 MOD 11-2 with weights 2^(17-i) mod 11."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    return "10X98765432"[total % 11]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_numbers(number: str) -> None:
    assert idnumber.validate(number) == number
    assert idnumber.check_digit(number[:17]) == number[17] == _weighted_check(number[:17])


def test_lowercase_x_and_spaces_are_normalized() -> None:
    assert idnumber.validate(" 11010519491231002x ") == "11010519491231002X"
    assert idnumber.validate("110105 19491231 002x") == "11010519491231002X"


def test_wrong_check_digit() -> None:
    with pytest.raises(idnumber.IDNumberError, match="check digit: 3, expected X"):
        idnumber.validate("110105194912310023")


@pytest.mark.parametrize("number,count", [("11010519491231002", 17), ("11010519491231002X1", 19), ("", 0)])
def test_wrong_length(number: str, count: int) -> None:
    with pytest.raises(idnumber.IDNumberError, match=f"has {count}"):
        idnumber.validate(number)


def test_letters_in_the_wrong_place() -> None:
    with pytest.raises(idnumber.IDNumberError, match="17 digits"):
        idnumber.validate("1101051949123100XX")
    with pytest.raises(idnumber.IDNumberError, match="17 digits"):
        idnumber.validate("11010519491231002Y")


@pytest.mark.parametrize("birth", ["19490230", "19491301", "20230229", "19490000"])
def test_impossible_birth_date(birth: str) -> None:
    first17 = f"110105{birth}002"
    number = first17 + idnumber.check_digit(first17)  # a correct check digit: the date alone is wrong
    with pytest.raises(idnumber.IDNumberError, match=f"birth date {birth} is not a date"):
        idnumber.validate(number)


def test_leap_day_birth_is_valid() -> None:
    number = idnumber.make("110105", dt.date(2000, 2, 29), 12)
    assert idnumber.validate(number) == number
    assert idnumber.birth_date(number) == dt.date(2000, 2, 29)


def test_make_builds_valid_numbers() -> None:
    for seq in range(0, 1000, 37):
        number = idnumber.make("530522", dt.date(1980, 3, 4), seq)
        assert len(number) == 18
        assert number[6:14] == "19800304"
        assert number[14:17] == f"{seq:03d}"
        assert idnumber.validate(number) == number
        assert number[17] == _weighted_check(number[:17])


def test_birth_date_and_sex_code() -> None:
    assert idnumber.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert idnumber.sex_code("11010519491231002X") == "F"  # sequence 002: even
    male = idnumber.make("110105", dt.date(1990, 1, 1), 13)
    assert idnumber.sex_code(male) == "M"
    assert idnumber.sex_code(idnumber.make("110105", dt.date(1990, 1, 1), 14)) == "F"


def test_mask() -> None:
    assert idnumber.mask("110105194912311234") == "110***********1234"
    assert idnumber.mask("11010519491231002x") == "110***********002X"
    masked = idnumber.mask("440524188001010014")
    assert len(masked) == 18 and masked.count("*") == 11
    assert "18800101" not in masked
    assert idnumber.mask("1234567") == "*******"


def test_mask_phone() -> None:
    assert idnumber.mask_phone("13800138000") == "138****8000"
    assert idnumber.mask_phone("123") == "***"
    assert idnumber.mask_phone("") == ""
