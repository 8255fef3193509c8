"""Changes of the organization tree: each dated, in order, atomic, with an OrgChange and an audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.members.models import MemberEvent
from grassroots.members.selectors import members_of_on
from grassroots.orgs import selectors
from grassroots.orgs.models import Organization, OrgChange, OrgState
from grassroots.orgs.services import (
    org_create,
    org_merge,
    org_move,
    org_rename,
    org_revoke,
    org_split,
    org_upgrade,
)

D = dt.date
TOMORROW = dt.date.today() + dt.timedelta(days=2)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(cast: Any) -> Any:
    with acting(cast.street_admin, "web"):
        yield cast


def _fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def _counts() -> tuple[int, int, int, int]:
    return OrgState.objects.count(), OrgChange.objects.count(), AuditEntry.objects.count(), MemberEvent.objects.count()


def _last_change(org: Organization) -> OrgChange:
    return OrgChange.objects.filter(org=org).order_by("-id")[0]


def _last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-id")[0]


# --- create ----------------------------------------------------------------------------------------

def test_create_writes_state_change_and_audit(admin: Any) -> None:
    before = _counts()
    org = org_create(code="A2", name="第二党小组", kind="party_group", founded_on=D(2010, 1, 1), parent=admin.branch_a)
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3])
    assert org.get_parent().pk == admin.branch_a.pk
    (state,) = OrgState.objects.filter(org=org)
    assert (state.valid_from, state.valid_to, state.name, state.parent_id, state.path) == (
        D(2010, 1, 1), None, "第二党小组", admin.branch_a.pk, org.path)
    change = _last_change(org)
    assert (change.kind, change.date, change.details) == ("create", D(2010, 1, 1), {"parent": "A"})
    entry = _last_audit()
    assert (entry.action, entry.actor_name, entry.channel, entry.org_id) == ("org.create", "street_admin", "web", org.pk)
    assert entry.changes["after"]["code"] == "A2" and entry.changes["before"] == {}


@pytest.mark.parametrize("kind,parent", [
    ("party_group", "street"), ("party_group", None), ("branch", "branch_a"), ("general_branch", "general"),
    ("general_branch", "branch_a"), ("working_committee", "branch_b"), ("committee", "group_a1"), ("branch", "group_a1"),
])
def test_kind_rules(admin: Any, kind: str, parent: str | None) -> None:
    before = _counts()
    with pytest.raises(RuleError, match="cannot stand under") as err:
        org_create(code="N", name="新", kind=kind, founded_on=D(2010, 1, 1),
                   parent=getattr(admin, parent) if parent else None)
    assert err.value.field == "parent"
    assert _counts() == before


def test_party_group_under_a_general_branch_is_allowed(admin: Any) -> None:
    org = org_create(code="G1", name="总支党小组", kind="party_group", founded_on=D(2010, 1, 1), parent=admin.general)
    assert org.kind == "party_group"


@pytest.mark.parametrize("fields,field", [
    ({"code": "A"}, "code"), ({"code": " "}, "code"), ({"name": ""}, "name"), ({"kind": "cell"}, "kind"),
    ({"founded_on": D(1999, 12, 31)}, "founded_on"), ({"founded_on": D(1900, 1, 1)}, "founded_on"),
    ({"founded_on": TOMORROW}, "date"),
])
def test_create_refusals(admin: Any, fields: dict[str, Any], field: str) -> None:
    args = {"code": "N", "name": "新支部", "kind": "branch", "founded_on": D(2010, 1, 1), "parent": admin.general}
    args.update(fields)
    before = _counts()
    with pytest.raises(RuleError) as err:
        org_create(**args)
    assert err.value.field == field
    assert _counts() == before


def test_create_refused_outside_scope(cast: Any) -> None:
    with acting(cast.secretary, "web"), pytest.raises(PermissionDeniedError):
        org_create(code="N", name="新", kind="branch", founded_on=D(2010, 1, 1), parent=cast.general)
    with acting(cast.street_admin, "web"), pytest.raises(PermissionDeniedError):
        org_create(code="N", name="新", kind="branch", founded_on=D(2010, 1, 1), parent=cast.other_street)
    with acting(cast.street_admin, "web"), pytest.raises(PermissionDeniedError):
        org_create(code="N", name="新", kind="working_committee", founded_on=D(2010, 1, 1))


# --- rename ----------------------------------------------------------------------------------------

def test_rename(admin: Any) -> None:
    org_rename(admin.branch_a, name="幸福支部", on=D(2019, 6, 1), note="by decision 12")
    a = _fresh(admin.branch_a)
    assert a.name == "幸福支部"
    states = list(OrgState.objects.filter(org=a).order_by("valid_from"))
    assert [(s.valid_from, s.valid_to, s.name) for s in states] == [
        (D(2000, 1, 1), D(2019, 6, 1), "第一支部"), (D(2019, 6, 1), None, "幸福支部")]
    change = _last_change(a)
    assert (change.kind, change.note, change.details) == ("rename", "by decision 12",
                                                           {"old_name": "第一支部", "new_name": "幸福支部"})
    entry = _last_audit()
    assert entry.action == "org.rename" and entry.changes["before"] == {"name": "第一支部"}


def test_two_changes_the_same_day_keep_one_state(admin: Any) -> None:
    org_rename(admin.branch_a, name="甲", on=D(2019, 6, 1))
    org_rename(admin.branch_a, name="乙", on=D(2019, 6, 1))
    states = list(OrgState.objects.filter(org=admin.branch_a).order_by("valid_from"))
    assert [(s.valid_from, s.valid_to, s.name) for s in states] == [
        (D(2000, 1, 1), D(2019, 6, 1), "第一支部"), (D(2019, 6, 1), None, "乙")]
    assert OrgChange.objects.filter(org=admin.branch_a, kind="rename").count() == 2


@pytest.mark.parametrize("change", ["rename", "move", "upgrade", "revoke", "merge", "split"])
def test_out_of_order_and_future_changes_write_nothing(admin: Any, change: str) -> None:
    org_rename(admin.branch_b, name="第二支部（改）", on=D(2019, 6, 1))
    calls = {
        "rename": lambda on: org_rename(admin.branch_b, name="又改", on=on),
        "move": lambda on: org_move(_fresh(admin.branch_b), parent=admin.street, on=on),
        "upgrade": lambda on: org_upgrade(_fresh(admin.branch_b), on=on, kind="general_branch"),
        "revoke": lambda on: org_revoke(_fresh(admin.branch_b), on=on, members_to=admin.branch_a),
        "merge": lambda on: org_merge(_fresh(admin.branch_b), into=admin.branch_a, on=on),
        "split": lambda on: org_split(_fresh(admin.branch_b), on=on, parts=[{"code": "B9", "name": "分"}],
                                      assignments={}),
    }
    before = _counts()
    for on, message in ((D(2019, 5, 31), "date order"), (TOMORROW, "in the future")):
        with pytest.raises(RuleError, match=message):
            calls[change](on)
        assert _counts() == before
    assert _fresh(admin.branch_b).name == "第二支部（改）"


# --- move ------------------------------------------------------------------------------------------

def test_move_carries_the_subtree(admin: Any) -> None:
    old_path = admin.branch_a.path
    org_move(admin.branch_a, parent=admin.street, on=D(2019, 6, 1))
    a, a1 = _fresh(admin.branch_a), _fresh(admin.group_a1)
    assert a.get_parent().pk == admin.street.pk
    assert a1.path.startswith(a.path) and not a.path.startswith(old_path)
    for org in (a, a1):
        old, new = OrgState.objects.filter(org=org).order_by("valid_from")
        assert old.valid_to == new.valid_from == D(2019, 6, 1)
        assert old.path.startswith(old_path) and new.path == org.path
    assert OrgState.objects.get(org=a, valid_to=None).parent_id == admin.street.pk
    assert OrgState.objects.get(org=a1, valid_to=None).parent_id == a.pk
    change = _last_change(a)
    assert (change.kind, change.details) == ("move", {"old_parent": "G", "new_parent": "S"})
    assert _last_audit().action == "org.move"
    # who belongs where today follows the tree
    assert selectors.kind_counts(_fresh(admin.general), D(2019, 6, 1)) == {"branch": 1}


@pytest.mark.parametrize("target", ["branch_a", "group_a1"])
def test_cannot_move_under_itself(admin: Any, target: str) -> None:
    before = _counts()
    with pytest.raises(RuleError, match="under itself"):
        org_move(admin.branch_a, parent=getattr(admin, target), on=D(2019, 6, 1))
    with pytest.raises(RuleError, match="under itself"):
        org_move(admin.general, parent=getattr(admin, target), on=D(2019, 6, 1))
    assert _counts() == before


def test_move_checks_the_kind_rule(admin: Any) -> None:
    with pytest.raises(RuleError, match="cannot stand under"):
        org_move(admin.branch_a, parent=admin.branch_b, on=D(2019, 6, 1))


def test_move_outside_scope_refused(cast: Any) -> None:
    with acting(cast.street_admin, "web"), pytest.raises(PermissionDeniedError):
        org_move(cast.branch_a, parent=cast.other_street, on=D(2019, 6, 1))


# --- merge -----------------------------------------------------------------------------------------

def test_merge(admin: Any) -> None:
    on = D(2020, 3, 1)
    a_members = set(members_of_on(admin.branch_a, on).values_list("pk", flat=True))
    assert len(a_members) == 2
    org_merge(admin.branch_a, into=admin.branch_b, on=on)
    a, b, a1 = _fresh(admin.branch_a), _fresh(admin.branch_b), _fresh(admin.group_a1)
    assert a.revoked_on == on
    assert a1.get_parent().pk == b.pk and a1.revoked_on is None
    assert set(members_of_on(b, on).values_list("pk", flat=True)) == a_members | {admin.member_b.pk}
    assert not members_of_on(a, on).exists()
    assert set(members_of_on(a, on - dt.timedelta(days=1)).values_list("pk", flat=True)) == a_members
    for pk in a_members:
        ev = MemberEvent.objects.filter(member_id=pk).order_by("-id")[0]
        assert (ev.kind, ev.date, ev.org_id, ev.details) == ("transferred", on, b.pk, {"reason": "merge"})
    change = _last_change(a)
    assert (change.kind, change.details) == ("merge", {"survivor": "B", "members_moved": 2})
    assert _last_audit().action == "org.merge"
    assert selectors.state_on(a, on) is None
    assert selectors.kind_counts(b, on, include_root=True) == {"branch": 1, "party_group": 1}
    assert selectors.kind_counts(_fresh(admin.general), on) == {"branch": 1, "party_group": 1}
    assert selectors.kind_counts(_fresh(admin.general), on - dt.timedelta(days=1)) == {"branch": 2, "party_group": 1}


def test_merge_refusals(admin: Any) -> None:
    before = _counts()
    for into, message in ((admin.branch_a, "into itself"), (admin.group_a1, "under it"),
                          (admin.group_a1, "under it")):
        with pytest.raises(RuleError, match=message):
            org_merge(admin.branch_a, into=into, on=D(2020, 1, 1))
    with pytest.raises(RuleError, match="party group"):
        org_merge(admin.branch_b, into=admin.group_a1, on=D(2020, 1, 1))
    assert _counts() == before


# --- split -----------------------------------------------------------------------------------------

def test_split_moves_assigned_members(admin: Any) -> None:
    on = D(2021, 1, 1)
    parts = [{"code": "A-east", "name": "东支部"}, {"code": "A-west", "name": "西支部"}]
    east, west = org_split(admin.branch_a, on=on, parts=parts, assignments={admin.member.pk: "A-east"})
    for new in (east, west):
        assert new.get_parent().pk == admin.general.pk and new.kind == "branch" and new.founded_on == on
        assert selectors.state_on(new, on) is not None and selectors.state_on(new, on - dt.timedelta(days=1)) is None
    assert list(members_of_on(east, on)) == [admin.member]
    assert list(members_of_on(admin.branch_a, on)) == [admin.member_a2]
    assert _fresh(admin.branch_a).revoked_on is None
    change = _last_change(admin.branch_a)
    assert (change.kind, change.details) == ("split", {"parts": ["A-east", "A-west"], "moved": 1})
    assert _last_audit().action == "org.split"


def test_split_revoking_the_original_needs_every_member(admin: Any) -> None:
    on = D(2021, 1, 1)
    org_move(admin.group_a1, parent=admin.general, on=D(2020, 1, 1))  # leave A without children
    parts = [{"code": "A-east", "name": "东支部"}, {"code": "A-west", "name": "西支部"}]
    before = _counts()
    with pytest.raises(RuleError, match="assign every one"):
        org_split(_fresh(admin.branch_a), on=on, parts=parts, assignments={admin.member.pk: "A-east"},
                  revoke_original=True)
    assert _counts() == before
    assert not Organization.objects.filter(code="A-east").exists()
    with pytest.raises(RuleError, match="not one of the new"):
        org_split(_fresh(admin.branch_a), on=on, parts=parts, assignments={admin.member.pk: "Z"})
    with pytest.raises(RuleError, match="is not in"):
        org_split(_fresh(admin.branch_a), on=on, parts=parts, assignments={admin.member_b.pk: "A-east"})
    with pytest.raises(RuleError, match="at least one"):
        org_split(_fresh(admin.branch_a), on=on, parts=[], assignments={})
    assert _counts() == before
    org_split(_fresh(admin.branch_a), on=on, parts=parts, revoke_original=True,
              assignments={admin.member.pk: "A-east", admin.member_a2.pk: "A-west"})
    a = _fresh(admin.branch_a)
    assert a.revoked_on == on and selectors.state_on(a, on) is None
    assert [m.pk for m in members_of_on(Organization.objects.get(code="A-west"), on)] == [admin.member_a2.pk]


# --- upgrade ---------------------------------------------------------------------------------------

def test_upgrade_branch_to_general_branch(admin: Any) -> None:
    c = _fresh(admin.branch_c)
    with acting(admin.admin, "web"):
        org_upgrade(c, on=D(2018, 1, 1))
    c = _fresh(c)
    assert c.kind == "general_branch"
    old, new = OrgState.objects.filter(org=c).order_by("valid_from")
    assert (old.kind, old.valid_to, new.kind, new.valid_from) == ("branch", D(2018, 1, 1), "general_branch",
                                                                   D(2018, 1, 1))
    change = _last_change(c)
    assert change.details == {"old_kind": "branch", "new_kind": "general_branch"}
    assert selectors.kind_counts(_fresh(admin.other_street), D(2017, 12, 31)) == {"branch": 1}
    assert selectors.kind_counts(_fresh(admin.other_street), D(2018, 1, 1)) == {"general_branch": 1}


def test_upgrade_refusals(admin: Any) -> None:
    before = _counts()
    with pytest.raises(RuleError, match="higher kind"):
        org_upgrade(admin.general, on=D(2018, 1, 1), kind="branch")  # a downgrade
    with pytest.raises(RuleError, match="higher kind"):
        org_upgrade(admin.branch_a, on=D(2018, 1, 1), kind="branch")
    with pytest.raises(RuleError, match="cannot stand under"):  # a general branch under a general branch
        org_upgrade(admin.branch_a, on=D(2018, 1, 1))
    assert _counts() == before


# --- revoke ----------------------------------------------------------------------------------------

def test_revoke_refused_with_members_or_children(admin: Any) -> None:
    before = _counts()
    with pytest.raises(RuleError, match="still has members") as err:
        org_revoke(admin.branch_b, on=D(2020, 1, 1))
    assert err.value.field == "members_to"
    with pytest.raises(RuleError, match="organizations under it"):
        org_revoke(admin.branch_a, on=D(2020, 1, 1), members_to=admin.branch_b)
    with pytest.raises(RuleError, match="party group|Party group"):
        org_revoke(admin.branch_b, on=D(2020, 1, 1), members_to=admin.group_a1)
    assert _counts() == before


def test_revoke_with_members_to(admin: Any) -> None:
    on = D(2020, 1, 1)
    org_revoke(admin.branch_b, on=on, members_to=admin.branch_a, note="too few members")
    b = _fresh(admin.branch_b)
    assert b.revoked_on == on
    assert admin.member_b.pk in set(members_of_on(admin.branch_a, on).values_list("pk", flat=True))
    ev = MemberEvent.objects.filter(member=admin.member_b).order_by("-id")[0]
    assert (ev.kind, ev.details) == ("transferred", {"reason": "revoke"})
    assert _last_change(b).details == {"members_to": "A", "members_moved": 1}
    assert _last_audit().changes["after"] == {"revoked_on": "2020-01-01"}
    with pytest.raises(RuleError, match="was revoked"):
        org_rename(b, name="复活", on=D(2021, 1, 1))


def test_revoke_an_empty_party_group(admin: Any) -> None:
    org_revoke(admin.group_a1, on=D(2020, 1, 1))
    assert _fresh(admin.group_a1).revoked_on == D(2020, 1, 1)
    assert selectors.kind_counts(_fresh(admin.branch_a), D(2020, 1, 1)) == {}
    assert selectors.kind_counts(_fresh(admin.branch_a), D(2019, 12, 31)) == {"party_group": 1}
