"""The opinion's state machine: every allowed move and every refused one, routing, drafts, and who may act."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.opinions import selectors, services
from grassroots.opinions.models import Assignment, Opinion, OpinionChange, State

DAY = dt.date(2024, 12, 2)
FULL = {"background": "背景", "solution": "已修复", "remaining": "无", "measures": "定期巡查", "reason": "资金未到位",
        "handler_name": "张伟", "handler_contact": "0871-1234567"}


def submit(station: Any, category: Any = None, *, on: dt.date = DAY, **kw: Any) -> Opinion:
    with acting(None, "system"):
        return services.submit_opinion(station.org, text="楼道灯坏了", category=category or station.other,
                                       channel="phone", received_on=on, **kw)


def into(station: Any, state: str) -> Opinion:
    """A new opinion brought to `state` through the services."""
    with acting(None, "system"):
        o = submit(station)
        if state == State.RECEIVED:
            return o
        if state == State.DUPLICATE:
            services.reply(o, to_state=State.DUPLICATE, on=DAY, duplicate_of=submit(station))
            return Opinion.objects.get(pk=o.pk)
        services.assign(o, to_org=station.org.get_children()[0], on=DAY)
        if state == State.ASSIGNED:
            return Opinion.objects.get(pk=o.pk)
        if state == State.REOPENED:
            services.reply(o, to_state=State.SOLVED, on=DAY, **FULL)
            services.reply(o, to_state=State.REOPENED, on=DAY, reason="居民反映灯又坏了")
            return Opinion.objects.get(pk=o.pk)
        services.reply(o, to_state=state, on=DAY, **FULL)
        return Opinion.objects.get(pk=o.pk)


def full_reply(station: Any, to_state: str) -> dict[str, Any]:
    extra = {"duplicate_of": submit(station)} if to_state == State.DUPLICATE else {}
    return {**FULL, **extra}


ALL_MOVES = [(a, b) for a in State.values for b in State.values]


@pytest.mark.parametrize(("start", "target"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_as_the_table_says(station: Any, today: dt.date, start: str,
                                                            target: str) -> None:
    o = into(station, start)
    assert o.state == start
    reply = full_reply(station, target)
    changes_before = OpinionChange.objects.count()
    with acting(None, "system"):
        if target in services.MOVES[start]:
            services.reply(o, to_state=target, on=DAY, **reply)
            o.refresh_from_db()
            assert o.state == target
            last = o.changes.order_by("-id").first()
            assert last is not None and last.from_state == start and last.to_state == target
            assert last.published_at is not None
        else:
            with pytest.raises(RuleError) as err:
                services.reply(o, to_state=target, on=DAY, **reply)
            assert err.value.field == "to_state"
            o.refresh_from_db()
            assert o.state == start
            assert OpinionChange.objects.count() == changes_before  # nothing written by the refusal


@pytest.mark.parametrize("start", [State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED])
def test_routing_is_allowed_while_open(station: Any, today: dt.date, start: str) -> None:
    o = into(station, start)
    with acting(None, "system"):
        services.assign(o, to_org=station.org, department=station.department, on=DAY, note="转城管办")
    o.refresh_from_db()
    assert o.handler_org == station.org and o.department == station.department
    assert o.state == (State.ASSIGNED if start in (State.RECEIVED, State.REOPENED) else start)


@pytest.mark.parametrize("start", [State.SOLVED, State.EXPLAINED, State.CANNOT_SOLVE, State.DUPLICATE])
def test_routing_a_closed_opinion_is_refused(station: Any, today: dt.date, start: str) -> None:
    o = into(station, start)
    with acting(None, "system"), pytest.raises(RuleError, match="closed opinion cannot be routed"):
        services.assign(o, to_org=station.org, department=station.department, on=DAY)
    with acting(None, "system"), pytest.raises(RuleError, match="closed opinion cannot be routed"):
        services.escalate(o, on=DAY, note="上报")


def test_assigned_is_reached_by_routing_not_by_a_reply(station: Any, today: dt.date) -> None:
    o = into(station, State.RECEIVED)
    with acting(None, "system"), pytest.raises(RuleError, match="assigned by routing"):
        services.reply(o, to_state=State.ASSIGNED, on=DAY, **FULL)


@pytest.mark.parametrize(("target", "missing"), [
    (State.SOLVED, "solution"), (State.SOLVED, "handler_contact"), (State.EXPLAINED, "background"),
    (State.CANNOT_SOLVE, "reason"), (State.CANNOT_SOLVE, "measures"), (State.IN_PROGRESS, "handler_name"),
    (State.DUPLICATE, "duplicate_of"), (State.REOPENED, "reason"),
])
def test_a_reply_without_a_required_part_is_refused(station: Any, today: dt.date, target: str,
                                                    missing: str) -> None:
    start = State.SOLVED if target == State.REOPENED else State.ASSIGNED
    o = into(station, start)
    reply = full_reply(station, target)
    reply[missing] = None if missing == "duplicate_of" else "  "
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.reply(o, to_state=target, on=DAY, **reply)
    assert err.value.field == missing
    o.refresh_from_db()
    assert o.state == start
    assert not o.changes.filter(to_state=target).exists()  # the draft made inside went with the refusal


def test_a_draft_changes_nothing_until_published_and_is_checked_again(station: Any, today: dt.date) -> None:
    o = into(station, State.ASSIGNED)
    with acting(None, "system"):
        draft = services.draft_reply(o, to_state=State.SOLVED, on=DAY, background="背景")
        o.refresh_from_db()
        assert o.state == State.ASSIGNED and draft.is_draft
        assert draft in selectors.history(o, drafts=True)  # for the handlers
        assert draft not in selectors.history(o) and draft not in selectors.history(o, public=True, drafts=True)
        with pytest.raises(RuleError) as err:
            services.publish_reply(draft)  # incomplete: no solution yet
        assert err.value.field == "solution"
        services.update_draft(draft, solution="已修复", handler_name="张伟", handler_contact="123")
        # Meanwhile someone else closed it as explained: the draft's move is no longer allowed.
        services.reply(o, to_state=State.EXPLAINED, on=DAY, **FULL)
        with pytest.raises(RuleError, match="cannot become"):
            services.publish_reply(draft)
        services.discard_draft(draft)
    assert not OpinionChange.objects.filter(pk=draft.pk).exists()
    o.refresh_from_db()
    assert o.state == State.EXPLAINED and o.closed_on == DAY


def test_a_published_reply_cannot_be_edited_or_discarded(station: Any, today: dt.date) -> None:
    o = into(station, State.SOLVED)
    change = o.changes.get(to_state=State.SOLVED)
    with acting(None, "system"):
        with pytest.raises(RuleError, match="published reply cannot be changed"):
            services.update_draft(change, solution="改写")
        with pytest.raises(RuleError, match="cannot be discarded"):
            services.discard_draft(change)


def test_duplicate_rules(station: Any, today: dt.date) -> None:
    o = into(station, State.RECEIVED)
    dup = into(station, State.DUPLICATE)
    with acting(None, "system"):
        with pytest.raises(RuleError, match="cannot duplicate itself"):
            services.reply(o, to_state=State.DUPLICATE, on=DAY, duplicate_of=o)
        with pytest.raises(RuleError, match="is itself a duplicate"):
            services.reply(o, to_state=State.DUPLICATE, on=DAY, duplicate_of=dup)
        original = dup.duplicate_of
        services.reply(o, to_state=State.DUPLICATE, on=DAY, duplicate_of=original)
    o.refresh_from_db()
    assert o.duplicate_of == original and o.closed_on == DAY


def test_dates_of_replies(station: Any, today: dt.date) -> None:
    o = into(station, State.ASSIGNED)
    with acting(None, "system"):
        with pytest.raises(RuleError, match="future"):
            services.reply(o, to_state=State.SOLVED, on=today + dt.timedelta(days=1), **FULL)
        with pytest.raises(RuleError, match="before the opinion was received"):
            services.reply(o, to_state=State.SOLVED, on=DAY - dt.timedelta(days=1), **FULL)
        services.reply(o, to_state=State.IN_PROGRESS, on=DAY + dt.timedelta(days=3), **FULL)
        with pytest.raises(RuleError, match="before the last change"):
            services.reply(o, to_state=State.SOLVED, on=DAY + dt.timedelta(days=2), **FULL)


def test_reopening_clears_the_closing_and_sets_a_new_deadline(station: Any, today: dt.date) -> None:
    o = into(station, State.SOLVED)
    assert o.closed_on == DAY
    with acting(None, "system"):
        services.reply(o, to_state=State.REOPENED, on=dt.date(2024, 12, 9), reason="又坏了")
    o.refresh_from_db()
    assert o.closed_on is None
    assert o.deadline == dt.date(2024, 12, 23)  # 10 working days from Tuesday 10 December


def test_intake_routes_by_department_by_place_or_waits(station: Any, cast: Any, today: dt.date) -> None:
    by_dept = submit(station, station.roads)
    assert (by_dept.state, by_dept.handler_org, by_dept.department) == (State.ASSIGNED, station.org,
                                                                        station.department)
    by_place = submit(station, station.neighbours, territory=station.territory_a)
    assert (by_place.state, by_place.handler_org, by_place.department) == (State.ASSIGNED, cast.branch_a, None)
    by_outlet = submit(station, station.neighbours, outlet=station.outlet_a)
    assert by_outlet.handler_org == cast.branch_a and by_outlet.territory == station.territory_a
    waits = submit(station, station.other)
    assert (waits.state, waits.handler_org) == (State.RECEIVED, station.org)
    assert Assignment.objects.filter(opinion=by_dept, kind="assign").count() == 1
    assert not Assignment.objects.filter(opinion=waits).exists()


def test_numbers_run_per_station_and_year_and_codes_differ(station: Any, today: dt.date) -> None:
    a = submit(station, on=dt.date(2023, 12, 31))
    b = submit(station, on=dt.date(2024, 1, 2))
    c = submit(station, on=dt.date(2024, 1, 3))
    assert (a.number, b.number, c.number) == ("S-2023-0001", "S-2024-0001", "S-2024-0002")
    codes = {a.tracking_code, b.tracking_code, c.tracking_code}
    assert len(codes) == 3 and all(len(x) == services.TRACKING_LENGTH for x in codes)


def test_bad_intake_is_refused_naming_the_field(station: Any, cast: Any, today: dt.date) -> None:
    cases = [
        ({"text": "  "}, "text"),
        ({"text": "x" * (services.MAX_TEXT + 1)}, "text"),
        ({"received_on": today + dt.timedelta(days=1)}, "received_on"),
        ({"submitter_phone": "call me"}, "submitter_phone"),
        ({"lat": "north"}, "lat"),
        ({"lon": "200"}, "lon"),
        ({"lat": "nan"}, "lat"),
        ({"lon": "-Infinity"}, "lon"),
        ({"submitter_email": "not-an-email"}, "submitter_email"),
        ({"channel": "pigeon"}, "channel"),
    ]
    for change, field in cases:
        args: dict[str, Any] = {"text": "路灯坏了", "category": station.roads, "channel": "phone",
                                "received_on": DAY, **change}
        with acting(None, "system"), pytest.raises(RuleError) as err:
            services.submit_opinion(station.org, **args)
        assert err.value.field == field, change
    with acting(None, "system"):
        from grassroots.opinions.models import Category

        foreign = Category.objects.create(org=cast.other_street, code="x", name="外街", deadline_workdays=5)
        with pytest.raises(RuleError) as err:
            services.submit_opinion(station.org, text="t", category=foreign, channel="phone")
        assert err.value.field == "category"
    assert not Opinion.objects.exists()


def test_the_public_cannot_back_date_but_staff_can(station: Any, today: dt.date) -> None:
    with acting(None, "web"):
        public = services.submit_opinion(station.org, text="t", category=station.roads, channel="web",
                                         received_on=DAY)
    assert public.received_on == today
    assert submit(station, on=DAY).received_on == DAY


def test_who_may_do_what(station: Any, cast: Any, today: dt.date) -> None:
    from django.contrib.auth.models import AnonymousUser

    with acting(AnonymousUser(), "web"):
        services.submit_opinion(station.org, text="t", category=station.roads, channel="web")
        with pytest.raises(PermissionDeniedError):
            services.submit_opinion(station.org, text="t", category=station.roads, channel="phone")
    with acting(cast.secretary, "web"):  # a village secretary enters at their outlet
        services.submit_opinion(station.org, text="t", category=station.roads, channel="outlet",
                                outlet=station.outlet_a)
    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        services.submit_opinion(station.org, text="t", category=station.roads, channel="phone")

    in_a = submit(station, station.neighbours, territory=station.territory_a)
    at_station = submit(station, station.roads)
    with acting(cast.secretary, "web"):
        services.reply(in_a, to_state=State.IN_PROGRESS, on=DAY, **FULL)
        with pytest.raises(PermissionDeniedError):
            services.reply(at_station, to_state=State.IN_PROGRESS, on=DAY, **FULL)
    for user in (cast.auditor, cast.outsider, cast.member_user):
        with acting(user, "web"):
            with pytest.raises(PermissionDeniedError):
                services.reply(at_station, to_state=State.SOLVED, on=DAY, **FULL)
            with pytest.raises(PermissionDeniedError):
                services.reveal_contact(at_station, field="submitter_phone")
            with pytest.raises(PermissionDeniedError):
                services.assign(at_station, to_org=cast.branch_a, on=DAY)
    with acting(cast.street_admin, "web"):
        services.reply(at_station, to_state=State.SOLVED, on=DAY, **FULL)


def test_escalation_goes_one_level_up(station: Any, cast: Any, today: dt.date) -> None:
    o = submit(station, station.neighbours, territory=station.territory_a)
    assert o.handler_org == cast.branch_a
    with acting(cast.secretary, "web"):
        with pytest.raises(RuleError) as err:
            services.escalate(o, on=DAY, note=" ")
        assert err.value.field == "note"
        services.escalate(o, on=DAY, note="涉及两个社区，需要总支协调")
    o.refresh_from_db()
    assert o.handler_org == cast.general
    assert o.assignments.order_by("-id")[0].kind == "escalate"
    dept = submit(station, station.roads)
    with acting(cast.street_admin, "web"):
        services.escalate(dept, on=DAY, note="部门无法单独解决")
        dept.refresh_from_db()
        assert (dept.handler_org, dept.department) == (station.org, None)
        with pytest.raises(RuleError, match="no level above"):
            services.escalate(dept, on=DAY, note="再上报")


def test_routing_targets_must_be_in_the_stations_line(station: Any, cast: Any, today: dt.date) -> None:
    o = submit(station)
    with acting(None, "system"):
        with pytest.raises(RuleError) as err:
            services.assign(o, to_org=cast.branch_c, on=DAY)
        assert err.value.field == "to_org"
        with pytest.raises(RuleError) as err:
            services.assign(o, to_org=cast.branch_a, department=station.department, on=DAY)
        assert err.value.field == "department"


def test_every_change_is_audited_and_the_reveal_is_logged(station: Any, cast: Any, today: dt.date) -> None:
    o = submit(station, station.roads, submitter_phone="13912345678")
    assert o.phone_masked != "13912345678" and o.phone_masked.endswith("5678")
    with acting(cast.street_admin, "web"):
        services.reply(o, to_state=State.SOLVED, on=DAY, **FULL)
        assert services.reveal_contact(o, field="submitter_phone") == "13912345678"
    actions = list(AuditEntry.objects.filter(object_type="opinions.opinion", object_id=str(o.pk)).order_by("id")
                   .values_list("action", flat=True))
    assert actions[:2] == ["opinions.submit", "opinions.assign"]
    assert "opinions.to_solved" in actions and actions[-1] == "opinions.reveal_submitter_phone"


def test_number_ten_thousand_follows_9999(station: Any, today: dt.date) -> None:
    o = submit(station)
    Opinion.objects.filter(pk=o.pk).update(number="S-2024-9999")
    assert submit(station).number == "S-2024-10000"
    assert submit(station).number == "S-2024-10001"


def test_a_revoked_station_takes_no_opinions(station: Any, today: dt.date) -> None:
    from grassroots.orgs.models import Organization

    Organization.objects.filter(pk=station.org.pk).update(revoked_on=dt.date(2024, 6, 1))
    station.org.refresh_from_db()
    with pytest.raises(RuleError) as err:
        submit(station)
    assert err.value.field == "station"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_attachments_are_checked_and_renamed(station: Any, settings: Any, tmp_path: Any, today: dt.date) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    o = submit(station)
    with acting(None, "web"):
        att = services.add_attachment(o, file=SimpleUploadedFile("王芳13912345678.png", PNG), public=True)
        assert "1391234" not in att.file.name and att.file.name.endswith(f"opinion-{o.pk}-1.png")
        with pytest.raises(RuleError, match="content is not the PNG"):
            services.add_attachment(o, file=SimpleUploadedFile("x.png", b"GIF89a" + b"\x00" * 20), public=True)
        with pytest.raises(RuleError, match="photo"):
            services.add_attachment(o, file=SimpleUploadedFile("x.exe", b"MZ" + b"\x00" * 20), public=True)
        for _i in range(services.MAX_PUBLIC_ATTACHMENTS - 1):
            services.add_attachment(o, file=SimpleUploadedFile("p.png", PNG), public=True)
        with pytest.raises(RuleError, match="no more attachments"):
            services.add_attachment(o, file=SimpleUploadedFile("p.png", PNG), public=True)
    assert o.attachments.count() == services.MAX_PUBLIC_ATTACHMENTS


def test_a_handler_below_the_station_routes_only_within_their_subtree(station: Any, cast: Any,
                                                                      today: dt.date) -> None:
    o = submit(station, station.neighbours, territory=station.territory_a)
    assert o.handler_org == cast.branch_a
    with acting(cast.secretary, "web"):
        for target, dept in ((cast.branch_b, None), (station.org, station.department)):
            with pytest.raises(PermissionDeniedError) as err:
                services.assign(o, to_org=target, department=dept, on=DAY)
            assert err.value.field == "to_org"
        services.assign(o, to_org=cast.group_a1, on=DAY, note="交第一党小组")
    o.refresh_from_db()
    assert o.handler_org == cast.group_a1


def test_routing_by_place_skips_party_groups_and_never_picks_by_chance(station: Any, cast: Any,
                                                                       today: dt.date) -> None:
    from grassroots.orgs.models import Organization

    # A's party group holds A's community too: it is not a handler, so A still gets it.
    Organization.objects.filter(pk=cast.group_a1.pk).update(territory=station.territory_a)
    assert submit(station, station.neighbours, territory=station.territory_a).handler_org == cast.branch_a
    # A and B both hold it: neither is picked by chance; their general branch G above both gets it.
    Organization.objects.filter(pk=cast.branch_b.pk).update(territory=station.territory_a)
    assert submit(station, station.neighbours, territory=station.territory_a).handler_org == cast.general


def test_statistics_keep_the_deadline_set_at_the_time(station: Any, cast: Any, today: dt.date) -> None:
    o = submit(station, station.roads, on=DAY)  # 5 working days: due 9 December
    with acting(None, "system"):
        services.reply(o, to_state=State.SOLVED, on=dt.date(2024, 12, 9), **FULL)
    station.roads.deadline_workdays = 1  # the station shortens the category's deadline afterwards
    station.roads.save()
    figures = selectors.year_statistics(cast.street, 2024, as_of=dt.date(2024, 12, 20)).total
    assert (figures.completed, figures.on_time) == (1, 1)
