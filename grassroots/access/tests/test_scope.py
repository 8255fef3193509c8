"""`Scope`, role by role, against the test cast (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from grassroots.access.models import Role
from grassroots.access.scope import (
    current_scope,
    require_reveal,
    require_write_member,
    require_write_org,
    scope_for,
)
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError
from grassroots.core.models import AuditEntry
from grassroots.members.services import member_reveal
from grassroots.orgs.models import Organization
from grassroots.orgs.services import territory_create, territory_hold
from grassroots.recruitment.models import Candidate
from grassroots.recruitment.services import candidate_apply

pytestmark = pytest.mark.django_db



def codes(qs: Any) -> set[str]:
    return set(qs.values_list("code", flat=True))


def names(qs: Any) -> set[str]:
    return set(qs.values_list("name", flat=True))


# What each role reads and writes, written out by hand.
EXPECTED = {
    #              read orgs                          write orgs                     read members
    "admin": ({"S", "G", "A", "B", "A1", "X", "C"}, {"S", "G", "A", "B", "A1", "X", "C"}, {"李明", "王强", "赵刚", "孙丽"}),
    "street_admin": ({"S", "G", "A", "B", "A1"}, {"S", "G", "A", "B", "A1"}, {"李明", "王强", "赵刚"}),
    "secretary": ({"A", "A1"}, {"A", "A1"}, {"李明", "王强"}),
    "auditor": ({"S", "G", "A", "B", "A1"}, set(), {"李明", "王强", "赵刚"}),
    "member": (set(), set(), {"李明"}),
    "outsider": ({"X", "C"}, {"X", "C"}, {"孙丽"}),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_querysets(cast: Any, role: str) -> None:
    read_orgs, write_orgs, read_members = EXPECTED[role]
    scope = scope_for(cast.users[role])
    assert codes(scope.orgs()) == read_orgs
    assert codes(scope.orgs(write=True)) == write_orgs
    assert names(scope.members()) == read_members
    everyone = (cast.member, cast.member_a2, cast.member_b, cast.member_c)
    assert names(scope.members(write=True)) == {m.name for m in everyone if m.org.code in write_orgs}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_single_object_checks_agree_with_the_querysets(cast: Any, role: str) -> None:
    read_orgs, write_orgs, read_members = EXPECTED[role]
    scope = scope_for(cast.users[role])
    for org in (cast.street, cast.general, cast.branch_a, cast.branch_b, cast.group_a1, cast.other_street,
                cast.branch_c):
        assert scope.can_read_org(org) == (org.code in read_orgs), org.code
        assert scope.can_write_org(org) == (org.code in write_orgs), org.code
    for member in (cast.member, cast.member_a2, cast.member_b, cast.member_c):
        assert scope.can_read_member(member) == (member.name in read_members), member.name
        assert scope.can_write_member(member) == (member.org.code in write_orgs), member.name
    assert scope.can_write_org(None) == (role == "admin")


def test_reveal_rights(cast: Any) -> None:
    allowed = {
        "admin": {"李明", "王强", "赵刚", "孙丽"},
        "street_admin": {"李明", "王强", "赵刚"},
        "secretary": {"李明", "王强"},
        "auditor": set(),  # reads everything in S, reveals nothing
        "member": {"李明"},  # their own record
        "outsider": {"孙丽"},
    }
    members = (cast.member, cast.member_a2, cast.member_b, cast.member_c)
    for role, expected in allowed.items():
        scope = scope_for(cast.users[role])
        assert {m.name for m in members if scope.can_reveal(m)} == expected, role


@pytest.mark.parametrize("role", list(EXPECTED))
def test_audit_entries(cast: Any, role: str) -> None:
    scope = scope_for(cast.users[role])
    read_orgs = EXPECTED[role][0]
    org_ids = {o.pk for o in (cast.street, cast.general, cast.branch_a, cast.branch_b, cast.group_a1,
                              cast.other_street, cast.branch_c) if o.code in read_orgs}
    seen = list(scope.audit_entries())
    if role == "admin":
        assert len(seen) == AuditEntry.objects.count()
        return
    own = {str(i) for i in scope.own_member_ids}
    for entry in seen:
        assert entry.org_id in org_ids or (entry.object_type == "members.member" and entry.object_id in own)
    expected = AuditEntry.objects.filter(org_id__in=org_ids).count()
    if role == "member":
        expected = AuditEntry.objects.filter(object_type="members.member", object_id=str(cast.member.pk)).count()
    assert len(seen) == expected > 0


def test_roots(cast: Any) -> None:
    assert codes(scope_for(cast.street_admin).roots()) == {"S"}
    assert codes(scope_for(cast.secretary).roots()) == {"A"}
    assert codes(scope_for(cast.member_user).roots()) == set()
    assert codes(scope_for(cast.admin).roots()) == {"S", "X"}


def test_anonymous_and_nobody_see_nothing(cast: Any) -> None:
    for scope in (scope_for(None), scope_for(AnonymousUser())):
        assert not scope.unrestricted
        assert not scope.orgs().exists() and not scope.members().exists() and not scope.audit_entries().exists()
        assert not scope.can_read_member(cast.member) and not scope.can_reveal(cast.member)


def test_an_inactive_superuser_is_not_an_admin(cast: Any) -> None:
    cast.admin.is_active = False
    cast.admin.save()
    scope = scope_for(cast.admin)
    assert not scope.unrestricted and not scope.members().exists()


def test_current_scope_is_the_acting_users(cast: Any) -> None:
    assert current_scope().unrestricted  # nobody acting: the system
    with acting(cast.secretary, "web"):
        assert codes(current_scope().orgs()) == {"A", "A1"}
        require_write_org(cast.branch_a)
        require_write_member(cast.member_a2)
        with pytest.raises(PermissionDeniedError):
            require_write_org(cast.branch_b)
        with pytest.raises(PermissionDeniedError):
            require_write_org(None)
        with pytest.raises(PermissionDeniedError):
            require_write_member(cast.member_b)
    with acting(AnonymousUser(), "web"), pytest.raises(PermissionDeniedError):
        require_reveal(cast.member)


def test_reveal_through_the_service_is_audited_and_checked(cast: Any) -> None:
    with acting(cast.member_user, "web"):
        assert member_reveal(cast.member, field="id_number") == cast.member.id_number
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.actor_name, entry.object_id) == ("member.reveal_id_number", "member",
                                                                str(cast.member.pk))
    count = AuditEntry.objects.count()
    for user, member in ((cast.member_user, cast.member_a2), (cast.auditor, cast.member), (cast.outsider, cast.member)):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            member_reveal(member, field="phone")
    assert AuditEntry.objects.count() == count


@pytest.mark.parametrize("role", list(EXPECTED))
def test_org_owned_records_are_visible_as_their_organizations_are(cast: Any, role: str) -> None:
    """`visible_to(scope)` (the org-owned queryset method) keeps the records of the organizations the scope
    reads, or writes: a candidate in each branch of the cast."""
    orgs = (cast.branch_a, cast.branch_b, cast.branch_c)
    with acting(None, "system"):
        for i, org in enumerate(orgs):
            candidate_apply(name=f"申请人{org.code}", sex="M", birth_date=dt.date(1998, 5, 6),
                            id_number=idnumber.make("530522", dt.date(1998, 5, 6), 900 + i), education="bachelor",
                            occupation="in_service", org=org, applied_on=dt.date(2020, 3, 1))
    read_orgs, write_orgs, _members = EXPECTED[role]
    scope = scope_for(cast.users[role])
    assert names(Candidate.objects.visible_to(scope)) == {f"申请人{o.code}" for o in orgs if o.code in read_orgs}
    assert names(Candidate.objects.visible_to(scope, write=True)) == {
        f"申请人{o.code}" for o in orgs if o.code in write_orgs}


# Scoping by place: S holds the street P, A the community PA (with a villager group PA1 under it), B the community
# PB, X the street Q; the grid PG under P is given to B.
PLACES = {
    #              read places                                write places
    "admin": ({"P", "PA", "PA1", "PB", "PG", "Q"}, {"P", "PA", "PA1", "PB", "PG", "Q"}),
    "street_admin": ({"P", "PA", "PA1", "PB", "PG"}, {"P", "PA", "PA1", "PB", "PG"}),
    "secretary": ({"PA", "PA1"}, {"PA", "PA1"}),
    "auditor": ({"P", "PA", "PA1", "PB", "PG"}, set()),
    "member": (set(), set()),
    "outsider": ({"Q"}, {"Q"}),
}


@pytest.fixture
def places(cast: Any) -> dict[str, Any]:
    with acting(None, "system"):
        p = territory_create(code="P", name="和平街道", kind="street")
        pa = territory_create(code="PA", name="东风社区", kind="community", parent=p)
        made = {"P": p, "PA": pa, "PA1": territory_create(code="PA1", name="一组", kind="villager_group", parent=pa),
                "PB": territory_create(code="PB", name="红旗社区", kind="community", parent=p),
                "PG": territory_create(code="PG", name="一网格", kind="grid", parent=p),
                "Q": territory_create(code="Q", name="外街", kind="street")}
        for org, code in ((cast.street, "P"), (cast.branch_a, "PA"), (cast.branch_b, "PB"), (cast.other_street, "Q")):
            Organization.objects.filter(pk=org.pk).update(territory=made[code])
        territory_hold(made["PG"], holder=cast.branch_b, on=dt.date(2020, 1, 1))
    return made


@pytest.mark.parametrize("role", list(PLACES))
def test_places_by_role(cast: Any, places: dict[str, Any], role: str) -> None:
    read, write = PLACES[role]
    scope = scope_for(cast.users[role])
    assert codes(scope.territories()) == read
    assert codes(scope.territories(write=True)) == write
    for code, place in places.items():
        assert scope.can_read_territory(place) == (code in read), code
        assert scope.can_write_territory(place) == (code in write), code
    assert scope.can_write_territory(None) == (role == "admin")


def test_a_secretary_sees_the_places_of_their_branch_and_what_is_given_to_it(cast: Any,
                                                                           places: dict[str, Any]) -> None:
    b_secretary = type(cast.secretary).objects.create_user(username="b_secretary", password="x")
    Role.objects.create(user=b_secretary, kind="secretary", org=cast.branch_b)
    assert codes(scope_for(b_secretary).territories()) == {"PB", "PG"}
    assert not scope_for(b_secretary).can_read_territory(places["PA1"])
    with acting(None, "system"):
        territory_hold(places["PG"], holder=cast.branch_a, on=dt.date(2021, 1, 1))
    assert codes(scope_for(b_secretary).territories()) == {"PB"}
    assert codes(scope_for(cast.secretary).territories()) == {"PA", "PA1", "PG"}
