"""The democratic appraisal sheet: every member on the roster that year, with the year's rating and every
module's notes (commitments among them), printable, scoped like the other meetings pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db

YEAR = 2023


def _commit(member: Any, result: str, text: str) -> Any:
    from grassroots.commitments.services import commitment_make, result_set

    with acting(None, "system"):
        c = commitment_make(member, year=YEAR, level="common", text=text, deadline=dt.date(YEAR, 12, 31),
                            made_on=dt.date(YEAR, 3, 1))
        if result:
            result_set(c, version=c.version, result=result, note="" if result == "kept" else "未完成",
                       on=dt.date(YEAR + 1, 1, 8))
    return c


def _sheet(client: Any, code: str = "A", year: int = YEAR) -> Any:
    return client.get(reverse("appraisal-sheet", args=[code]) + f"?year={year}")


def test_the_sheet_lists_the_roster_with_ratings_and_the_commitments_note(cast: Any) -> None:
    from grassroots.meetings.services import record_appraisal, record_meeting

    with acting(None, "system"):
        meeting = record_meeting(org=cast.branch_a, kind="appraisal", date=dt.date(YEAR, 12, 20),
                                 topic="民主评议党员", attendance={cast.member.pk: ("present", "")})
        record_appraisal(cast.member, year=YEAR, rating="excellent", meeting=meeting)
    _commit(cast.member, "kept", "带头垃圾分类")
    _commit(cast.member, "kept", "每月走访困难户")
    _commit(cast.member, "partly", "组织读书会")
    _commit(cast.member, "", "义务巡逻")
    response = _sheet(client_as(cast, "secretary"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = response.context["rows"]
    assert [r.name for r in rows] == sorted([cast.member.name, cast.member_a2.name])
    mine = next(r for r in rows if r.member_id == cast.member.pk)
    other = next(r for r in rows if r.member_id == cast.member_a2.pk)
    assert mine.rating_value == "excellent" and other.rating == ""
    assert [n.text for n in mine.notes] == ["4 made: 2 kept, 1 partly kept, 0 not kept; 1 awaiting the result"]
    assert other.notes == []
    assert "4 made: 2 kept" in html and 'data-print' in html
    assert cast.member_b.name not in html  # another branch's member


def test_a_member_who_left_before_the_year_is_not_on_it_and_one_who_came_during_it_is(cast: Any) -> None:
    from conftest import make_member

    with acting(None, "system"):
        newcomer = make_member(cast.branch_a, name="新来的", joined_on=dt.date(YEAR, 6, 1), status="probationary",
                               converted_on=None)
    names = [r.name for r in _sheet(client_as(cast, "secretary")).context["rows"]]
    assert newcomer.name in names
    assert newcomer.name not in [r.name for r in _sheet(client_as(cast, "secretary"), year=YEAR - 1)
                                 .context["rows"]]


def test_the_street_reads_the_whole_subtree(cast: Any) -> None:
    rows = _sheet(client_as(cast, "street_admin"), "S").context["rows"]
    assert {cast.member.name, cast.member_a2.name, cast.member_b.name} <= {r.name for r in rows}
    assert cast.member_c.name not in {r.name for r in rows}


@pytest.mark.parametrize(("role", "code"), [("outsider", "A"), ("member", "A"), ("secretary", "B")])
def test_the_sheet_is_refused_outside_the_scope(cast: Any, role: str, code: str) -> None:
    assert _sheet(client_as(cast, role), code).status_code == 404


def test_anonymous_goes_to_the_login(cast: Any) -> None:
    response = _sheet(client_as(cast, "anonymous"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_linked_from_the_meetings_list_and_an_appraisal_meetings_page(cast: Any) -> None:
    from grassroots.meetings.services import record_meeting

    client = client_as(cast, "secretary")
    url = reverse("appraisal-sheet", args=["A"])
    assert url in client.get(reverse("meetings", args=["A"])).content.decode()
    with acting(None, "system"):
        appraisal = record_meeting(org=cast.branch_a, kind="appraisal", date=dt.date(YEAR, 12, 20),
                                   topic="民主评议党员", attendance={cast.member.pk: ("present", "")})
        theme_day = record_meeting(org=cast.branch_a, kind="theme_day", date=dt.date(YEAR, 6, 6), topic="学习",
                                   attendance={cast.member.pk: ("present", "")})
    assert f"{url}?year={YEAR}" in client.get(reverse("meeting-detail", args=[appraisal.pk])).content.decode()
    assert url not in client.get(reverse("meeting-detail", args=[theme_day.pk])).content.decode()


def test_queries_bounded_whatever_the_number_of_members(cast: Any, django_assert_max_num_queries: Any) -> None:
    from conftest import make_member

    with acting(None, "system"):
        for i in range(12):
            _commit(make_member(cast.branch_a, name=f"党员{i}"), "kept", f"承诺{i}")
    client = client_as(cast, "secretary")
    with django_assert_max_num_queries(25):
        response = _sheet(client)
    assert len(response.context["rows"]) == 14
