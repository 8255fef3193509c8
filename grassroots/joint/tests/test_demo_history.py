"""The demo builder on a small town of its own, with a few resident units made here (the cobuild demo makes the
real ones): a body per organization that keeps units, about quarterly meetings from 2019 through the day, decisions
made projects or tasks, most tasks done; a second run adds nothing; no units, nothing made."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from grassroots.cobuild.models import Project, ProjectSource
from grassroots.core.context import acting
from grassroots.joint.demo import demo_history
from grassroots.joint.models import (
    Decision,
    JointMeeting,
    JointMembership,
    JointSession,
    Task,
    UnitAttendance,
)

from .conftest import make_unit

MODELS = (JointMeeting, JointMembership, JointSession, UnitAttendance, Decision, Task, Project)


def test_history(db: Any) -> None:
    from grassroots.orgs.services import org_create

    today = dt.date(2021, 3, 20)
    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        community = org_create(code="HS-SZL", name="十字路社区党总支", kind="general_branch",
                               founded_on=dt.date(1956, 1, 1), parent=town)
        org_create(code="HS-DZ", name="大庄社区党总支", kind="general_branch", founded_on=dt.date(1956, 1, 1),
                   parent=town)
        demo_history(io.StringIO(), today=today, recent_years=1)
        assert not JointMeeting.objects.exists()  # no resident units yet
        for name in ("县供电所", "和顺小学", "卫生院"):
            make_unit(community, name, contact_name="联络员")
        make_unit(community, "已迁出企业", joined_on=dt.date(2018, 1, 1), left_on=dt.date(2020, 1, 1))
        demo_history(io.StringIO(), today=today, recent_years=1)
        counts = {m.__name__: m.objects.count() for m in MODELS}
        demo_history(io.StringIO(), today=today, recent_years=1)
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    body = JointMeeting.objects.get()
    assert body.org == community and body.set_up_on.year == 2019
    assert counts["JointMembership"] == 4
    assert JointMembership.objects.get(unit__name="已迁出企业").left_on == dt.date(2020, 1, 1)
    dates = sorted(JointSession.objects.values_list("meeting__date", flat=True))
    assert 8 <= len(dates) <= 10 and dates[-1] <= today
    assert all(60 <= (b - a).days <= 110 for a, b in zip(dates, dates[1:], strict=False))
    assert not UnitAttendance.objects.filter(unit__name="已迁出企业", session__meeting__date__gte=dt.date(2020, 1, 1))
    assert Project.objects.filter(source=ProjectSource.DECISION).count() == Decision.objects.filter(
        project__isnull=False).count() > 0
    done = Task.objects.filter(done_on__isnull=False).count()
    assert counts["Task"] > 0 and done > counts["Task"] / 2
