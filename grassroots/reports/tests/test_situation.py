"""The opening paragraph carries the membership and the recruitment figures, in Chinese and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from grassroots.core.context import acting
from grassroots.recruitment.tests.factories import make_activist, make_development_target
from grassroots.reports.situation import basic_situation

D = dt.date


def test_the_paragraph_counts_members_activists_and_targets(cast: Any) -> None:
    with acting(None, "system"):
        make_activist(cast.branch_a, applied_on=D(2018, 9, 3), name="积极分子甲")
        make_activist(cast.branch_b, applied_on=D(2018, 10, 8), name="积极分子乙")
        make_development_target(cast.branch_a, applied_on=D(2017, 3, 1), name="发展对象丙")
        make_activist(cast.branch_c, applied_on=D(2018, 9, 3), name="外街积极分子")  # another street
    zh = basic_situation(cast.street, D(2019, 12, 31), "zh-hans")
    assert "共有党员3名" in zh and zh.endswith("现有入党积极分子2名，发展对象1名。")
    en = basic_situation(cast.street, D(2019, 12, 31), "en")
    assert "3 members in total" in en and en.endswith("There were 2 activists and 1 development target "
                                                      "for Party membership.")
