"""The demo builder on a small town of its own (the full demo is built once in grassroots/demo/tests): it runs
from 2019 to today, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from conftest import make_member
from grassroots.core.context import acting
from grassroots.volunteers.demo import demo_history
from grassroots.volunteers.models import (
    Activity,
    Certificate,
    Correction,
    Participation,
    SelfReport,
    TeamMembership,
    Volunteer,
)

MODELS = (Volunteer, Activity, Participation, SelfReport, Correction, Certificate, TeamMembership)


def test_history_is_idempotent(db: Any) -> None:
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        for code in ("HS-SZL", "HS-DZ", "HS-SY"):
            branch = org_create(code=code, name=f"{code}党总支", kind="general_branch", founded_on=dt.date(1956, 1, 1),
                                parent=town)
            for i in range(6):
                make_member(branch, name=f"{code}党员{i}", joined_on=dt.date(2000, 7, 1))
        today = dt.date(2021, 3, 20)
        demo_history(io.StringIO(), today=today, recent_years=1)
        counts = {m.__name__: m.objects.count() for m in MODELS}
        demo_history(io.StringIO(), today=today, recent_years=1)
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    assert counts["Activity"] > 20 and counts["Participation"] > 50 and counts["Certificate"] > 0
    assert Activity.objects.filter(starts_at__year=2019).exists() and Activity.objects.filter(
        starts_at__year=2021).exists()
    assert not Activity.objects.filter(starts_at__year=2020).exists()  # 2019 and the last year only
    assert Participation.objects.filter(confirmed_on__isnull=False).exists()
