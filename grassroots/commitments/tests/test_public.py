"""The public station page of commitments (承诺公示): no account needed; names, levels, texts, deadlines and
results; never a phone or an ID number; linked from the other station pages when there is something to show."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.commitments.selectors import has_public
from grassroots.core.context import acting

from .conftest import YEAR, D, make, set_result

pytestmark = pytest.mark.django_db


def test_the_public_page_shows_the_list_and_no_contact(cast: Any) -> None:
    kept = make(cast.member, level="practical", theme="environment", text="每周清理河道")
    set_result(kept)
    make(cast.member_b, text="带头学习党章", year=YEAR - 1, made_on=D(YEAR - 1, 3, 1), deadline=D(YEAR - 1, 12, 31))
    client = Client()
    url = reverse("public-commitments", args=["S"])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "每周清理河道" in html and cast.member.name in html and "带头学习党章" not in html
    for member in (cast.member, cast.member_b):
        assert member.phone not in html and member.id_number not in html
    older = client.get(url, {"year": YEAR - 1}).content.decode()
    assert "带头学习党章" in older and cast.member_b.id_number not in older and cast.member_b.phone not in older


def test_a_station_without_commitments_has_no_page_and_no_link(cast: Any) -> None:
    make(cast.member)
    assert has_public(cast.street) and not has_public(cast.other_street)
    assert Client().get(reverse("public-commitments", args=["X"])).status_code == 404
    assert Client().get(reverse("public-commitments", args=["NOPE"])).status_code == 404


def test_withdrawn_ones_are_not_public(cast: Any) -> None:
    from grassroots.commitments.services import commitment_withdraw

    c = make(cast.member, text="撤回的承诺")
    with acting(None, "system"):
        commitment_withdraw(c, version=c.version, reason="搬家", on=D(YEAR, 5, 1))
    assert not has_public(cast.street)
    assert Client().get(reverse("public-commitments", args=["S"])).status_code == 404


def test_the_opinion_station_pages_link_to_it(cast: Any) -> None:
    from grassroots.opinions import services

    with acting(None, "system"):
        services.category_create(cast.street, code="roads", name="道路", deadline_workdays=5)
    form = reverse("public-opinion-form", args=["S"])
    link = reverse("public-commitments", args=["S"])
    assert link not in Client().get(form).content.decode()
    make(cast.member)
    html = Client().get(form).content.decode()
    assert link in html
    page = Client().get(link).content.decode()
    assert form in page  # the station's other pages are linked back
