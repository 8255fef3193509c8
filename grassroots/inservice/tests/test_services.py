"""Each state change of a report (report, accept, decline, assign a grid and a post, a service logged, report
again), the refusals (nothing written), the two sides in different streets, the mobile member's report, and the
quarterly feedback as the records stood on a past day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from grassroots.access.scope import scope_for
from grassroots.core.context import acting
from grassroots.core.dates import add_months
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.inservice import selectors, services
from grassroots.inservice.models import Report, Service, State
from grassroots.members import lifecycle_services
from grassroots.members import services as member_services

pytestmark = pytest.mark.django_db
D = dt.date


def counts() -> tuple[int, int, int]:
    return Report.objects.count(), Service.objects.count(), AuditEntry.objects.count()


def _reported(cast: Any, world: Any, on: dt.date | None = None, **kw: Any) -> Report:
    with acting(cast.member_user, "web"):  # the member reports themself
        return services.report(cast.member, community_org=world.community, on=on or D(2024, 1, 10), first=True,
                               skills="水电维修",
                               offers="义务维修", address="外街社区3号楼", phone="13966667777", **kw)


def test_report_accept_assign_log_and_report_again(cast: Any, world: Any) -> None:
    r = _reported(cast, world)
    assert (r.state, r.first, r.mobile, r.home_org) == (State.PENDING, True, False, cast.branch_a)
    entry = AuditEntry.objects.filter(action="inservice.report").get()
    assert entry.org_id == world.community.pk and entry.actor_id == cast.member_user.pk
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):  # the home branch does not accept
        services.accept(r, on=D(2024, 1, 12), version=r.version)
    with acting(cast.outsider, "web"):  # the community (organizer at X) accepts, assigns and logs
        r = services.accept(r, on=D(2024, 1, 12), version=r.version)
        assert (r.state, r.decided_on, r.version) == (State.ACCEPTED, D(2024, 1, 12), 2)
        r = services.assign(r, grid=world.grid, post=world.post, version=r.version)
        assert (r.grid, r.post) == (world.grid, world.post)
        s1 = services.log_service(r, day=D(2024, 2, 3), activity="楼道清扫", hours="2", evaluation="good",
                                  logged_on=D(2024, 2, 5))
        s2 = services.log_service(r, day=D(2024, 3, 9), activity="义务维修", hours=Decimal("1.5"),
                                  evaluation="average", logged_on=D(2024, 4, 2))
        again = services.report(cast.member, community_org=world.community, on=D(2024, 7, 10),
                                activities="半年报到")
    assert (again.state, again.first, again.decided_on) == (State.ACCEPTED, False, D(2024, 7, 10))
    assert (again.phone, again.address, again.skills) == ("13966667777", "外街社区3号楼", "水电维修")  # kept
    assert [s.hours for s in r.services.order_by("day")] == [Decimal("2.0"), Decimal("1.5")]
    assert s1.evaluation == "good" and s2.logged_on == D(2024, 4, 2)
    assert selectors.report_again_on(D(2024, 1, 10)) == D(2024, 7, 10)
    actions = list(AuditEntry.objects.filter(action__startswith="inservice.").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["inservice.report", "inservice.accept", "inservice.assign", "inservice.service",
                       "inservice.service", "inservice.report"]


def test_decline_needs_a_reason_and_ends_the_report(cast: Any, world: Any) -> None:
    r = _reported(cast, world)
    before = counts()
    with acting(cast.outsider, "web"):
        with pytest.raises(RuleError) as err:
            services.decline(r, on=D(2024, 1, 12), reason=" ", version=r.version)
        assert err.value.field == "reason"
        with pytest.raises(RuleError) as err:
            services.decline(r, on=D(2024, 1, 9), reason="不住本社区", version=r.version)
        assert err.value.field == "on"
        assert counts() == before
        r = services.decline(r, on=D(2024, 1, 12), reason="不住本社区", version=r.version)
        assert (r.state, r.decline_reason) == (State.DECLINED, "不住本社区")
        for call in (lambda: services.accept(r, on=D(2024, 1, 13), version=r.version),
                     lambda: services.log_service(r, day=D(2024, 1, 13), activity="x", hours=1)):
            with pytest.raises(RuleError):
                call()
        with pytest.raises(RuleError) as err:
            services.assign(r, grid=world.grid, post=None, version=r.version)
        assert err.value.field == "state"
        # a declined report leaves the member unknown there: the community cannot record a report for them
        with pytest.raises(PermissionDeniedError):
            services.report(cast.member, community_org=world.community, on=D(2024, 2, 1))


def test_assign_and_log_refusals_write_nothing(cast: Any, world: Any) -> None:
    from conftest import cast_places
    from grassroots.grids import services as grids

    with acting(None, "system"):
        other_grid = grids.grid_setup(territory=cast_places(cast).grid_a)
    r = _reported(cast, world)
    with acting(cast.outsider, "web"):
        with pytest.raises(RuleError) as err:
            services.log_service(r, day=D(2024, 1, 13), activity="x", hours=1)  # not accepted yet
        assert err.value.field == "report"
        r = services.accept(r, on=D(2024, 1, 12), version=r.version)
        before = counts()
        with pytest.raises(RuleError) as err:
            services.assign(r, grid=other_grid, post=None, version=r.version)  # a grid of community A
        assert err.value.field == "grid"
        cases: list[tuple[dict[str, Any], str]] = [
            ({"day": D(2024, 1, 1)}, "day"),  # before the report
            ({"day": timezone.localdate() + dt.timedelta(days=1)}, "day"),
            ({"hours": "-1"}, "hours"), ({"hours": "25"}, "hours"), ({"hours": "1.25"}, "hours"),
            ({"hours": "NaN"}, "hours"),
            ({"hours": "两小时"}, "hours"), ({"activity": " "}, "activity"), ({"evaluation": "excellent"}, "evaluation"),
            ({"logged_on": D(2024, 1, 20)}, "logged_on"),  # logged before its day
        ]
        for override, field in cases:
            args: dict[str, Any] = {"day": D(2024, 2, 1), "activity": "清扫", "hours": "1", "evaluation": "good"}
            args.update(override)
            with pytest.raises(RuleError) as err:
                services.log_service(r, **args)
            assert err.value.field == field, override
        with pytest.raises(RuleError):
            services.assign(r, grid=None, post=None, version=r.version - 1)  # a stale version
        assert counts() == before
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):  # the home side logs nothing
        services.log_service(r, day=D(2024, 2, 1), activity="x", hours=1)
    assert counts() == before


def test_report_refusals_write_nothing(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        retired = member_services.member_update(cast.member_a2, on=D(2022, 1, 1), occupation="retired")
    before = counts()
    with acting(cast.secretary, "web"):
        cases: list[tuple[dict[str, Any], str | None]] = [
            ({"member": retired}, "member"),  # retired on that date
            ({"community_org": cast.group_a1}, "community_org"),
            ({"community_org": cast.street}, "community_org"),  # a working committee with no community
            ({"community_org": cast.branch_a}, "community_org"),  # the member's own branch
            ({"on": D(2000, 1, 1)}, "on"),  # not yet a member
            ({"on": timezone.localdate() + dt.timedelta(days=1)}, "on"),
            ({"skills": "x" * 201}, "skills"),
        ]
        for override, field in cases:
            args: dict[str, Any] = {"member": cast.member, "community_org": world.community, "on": D(2024, 1, 10)}
            args.update(override)
            with pytest.raises(RuleError) as err:
                services.report(args.pop("member"), **args)
            assert err.value.field == field, override
    for user in (cast.auditor, world.sec_b, cast.outsider):  # the community knows nobody yet
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.report(cast.member, community_org=world.community, on=D(2024, 1, 10))
    assert counts() == before
    with acting(cast.secretary, "web"):  # the home branch reports on the member's behalf
        services.report(cast.member, community_org=world.community, on=D(2024, 1, 10), first=True)
        before = counts()
        with pytest.raises(RuleError) as err:
            services.report(cast.member, community_org=world.community, on=D(2024, 7, 1), first=True)
        assert err.value.field == "first"
    assert counts() == before


def test_the_two_sides_in_different_streets_see_what_they_must(cast: Any, world: Any) -> None:
    """Home branch A (street S) and the residence community C (street X): both read the report and its services;
    the community does not read the member's archive; branch B's secretary and the auditor at X read nothing."""
    r = _reported(cast, world)
    with acting(cast.outsider, "web"):
        r = services.accept(r, on=D(2024, 1, 12), version=r.version)
        services.log_service(r, day=D(2024, 2, 3), activity="楼道清扫", hours="2", evaluation="good")
    for user in (cast.secretary, cast.street_admin, cast.auditor, cast.member_user, cast.outsider, cast.admin):
        scope = scope_for(user)
        assert list(selectors.readable(scope)) == [r], user
        assert Service.objects.visible_to(scope).count() == 1, user
    assert not selectors.readable(scope_for(world.sec_b)).exists()
    assert not Service.objects.visible_to(scope_for(world.sec_b)).exists()
    assert not scope_for(cast.outsider).members().filter(pk=cast.member.pk).exists()  # not the archive
    assert not Report.objects.visible_to(scope_for(cast.secretary), write=True).exists()  # the home side reads
    assert list(Report.objects.visible_to(scope_for(cast.outsider), write=True)) == [r]


def test_a_mobile_member_reports_to_the_community_they_flowed_into(cast: Any, world: Any) -> None:
    with acting(None, "system"):
        member_services.member_update(cast.member_a2, on=D(2022, 1, 1), occupation="freelance")
        lifecycle_services.mobile_out(cast.member_a2, on=D(2023, 3, 1), destination="外街社区")
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as err:  # the contact card needs the address and the phone
            services.report(cast.member_a2, community_org=world.community, on=D(2023, 4, 1), address="外街8号")
        assert err.value.field == "phone"
        r = services.report(cast.member_a2, community_org=world.community, on=D(2023, 4, 1), address="外街8号",
                            phone="13511112222", workplace="个体")
    assert r.mobile and r.address == "外街8号"


def test_feedback_as_of_a_past_date(cast: Any, world: Any) -> None:
    r = _reported(cast, world)
    with acting(cast.outsider, "web"):
        r = services.accept(r, on=D(2024, 1, 12), version=r.version)
        r = services.assign(r, grid=world.grid, post=world.post, version=r.version)
        services.log_service(r, day=D(2024, 2, 3), activity="楼道清扫", hours="2", evaluation="good",
                             logged_on=D(2024, 2, 5))
        services.log_service(r, day=D(2024, 3, 9), activity="义务维修", hours="1.5", evaluation="average",
                             logged_on=D(2024, 4, 2))  # logged in the next quarter
        services.log_service(r, day=D(2024, 4, 9), activity="quarter two", hours="3", logged_on=D(2024, 4, 9))
    now = selectors.feedback(cast.branch_a, 2024, 1, timezone.localdate())
    assert [(row.name, row.hours, row.grid, row.post) for row in now] == [
        (cast.member.name, Decimal("3.5"), "外街一网格", "3号楼楼栋长")]
    assert [s["evaluation"] for s in now[0].services] == ["好", "一般"] or \
        [s["evaluation"] for s in now[0].services] == ["Good", "Average"]
    then = selectors.feedback(cast.branch_a, 2024, 1, D(2024, 3, 31))  # the sheet as sent at the quarter's end
    assert [s["activity"] for s in then[0].services] == ["楼道清扫"] and then[0].hours == Decimal("2.0")
    assert selectors.feedback(cast.branch_a, 2024, 1, D(2024, 1, 11)) == []  # not yet accepted then
    assert selectors.feedback(cast.branch_b, 2024, 1, timezone.localdate()) == []  # not B's member
    assert selectors.feedback(cast.street, 2024, 1, timezone.localdate())[0].member_id == cast.member.pk


def test_appraisal_notes_and_year_counts(cast: Any, world: Any) -> None:
    r = _reported(cast, world)
    with acting(cast.outsider, "web"):
        r = services.accept(r, on=D(2024, 1, 12), version=r.version)
        services.log_service(r, day=D(2024, 2, 3), activity="楼道清扫", hours="2", logged_on=D(2024, 2, 3))
        services.log_service(r, day=D(2024, 5, 3), activity="义务维修", hours="1.5")  # logged today
    notes = selectors.appraisal_notes([cast.member.pk, cast.member_a2.pk], 2024)
    assert list(notes) == [cast.member.pk]
    assert notes[cast.member.pk][0].text == "reports: 1; services: 2, 3.5 hours"
    assert selectors.appraisal_notes([cast.member.pk], 2023) == {}
    assert selectors.year_counts(cast.branch_c, 2024, timezone.localdate()) == {
        "reported": 1, "services": 2, "hours": Decimal("3.5"), "own_reported": 0}
    assert selectors.year_counts(cast.branch_a, 2024, timezone.localdate()) == {
        "reported": 0, "services": 0, "hours": Decimal(0), "own_reported": 1}
    assert selectors.year_counts(cast.branch_c, 2024, D(2024, 3, 1))["services"] == 1  # as the records stood


def test_reveal_is_logged_and_refused_outside(cast: Any, world: Any) -> None:
    r = _reported(cast, world)
    with acting(cast.outsider, "web"):
        assert services.reveal_phone(r) == "13966667777"
    assert AuditEntry.objects.filter(action="inservice.reveal", actor_id=cast.outsider.pk).count() == 1
    for user in (world.sec_b, cast.auditor):  # the auditor reads the report, but reveals nothing
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.reveal_phone(r)
    assert AuditEntry.objects.filter(action="inservice.reveal").count() == 1
    assert add_months(r.date, 6) == selectors.report_again_on(r.date)
