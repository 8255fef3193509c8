"""The organizations' API, tried as the roles of the test cast (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from grassroots.members.stats import structure_counts
from grassroots.ui.testing import as_user, results

# --- organizations ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_org_list_is_the_scope_with_parents_and_depth(cast: Any, django_assert_max_num_queries: Any) -> None:
    client = as_user(cast.street_admin)
    with django_assert_max_num_queries(6):
        rows = results(client.get("/api/orgs/"))
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"S", "G", "A", "B", "A1"}
    assert by_code["S"]["parent"] is None and by_code["S"]["depth"] == 1
    assert by_code["A1"]["parent"] == "A" and by_code["A1"]["depth"] == 4
    assert by_code["B"] == {"code": "B", "name": "第二支部", "name_en": "", "kind": "branch", "parent": "G",
                            "founded_on": "2000-01-01", "revoked_on": None, "depth": 3}
    assert {r["code"] for r in results(as_user(cast.secretary).get("/api/orgs/"))} == {"A", "A1"}
    assert results(as_user(cast.member_user).get("/api/orgs/")) == []


@pytest.mark.django_db
def test_org_filters(cast: Any) -> None:
    client = as_user(cast.street_admin)

    def codes(query: str) -> set[str]:
        return {r["code"] for r in results(client.get(f"/api/orgs/?{query}"))}

    assert codes("kind=branch") == {"A", "B"}
    assert codes("parent=G") == {"A", "B"}
    assert codes("parent=X") == set()  # outside the scope: as if it did not exist
    assert codes("search=第一") == {"G", "A", "A1"}
    assert codes("active=true") == {"S", "G", "A", "B", "A1"}
    assert codes("active=false") == set()


@pytest.mark.django_db
def test_org_detail_outside_the_scope_is_not_found(cast: Any) -> None:
    client = as_user(cast.secretary)
    assert client.get("/api/orgs/A/").json()["name"] == "第一支部"
    assert client.get("/api/orgs/B/").status_code == 404
    assert client.get("/api/orgs/B/stats/").status_code == 404
    assert client.get("/api/orgs/C/roster/").status_code == 404


@pytest.mark.django_db
def test_stats_counts_the_subtree_on_the_date(cast: Any) -> None:
    client = as_user(cast.street_admin)
    today = timezone.localdate()
    data = client.get("/api/orgs/S/stats/").json()
    assert data["as_of"] == today.isoformat() and data["exists"] is True
    assert data["total"] == {"count": 3, "pct": 100.0}  # 李明, 王强, 赵刚 (孙丽 is in C)
    assert data["female"] == {"count": 1, "pct": 33.33}
    assert data["full"]["count"] == 3
    # the wider bands the summaries quote, beside the breakdown (the cast were born in the 1980s)
    bands = structure_counts(cast.street, today)
    assert data["age_36_54"]["count"] == bands["age_36_54"] and data["age_55_or_over"]["count"] == bands["age_55_or_over"]
    assert data["age_36_54"]["count"] + data["age_55_or_over"]["count"] + data["age_35_or_under"]["count"] == 3
    assert "36至54岁党员" in data["basic_situation"]["zh-hans"]
    assert data["organizations"]["branch"] == 2 and data["organizations"]["party_group"] == 1
    assert "共有党员3名" in data["basic_situation"]["zh-hans"]
    assert "3 members in total" in data["basic_situation"]["en"]
    # On 2006-01-01 all three had joined (2005-07-01) but none was converted yet (2006-07-01).
    early = client.get("/api/orgs/S/stats/?as_of=2006年1月1日").json()
    assert early["total"]["count"] == 3 and early["probationary"]["count"] == 3
    assert early["probationary"]["count"] == structure_counts(cast.street, dt.date(2006, 1, 1))["probationary"]
    before = client.get("/api/orgs/S/stats/?as_of=1999-12-31").json()
    assert before["exists"] is False and before["total"]["count"] == 0
    bad = client.get("/api/orgs/S/stats/?as_of=yesterday")
    assert bad.status_code == 400 and "as_of" in bad.json()


@pytest.mark.django_db
def test_tree_as_of(cast: Any) -> None:
    tree = as_user(cast.street_admin).get("/api/orgs/S/tree/").json()
    assert tree["code"] == "S"
    general = tree["children"][0]
    assert general["code"] == "G" and general["name"] == "第一党总支"
    assert [c["code"] for c in general["children"]] == ["A", "B"]
    assert general["children"][0]["children"][0] == {"code": "A1", "name": "第一党小组", "kind": "party_group",
                                                     "children": []}
    assert as_user(cast.street_admin).get("/api/orgs/S/tree/?as_of=1999-01-01").status_code == 404


@pytest.mark.django_db
def test_roster_masks_id_numbers_and_uses_the_attributes_then(cast: Any) -> None:
    client = as_user(cast.street_admin)
    response = client.get("/api/orgs/S/roster/?as_of=2006-01-01")
    rows = results(response)
    assert sorted(r["name"] for r in rows) == sorted(["李明", "王强", "赵刚"])
    assert {r["status"] for r in rows} == {"probationary"}
    for member in (cast.member, cast.member_a2, cast.member_b):
        assert member.id_number.encode() not in response.content
    row = next(r for r in rows if r["member_id"] == cast.member.pk)
    assert row["id_number"] == cast.member.id_number[:3] + "*" * 11 + cast.member.id_number[-4:]
    assert row["org"] == "A"
    assert results(client.get("/api/orgs/S/roster/?as_of=2005-06-30")) == []
    assert {r["name"] for r in results(as_user(cast.secretary).get("/api/orgs/A/roster/"))} == {"李明", "王强"}
