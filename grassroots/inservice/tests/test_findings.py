"""The findings' boundaries, with dates computed at run time: the half-year reminder (nothing before it is due
soon, due soon, overdue; a new report starts it again), and in-service members living in the community's area who
never reported there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from grassroots.core.context import acting
from grassroots.core.dates import add_months
from grassroots.inservice import services
from grassroots.inservice.findings import inservice_findings
from grassroots.rules.findings import due_soon_days

pytestmark = pytest.mark.django_db


def _accepted(cast: Any, world: Any, on: dt.date) -> Any:
    with acting(cast.secretary, "web"):
        r = services.report(cast.member, community_org=world.community, on=on, first=True)
    with acting(cast.outsider, "web"):
        return services.accept(r, on=on, version=r.version)


def _reminders(org: Any, as_of: dt.date) -> list[Any]:
    return [f for f in inservice_findings(org, as_of) if f.subject_type == "inservice_report"]


def test_half_year_reminder_boundaries(cast: Any, world: Any) -> None:
    today = timezone.localdate()
    on = add_months(today, -6) + dt.timedelta(days=due_soon_days() + 1)  # due just beyond the warning window
    r = _accepted(cast, world, on)
    due = add_months(on, 6)
    assert _reminders(cast.branch_a, today) == []
    assert _reminders(cast.branch_a, due - dt.timedelta(days=due_soon_days()))[0].state == "due_soon"
    at_due = _reminders(cast.branch_a, due)
    assert at_due[0].state == "due_soon" and at_due[0].due == due and at_due[0].org_id == cast.branch_a.pk
    late = _reminders(cast.branch_a, due + dt.timedelta(days=1))
    assert [(f.state, f.subject_id, f.rule) for f in late] == [("overdue", r.pk, "inservice.report_again@2015")]
    assert _reminders(cast.branch_c, due + dt.timedelta(days=1)) == []  # the home side is reminded
    with acting(cast.outsider, "web"):  # reported again: the reminder counts from the new report
        services.report(cast.member, community_org=world.community, on=today)
    assert _reminders(cast.branch_a, due + dt.timedelta(days=1)) == []


def test_in_service_members_living_in_the_area_who_have_not_reported(cast: Any, world: Any) -> None:
    from conftest import cast_places
    from grassroots.households import services as households

    today = timezone.localdate()
    places = cast_places(cast)
    with acting(None, "system"):
        h = households.household_create(territory=places.grid_c, head_name=cast.member.name,
                                        registered_on=dt.date(2020, 1, 1), head={"member": cast.member})
        households.person_add(household=h, name=cast.member_c.name, member=cast.member_c)  # C's own member
    missing = [f for f in inservice_findings(cast.other_street, today) if f.subject_type == "member"]
    assert [(f.subject_id, f.org_id) for f in missing] == [(cast.member.pk, world.community.pk)]
    assert [f for f in inservice_findings(cast.branch_a, today) if f.subject_type == "member"] == []
    assert [f for f in inservice_findings(cast.other_street, dt.date(2019, 12, 31))  # before the household
            if f.subject_type == "member"] == []
    _accepted(cast, world, today)
    assert [f for f in inservice_findings(cast.other_street, today) if f.subject_type == "member"] == []
