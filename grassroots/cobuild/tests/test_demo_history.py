"""The demo builder on a small town of its own (the full demo is built once in grassroots/demo/tests): it runs
from March 2019 to today, through the services, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from grassroots.cobuild.demo import demo_history
from grassroots.cobuild.models import (
    Agreement,
    Contribution,
    Need,
    Project,
    ProjectState,
    ResidentUnit,
    UnitReport,
)
from grassroots.core.context import acting

MODELS = (ResidentUnit, Agreement, Need, Project, Contribution, UnitReport)


def test_history_is_idempotent(db: Any) -> None:
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        for code in ("HS-SZL", "HS-DZ", "HS-SY"):
            org_create(code=code, name=f"{code}党总支", kind="general_branch", founded_on=dt.date(1956, 1, 1),
                       parent=town)
        org_create(code="HS-GZ", name="和顺古镇保护管理局党支部", kind="branch", founded_on=dt.date(2006, 4, 1),
                   parent=town)
    today = dt.date(2023, 6, 20)
    out = io.StringIO()
    demo_history(out, today=today, recent_years=1)
    counts = {m.__name__: m.objects.count() for m in MODELS}
    demo_history(io.StringIO(), today=today, recent_years=1)
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    assert "co-construction:" in out.getvalue()
    linked = Agreement.objects.filter(signed_on=dt.date(2019, 3, 5), renews__isnull=True)
    assert {a.org.code for a in linked} == {"HS-SZL", "HS-DZ", "HS-SY"}
    assert ResidentUnit.objects.get(org__code="HS-SZL", name="和顺古镇保护管理局").party_org.code == "HS-GZ"
    # the first agreements (2019-2021) were renewed before they lapsed, and the renewals are in force today
    assert all(a.renewals.exists() for a in linked)
    assert Agreement.objects.filter(renews__in=linked, starts_on=dt.date(2022, 1, 1)).count() == 3
    assert not ResidentUnit.objects.filter(joined_on__gt=today).exists()
    projects = Project.objects.all()
    assert projects.filter(state=ProjectState.DONE, done_on__year=2019).exists()
    assert projects.filter(state=ProjectState.DONE, done_on__lte=today).count() > 5
    assert projects.filter(state__in=[ProjectState.PLANNED, ProjectState.UNDER_WAY], started_on__year=2023).exists()
    assert not projects.filter(started_on__year__in=[2020, 2021]).exclude(source="agreement").exists()
    assert Need.objects.filter(claimed_by__isnull=False).exists() and Need.objects.filter(
        claimed_by__isnull=True).exists()
    assert Contribution.objects.filter(kind="money").exists() and Contribution.objects.filter(kind="in_kind").exists()
    assert UnitReport.objects.filter(accepted_on__isnull=False).exists()
    assert not Contribution.objects.filter(given_on__gt=today).exists()
