"""The tree as it stood on a date: names, shape, and which nodes existed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.orgs import selectors
from grassroots.orgs.models import Organization
from grassroots.orgs.services import org_create, org_merge, org_move, org_rename, org_revoke, org_upgrade

D = dt.date


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def _shape(node: selectors.TreeNode | None) -> Any:
    """(code, name, kind, [children...]) with children sorted by code."""
    if node is None:
        return None
    return (node.code, node.name, node.kind, sorted((_shape(c) for c in node.children), key=lambda t: t[0]))


def test_the_cast_tree(cast: Any) -> None:
    assert _shape(selectors.tree_as_of(cast.street, D(2010, 1, 1))) == (
        "S", "街道党工委", "working_committee", [
            ("G", "第一党总支", "general_branch", [
                ("A", "第一支部", "branch", [("A1", "第一党小组", "party_group", [])]),
                ("B", "第二支部", "branch", [])])])
    assert selectors.kind_counts(cast.street, D(2010, 1, 1)) == {"general_branch": 1, "branch": 2, "party_group": 1}
    assert selectors.kind_counts(cast.street, D(2010, 1, 1), include_root=True)["working_committee"] == 1


def test_rename_as_of(cast: Any) -> None:
    with acting(cast.street_admin, "web"):
        org_rename(cast.branch_a, name="幸福支部", on=D(2019, 6, 1))
    a = _fresh(cast.branch_a)
    assert selectors.state_on(a, D(2019, 5, 31)).name == "第一支部"
    assert selectors.state_on(a, D(2019, 6, 1)).name == "幸福支部"
    assert selectors.state_on(a, D(2030, 1, 1)).name == "幸福支部"
    before = selectors.tree_as_of(cast.street, D(2019, 5, 31))
    after = selectors.tree_as_of(cast.street, D(2019, 6, 1))
    assert _shape(before)[3][0][3][0][1] == "第一支部"
    assert _shape(after)[3][0][3][0][1] == "幸福支部"
    names = {s.name for s in selectors.subtree_states(cast.street, D(2019, 5, 31))}
    assert "第一支部" in names and "幸福支部" not in names


def test_move_as_of(cast: Any) -> None:
    with acting(cast.admin, "web"):
        org_move(cast.branch_a, parent=cast.other_street, on=D(2019, 6, 1))
    old_s = _shape(selectors.tree_as_of(cast.street, D(2019, 5, 31)))
    new_s = _shape(selectors.tree_as_of(cast.street, D(2019, 6, 1)))
    assert [c[0] for c in old_s[3][0][3]] == ["A", "B"]
    assert old_s[3][0][3][0][3] == [("A1", "第一党小组", "party_group", [])]
    assert [c[0] for c in new_s[3][0][3]] == ["B"]
    old_x = _shape(selectors.tree_as_of(cast.other_street, D(2019, 5, 31)))
    new_x = _shape(selectors.tree_as_of(cast.other_street, D(2019, 6, 1)))
    assert [c[0] for c in old_x[3]] == ["C"]
    assert [c[0] for c in new_x[3]] == ["A", "C"]
    assert new_x[3][0][3] == [("A1", "第一党小组", "party_group", [])]
    a = _fresh(cast.branch_a)
    assert selectors.tree_as_of(a, D(2019, 5, 31)).path != selectors.tree_as_of(a, D(2019, 6, 1)).path
    assert {s.org.code for s in selectors.subtree_states(a, D(2019, 5, 31))} == {"A", "A1"}
    assert {s.org.code for s in selectors.subtree_states(a, D(2019, 6, 1))} == {"A", "A1"}
    assert selectors.kind_counts(cast.street, D(2019, 5, 31)) == {"general_branch": 1, "branch": 2, "party_group": 1}
    assert selectors.kind_counts(cast.street, D(2019, 6, 1)) == {"general_branch": 1, "branch": 1}
    assert selectors.kind_counts(cast.other_street, D(2019, 6, 1)) == {"branch": 2, "party_group": 1}


def test_revoked_org_absent_from_the_day_of_revocation(cast: Any) -> None:
    with acting(cast.street_admin, "web"):
        org_revoke(cast.group_a1, on=D(2020, 1, 1))
    assert selectors.state_on(cast.group_a1, D(2019, 12, 31)) is not None
    assert selectors.state_on(cast.group_a1, D(2020, 1, 1)) is None
    assert selectors.tree_as_of(cast.group_a1, D(2020, 1, 1)) is None
    assert list(selectors.subtree_states(cast.group_a1, D(2020, 1, 1))) == []
    assert _shape(selectors.tree_as_of(cast.branch_a, D(2020, 1, 1)))[3] == []
    assert _shape(selectors.tree_as_of(cast.branch_a, D(2019, 12, 31)))[3][0][0] == "A1"


def test_absent_before_founding(cast: Any) -> None:
    with acting(cast.street_admin, "web"):
        new = org_create(code="N", name="新支部", kind="branch", founded_on=D(2015, 3, 1), parent=cast.general)
    assert selectors.state_on(new, D(2015, 2, 28)) is None
    assert selectors.tree_as_of(new, D(2015, 2, 28)) is None
    assert selectors.state_on(new, D(2015, 3, 1)).name == "新支部"
    assert selectors.kind_counts(cast.general, D(2015, 2, 28)) == {"branch": 2, "party_group": 1}
    assert selectors.kind_counts(cast.general, D(2015, 3, 1)) == {"branch": 3, "party_group": 1}
    assert selectors.tree_as_of(cast.street, D(1999, 12, 31)) is None


def test_merge_and_upgrade_as_of(cast: Any) -> None:
    with acting(cast.admin, "web"):
        org_merge(cast.branch_a, into=cast.branch_b, on=D(2020, 1, 1))
        org_upgrade(_fresh(cast.branch_c), on=D(2021, 1, 1))
    merged = _shape(selectors.tree_as_of(cast.street, D(2020, 1, 1)))
    assert merged[3][0][3] == [("B", "第二支部", "branch", [("A1", "第一党小组", "party_group", [])])]
    assert _shape(selectors.tree_as_of(cast.street, D(2019, 12, 31)))[3][0][3][0][0] == "A"
    assert selectors.tree_as_of(cast.other_street, D(2020, 12, 31)).children[0].kind == "branch"
    assert selectors.tree_as_of(cast.other_street, D(2021, 1, 1)).children[0].kind == "general_branch"


def test_path_reuse_does_not_mix_histories(cast: Any) -> None:
    """A node that left its parent frees its path; a later node may take it. Their histories stay apart."""
    with acting(cast.admin, "web"):
        org_move(cast.branch_b, parent=cast.other_street, on=D(2019, 6, 1))
        new = org_create(code="N", name="新支部", kind="branch", founded_on=D(2019, 7, 1), parent=_fresh(cast.general))
    g_before = {s.org.code for s in selectors.subtree_states(cast.general, D(2019, 5, 31))}
    g_after = {s.org.code for s in selectors.subtree_states(cast.general, D(2019, 7, 1))}
    assert g_before == {"G", "A", "A1", "B"}
    assert g_after == {"G", "A", "A1", "N"}
    assert {s.org.code for s in selectors.subtree_states(new, D(2019, 7, 1))} == {"N"}
    assert {s.org.code for s in selectors.subtree_states(_fresh(cast.branch_b), D(2019, 5, 31))} == {"B"}


def test_a_freed_path_cannot_be_taken_back_in_time(cast: Any) -> None:
    """B leaves G on 2019-06-01; a branch founded under G on 2019-01-01 would take B's old path while B's
    old state (2000 to 2019-06-01) still holds it, and the two histories would mix: it is refused."""
    from grassroots.core.errors import RuleError
    from grassroots.orgs.models import OrgChange, OrgState

    with acting(cast.admin, "web"):
        org_move(cast.branch_b, parent=cast.other_street, on=D(2019, 6, 1))
        before = (OrgState.objects.count(), OrgChange.objects.count())
        with pytest.raises(RuleError, match="2019-06-01"):
            org_create(code="N", name="新支部", kind="branch", founded_on=D(2019, 1, 1), parent=_fresh(cast.general))
        assert not Organization.objects.filter(code="N").exists()
        assert (OrgState.objects.count(), OrgChange.objects.count()) == before
        # moving a branch in, back in time, is refused the same way; on the day B left, it is fine
        with pytest.raises(RuleError, match="2019-06-01"):
            org_move(_fresh(cast.branch_c), parent=_fresh(cast.general), on=D(2019, 1, 1))
        org_move(_fresh(cast.branch_c), parent=_fresh(cast.general), on=D(2019, 6, 1))
    day = D(2019, 3, 1)
    assert {s.org.code for s in selectors.subtree_states(cast.general, day)} == {"G", "A", "A1", "B"}
    assert {s.org.code for s in selectors.subtree_states(cast.general, D(2019, 6, 1))} == {"G", "A", "A1", "C"}
    assert {s.org.code for s in selectors.subtree_states(_fresh(cast.branch_c), D(2019, 6, 1))} == {"C"}
