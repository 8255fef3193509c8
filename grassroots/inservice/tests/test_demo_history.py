"""The demo builder on a small town of its own (the full demo is built once in grassroots/demo/tests): in-service
members of an institution's branch report to two communities from 2019 to today; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from conftest import make_member
from grassroots.core.context import acting
from grassroots.inservice.demo import demo_history
from grassroots.inservice.models import Report, Service
from grassroots.inservice.selectors import year_counts


def test_history_is_idempotent(db: Any) -> None:
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        for code in ("HS-SZL", "HS-DZ"):
            org_create(code=code, name=f"{code}党总支", kind="general_branch", founded_on=dt.date(1956, 1, 1),
                       parent=town)
        school = org_create(code="HS-XX", name="中心学校党支部", kind="branch", founded_on=dt.date(1960, 1, 1),
                            parent=town)
        make_member(school, name="退休教师", joined_on=dt.date(2000, 7, 1), occupation="retired")  # first, passed over
        for i in range(5):
            make_member(school, name=f"教师党员{i}", joined_on=dt.date(2000, 7, 1))
        today = dt.date(2021, 9, 20)
        demo_history(io.StringIO(), today=today, recent_years=1)
        counts = (Report.objects.count(), Service.objects.count())
        demo_history(io.StringIO(), today=today, recent_years=1)
    assert (Report.objects.count(), Service.objects.count()) == counts
    assert Report.objects.filter(first=True).count() == 4  # PER_HOME in-service members; the retired one not
    assert not Report.objects.filter(member__name="退休教师").exists()
    assert Report.objects.filter(date__year=2019).exists() and Report.objects.filter(date__year=2021).exists()
    assert not Report.objects.filter(date__year=2020).exists()  # 2019 and the last year only
    assert Service.objects.filter(evaluation="good").exists()
    figures = year_counts(town, 2021, today)
    assert figures["reported"] == 4 and figures["services"] > 4 and figures["own_reported"] == 4
