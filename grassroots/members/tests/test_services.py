"""Member services: creation checks, dated attribute changes, transfers back in, reassignment, reveal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import make_member
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.members import services
from grassroots.members.models import Member, MemberEvent, MemberPeriod
from grassroots.members.selectors import members_of_on, roster_on

D = dt.date


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _args(home: Any, **kw: Any) -> dict[str, Any]:
    birth = kw.pop("birth_date", D(1990, 5, 6))
    args: dict[str, Any] = dict(name="新人", sex="M", birth_date=birth, id_number=idnumber.make("110105", birth, 901),
                                education="bachelor", occupation="in_service", org=home, joined_on=D(2015, 7, 1))
    args.update(kw)
    return args


def test_create_writes_events_periods_and_audit(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        m = services.member_create(**_args(cast.branch_a, status="full", converted_on=D(2016, 7, 1),
                                           id_number=idnumber.make("110105", D(1990, 5, 6), 901).lower()))
    assert [(e.kind, e.date) for e in MemberEvent.objects.filter(member=m)] == [
        ("joined", D(2015, 7, 1)), ("converted", D(2016, 7, 1))]
    assert [(p.start, p.end, p.status) for p in MemberPeriod.objects.filter(member=m)] == [
        (D(2015, 7, 1), D(2016, 7, 1), "probationary"), (D(2016, 7, 1), None, "full")]
    assert (m.status, m.standing, m.org_id, m.converted_on) == ("full", "active", cast.branch_a.pk, D(2016, 7, 1))
    entry = AuditEntry.objects.order_by("-id")[0]
    assert (entry.action, entry.actor_name) == ("member.create", "secretary")


@pytest.mark.parametrize("override,field", [
    ({"name": " "}, "name"), ({"sex": "X"}, "sex"), ({"ethnicity": ""}, "ethnicity"),
    ({"id_number": "110105199005069010"}, "id_number"), ({"birth_date": D(1990, 5, 7),
                                                       "id_number": idnumber.make("110105", D(1990, 5, 6), 1)},
                                                      "birth_date"),
    ({"education": "phd"}, "education"), ({"occupation": "king"}, "occupation"),
    ({"joined_on": D(2005, 1, 1)}, "joined_on"), ({"joined_on": dt.date.today() + dt.timedelta(days=3)}, "joined_on"),
    ({"status": "probationary", "converted_on": D(2016, 1, 1)}, "converted_on"),
    ({"status": "full", "converted_on": D(2015, 7, 1)}, "converted_on"),
    ({"org": "group_a1"}, "org"),
])
def test_create_refusals(cast: Any, override: dict[str, Any], field: str) -> None:
    args = _args(cast.branch_a, **override)
    if args["org"] == "group_a1":
        args["org"] = cast.group_a1
    before = (Member.objects.count(), MemberEvent.objects.count(), AuditEntry.objects.count())
    with acting(cast.admin, "web"), pytest.raises(RuleError) as err:
        services.member_create(**args)
    assert err.value.field == field
    assert (Member.objects.count(), MemberEvent.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_id_number_refused(cast: Any) -> None:
    with acting(cast.admin, "web"), pytest.raises(RuleError, match="already held"):
        services.member_create(**_args(cast.branch_a, id_number=cast.member.id_number,
                                       birth_date=cast.member.birth_date))


def test_create_outside_scope_refused(cast: Any) -> None:
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        services.member_create(**_args(cast.branch_b))


def test_update_education_is_dated(cast: Any) -> None:
    with acting(cast.secretary, "web"):
        services.member_update(cast.member, education="postgraduate", on=D(2018, 9, 1), name="李明明")
    m = Member.objects.get(pk=cast.member.pk)
    assert (m.name, m.education) == ("李明明", "postgraduate")
    ev = MemberEvent.objects.filter(member=m).order_by("-id")[0]
    assert (ev.kind, ev.date, ev.details) == ("updated", D(2018, 9, 1), {"education": "postgraduate"})
    on_day = {p.member_id: p.education for p in roster_on(cast.branch_a, D(2018, 9, 1))}
    day_before = {p.member_id: p.education for p in roster_on(cast.branch_a, D(2018, 8, 31))}
    assert (day_before[m.pk], on_day[m.pk]) == ("bachelor", "postgraduate")


def test_update_refuses_dated_and_unknown_fields(cast: Any) -> None:
    with acting(cast.admin, "web"):
        with pytest.raises(RuleError, match="cannot be changed here"):
            services.member_update(cast.member, org=cast.branch_b)
        with pytest.raises(RuleError):
            services.member_update(cast.member, education="nonsense")
        with pytest.raises(RuleError, match="party group"):
            services.member_update(cast.member_b, party_group=cast.group_a1)
        services.member_update(cast.member, party_group=cast.group_a1)
    assert Member.objects.get(pk=cast.member.pk).party_group_id == cast.group_a1.pk


def test_transfer_back_in_keeps_what_is_known(cast: Any) -> None:
    """A member transferred out and back in keeps education, occupation and status unless told otherwise."""
    with acting(cast.admin, "web"):
        m = make_member(cast.branch_a, name="回来", education="college", occupation="retired",
                        status="probationary", converted_on=None, joined_on=D(2019, 1, 1))
        services.member_record_event(m, kind="transferred_out", on=D(2019, 6, 1))
        services.member_record_event(m, kind="transferred_in", on=D(2020, 1, 1), org=cast.branch_b)
        m.refresh_from_db()
        assert (m.org_id, m.standing, m.status, m.education, m.occupation) == (
            cast.branch_b.pk, "active", "probationary", "college", "retired")
        last = MemberPeriod.objects.filter(member=m).order_by("-start")[0]
        assert (last.start, last.education, last.occupation, last.status) == (
            D(2020, 1, 1), "college", "retired", "probationary")
        services.member_record_event(m, kind="transferred_out", on=D(2021, 1, 1))
        services.member_record_event(m, kind="transferred_in", on=D(2022, 1, 1), org=cast.branch_a,
                                     details={"status": "full", "education": "bachelor"})
    m.refresh_from_db()
    assert (m.status, m.education, m.occupation) == ("full", "bachelor", "retired")
    assert not members_of_on(cast.branch_b, D(2021, 1, 1)).filter(pk=m.pk).exists()
    assert members_of_on(cast.branch_b, D(2020, 12, 31)).filter(pk=m.pk).exists()


def test_reassign_records_a_transfer(cast: Any) -> None:
    with acting(cast.street_admin, "web"):
        services.member_reassign(cast.member, to_org=cast.branch_b, on=D(2020, 1, 1), reason="merge")
    ev = MemberEvent.objects.filter(member=cast.member).order_by("-id")[0]
    assert (ev.kind, ev.org_id, ev.details) == ("transferred", cast.branch_b.pk, {"reason": "merge"})
    assert list(members_of_on(cast.branch_b, D(2020, 1, 1)).values_list("name", flat=True)) == ["李明", "赵刚"]


@pytest.mark.parametrize("user,allowed", [("admin", True), ("street_admin", True), ("secretary", True),
                                          ("member", True), ("auditor", False), ("outsider", False)])
def test_reveal_permissions(cast: Any, user: str, allowed: bool) -> None:
    before = AuditEntry.objects.count()
    with acting(cast.users[user], "web"):
        if allowed:
            assert services.member_reveal(cast.member, field="id_number") == cast.member.id_number
        else:
            with pytest.raises(PermissionDeniedError):
                services.member_reveal(cast.member, field="id_number")
    assert AuditEntry.objects.count() == before + (1 if allowed else 0)


def test_reveal_only_named_fields(cast: Any) -> None:
    with acting(cast.admin, "web"), pytest.raises(RuleError, match="only the ID number"):
        services.member_reveal(cast.member, field="birth_date")


def test_a_member_older_than_the_branch_is_counted_only_once_it_exists(cast: Any) -> None:
    """Joined the Party in 1965 elsewhere; the branch was founded in 2000: the roster has them from 2000 on."""
    with acting(None, "system"):
        veteran = make_member(cast.branch_a, name="老党员", birth=dt.date(1940, 2, 3), joined_on=dt.date(1965, 7, 1),
                              converted_on=dt.date(1966, 7, 1), occupation="retired")
    assert veteran.joined_on == dt.date(1965, 7, 1)
    assert veteran not in {p.member for p in roster_on(cast.street, dt.date(1999, 12, 31))}
    assert veteran in {p.member for p in roster_on(cast.street, dt.date(2000, 1, 1))}


def test_a_move_into_an_organization_before_it_was_founded_is_refused(cast: Any) -> None:
    from grassroots.orgs.services import org_create

    with acting(None, "system"):
        newer = org_create(code="N", name="新支部", kind="branch", founded_on=dt.date(2010, 1, 1), parent=cast.general)
        before = MemberEvent.objects.count()
        with pytest.raises(RuleError, match="was founded on 2010-01-01"):
            services.member_record_event(cast.member_a2, kind="transferred", on=dt.date(2009, 12, 31), org=newer)
        assert MemberEvent.objects.count() == before
        services.member_record_event(cast.member_a2, kind="transferred", on=dt.date(2010, 1, 1), org=newer)
