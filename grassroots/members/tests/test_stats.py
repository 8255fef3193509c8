"""Structure statistics: percentages, age bands at their edges, buckets, and the basic-situation text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_member
from grassroots.core.context import acting
from grassroots.members import stats
from grassroots.members.services import member_record_event
from grassroots.orgs.services import org_create

D = dt.date
DAY = D(2024, 6, 30)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("count,total,expected", [
    (12, 391, "3.07"), (148, 391, "37.85"), (15, 391, "3.84"), (128, 391, "32.74"), (139, 391, "35.55"),
    (1, 8, "12.50"), (1, 200, "0.50"), (1, 16, "6.25"), (1, 3, "33.33"), (2, 3, "66.67"), (1, 400, "0.25"),
    (1, 800, "0.13"), (1, 1600, "0.06"), (391, 391, "100.00"), (0, 391, "0.00"), (0, 0, "0.00"), (5, 0, "0.00"),
])
def test_pct_rounds_half_up(count: int, total: int, expected: str) -> None:
    result = stats.pct(count, total)
    assert isinstance(result, Decimal)
    assert str(result) == expected


def test_years_before_on_29_february() -> None:
    assert stats.years_before(D(2024, 2, 29), 1) == D(2023, 2, 28)
    assert stats.years_before(D(2024, 2, 29), 4) == D(2020, 2, 29)
    assert stats.years_before(D(2024, 3, 1), 35) == D(1989, 3, 1)


def _bands(counts: dict[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in ("age_30_or_under", "age_35_or_under", "age_36_45", "age_46_54", "age_55_60",
                                   "age_over_60", "age_36_54", "age_55_or_over")}


def _one(birth: dt.date, org: Any) -> Any:
    return make_member(org, name="测", birth=birth, joined_on=D(2020, 1, 1), converted_on=D(2021, 1, 1))


@pytest.mark.parametrize("birth,day,band", [
    (D(1989, 6, 30), DAY, "age_35_or_under"),  # exactly 35 today
    (D(1988, 7, 1), DAY, "age_35_or_under"),  # 36 tomorrow
    (D(1988, 6, 30), DAY, "age_36_45"),  # 36 today
    (D(1988, 6, 29), DAY, "age_36_45"),  # the day after turning 36
    (D(1978, 7, 1), DAY, "age_36_45"),  # 45, 46 tomorrow
    (D(1978, 6, 30), DAY, "age_46_54"),
    (D(1969, 7, 1), DAY, "age_46_54"),
    (D(1969, 6, 30), DAY, "age_55_60"),
    (D(1963, 7, 1), DAY, "age_55_60"),
    (D(1963, 6, 30), DAY, "age_over_60"),
    (D(1988, 2, 29), D(2024, 2, 28), "age_35_or_under"),  # 29 February: not yet 36 on the 28th of a leap year
    (D(1988, 2, 29), D(2024, 2, 29), "age_36_45"),
    (D(1988, 2, 29), D(2023, 2, 28), "age_35_or_under"),  # 34 until 1 March in a common year
    (D(1989, 2, 28), D(2024, 2, 29), "age_35_or_under"),
    (D(1988, 3, 1), D(2024, 2, 29), "age_35_or_under"),
    (D(1988, 2, 28), D(2024, 2, 29), "age_36_45"),
])
def test_age_bands_at_their_edges(cast: Any, birth: dt.date, day: dt.date, band: str) -> None:
    with acting(None, "system"):
        g = org_create(code="T", name="测试支部", kind="branch", founded_on=D(2000, 1, 1), parent=cast.other_street)
        _one(birth, g)
    bands = _bands(stats.structure_counts(g, day))
    expected = {k: 0 for k in bands}
    expected[band] = 1
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if age <= 30:
        expected["age_30_or_under"] = 1
    if 36 <= age <= 54:
        expected["age_36_54"] = 1
    if age >= 55:
        expected["age_55_or_over"] = 1
    assert bands == expected


@pytest.fixture
def street(cast: Any) -> Any:
    """Eight members under S on DAY, with known attributes (the cast's three plus five)."""
    with acting(None, "system"):
        a, b = cast.branch_a, cast.branch_b
        make_member(a, name="一", sex="F", birth=D(1995, 1, 1), education="postgraduate", occupation="student",
                    status="probationary", converted_on=None, joined_on=D(2023, 1, 1), ethnicity="回族")
        make_member(a, name="二", sex="F", birth=D(1950, 1, 1), education="high_school", occupation="retired")
        make_member(b, name="三", birth=D(1960, 5, 5), education="junior_high_or_below", occupation="farmer",
                    ethnicity="壮族")
        m4 = make_member(b, name="四", birth=D(1990, 1, 1), education="college", occupation="freelance",
                         joined_on=D(2012, 1, 1), converted_on=D(2013, 1, 1))
        make_member(b, name="五", birth=D(1985, 1, 1), education="secondary_technical", occupation="other")
        member_record_event(m4, kind="mobile_out", on=D(2024, 1, 1))
        member_record_event(cast.member_b, kind="suspended", on=D(2024, 1, 1))
    return cast


def test_structure_counts(street: Any) -> None:
    c = stats.structure_counts(street.street, DAY)
    assert c["total"] == 8
    assert (c["probationary"], c["full"]) == (1, 7)
    assert (c["male"], c["female"]) == (5, 3)  # 李明, 一, 二
    assert (c["han"], c["minority"]) == (6, 2)
    assert (c["mobile"], c["suspended"]) == (1, 1)
    assert c["college_or_above"] == 5  # the cast's three bachelors, 一 postgraduate, 四 college
    assert (c["education_bachelor"], c["education_postgraduate"], c["education_college"]) == (3, 1, 1)
    assert (c["education_high_school"], c["education_junior_high_or_below"], c["education_secondary_technical"]) == (
        1, 1, 1)
    assert sum(c[f"education_{v}"] for v in ("postgraduate", "bachelor", "college", "secondary_technical",
                                             "high_school", "junior_high_or_below")) == 8
    assert c["occupation_in_service"] == 3 and c["occupation_retired"] == 1 and c["occupation_farmer"] == 1
    assert sum(v for k, v in c.items() if k.startswith("occupation_")) == 8
    assert _bands(c) == {"age_30_or_under": 1, "age_35_or_under": 2, "age_36_45": 4, "age_46_54": 0,
                         "age_55_60": 0, "age_over_60": 2, "age_36_54": 4, "age_55_or_over": 2}
    # only A's subtree; and before the extra members joined
    assert stats.structure_counts(street.branch_a, DAY)["total"] == 4
    assert stats.structure_counts(street.street, D(2022, 12, 31))["total"] == 7
    assert stats.structure_counts(street.street, D(2023, 12, 31))["mobile"] == 0


def test_structure_stats_and_orgs_by_kind(street: Any) -> None:
    s = stats.structure_stats(street.street, DAY)
    assert s["exists"] and s["org"]["name"] == "街道党工委" and s["as_of"] == "2024-06-30"
    assert s["total"] == {"count": 8, "pct": Decimal("100.00")}
    assert s["probationary"] == {"count": 1, "pct": Decimal("12.50")}
    assert s["female"]["pct"] == Decimal("37.50") and s["minority"]["pct"] == Decimal("25.00")
    assert s["organizations"] == {"committee": 0, "working_committee": 0, "general_branch": 1, "branch": 2,
                                  "party_group": 1}
    assert stats.to_json(s)["probationary"]["pct"] == 12.5
    empty = stats.structure_stats(street.street, D(1999, 1, 1))
    assert not empty["exists"] and empty["total"] == {"count": 0, "pct": Decimal("0.00")}


def test_basic_situation_in_chinese(street: Any) -> None:
    text = stats.basic_situation(street.street, DAY)
    assert text.startswith("截至2024年6月30日，街道党工委下设党总支1个、党支部2个、党小组1个，共有党员8名。")
    for fragment in ("预备党员1名，占党员总数的12.50%", "女党员3名，占37.50%", "少数民族党员2名，占25.00%",
                     "35岁及以下党员2名，占25.00%", "36至54岁党员4名，占50.00%", "55岁及以上党员2名，占25.00%",
                     "大专及以上学历党员5名，占62.50%", "流动党员1名"):
        assert fragment in text


def test_basic_situation_in_english(street: Any) -> None:
    text = stats.basic_situation(street.street, DAY, language="en")
    assert text.startswith("As of 30 June 2024, 街道党工委 had 1 general branch, 2 branches and 1 Party group under it "
                           "and 8 members in total.")
    for fragment in ("1 were probationary members, 12.50% of the total", "3 were women (37.50%)",
                     "2 belonged to ethnic minorities (25.00%)", "2 were aged 35 or under (25.00%), 4 were 36 to 54 (50.00%) and 2 were 55 or over (25.00%)",
                     "5 had a college education or above (62.50%)", "1 were mobile members"):
        assert fragment in text


def test_basic_situation_of_a_branch_without_sub_organizations(street: Any) -> None:
    assert stats.basic_situation(street.branch_b, DAY).startswith("截至2024年6月30日，第二支部共有党员4名。")
    assert " had 4 members in total." in stats.basic_situation(street.branch_b, DAY, language="en")


def test_age_bands_are_rules_data() -> None:
    bands = stats.age_bands(DAY)
    keys = [b.key for b in bands]
    assert len(keys) == len(set(keys))
    assert {"age_35_or_under", "age_36_54", "age_55_or_over", "age_30_or_under"} <= set(keys)
    # the bands that divide the total cover every age exactly once
    breakdown = sorted((b for b in bands if b.in_breakdown), key=lambda b: b.youngest or 0)
    assert breakdown[0].youngest is None and breakdown[-1].oldest is None
    for a, b in zip(breakdown, breakdown[1:], strict=False):
        assert a.oldest is not None and b.youngest == a.oldest + 1
    wide = {b.key: b for b in bands}
    assert (wide["age_36_54"].youngest, wide["age_36_54"].oldest) == (36, 54)
    assert (wide["age_55_or_over"].youngest, wide["age_55_or_over"].oldest) == (55, None)
    assert wide["age_55_or_over"].label("zh-hans") == "55岁及以上" and wide["age_36_54"].label("en") == "36 to 54"
