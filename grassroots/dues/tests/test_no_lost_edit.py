"""No lost edit: a member's dues assessment changed from a ledger form opened before someone else's change is
refused, naming who changed what, and the first change is kept (issue 13, point 6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.errors import StaleVersionError
from grassroots.dues import services
from grassroots.dues.models import DuesAssessment
from grassroots.dues.tests.conftest import ON, assess_in_service
from grassroots.ui.testing import counts, login, reload

YEAR = ON.year


def form_url(member: Any) -> str:
    return reverse("dues-ledger", args=["A"]) + f"?year={YEAR}&month=1&assess={member.pk}"


def opened(client: Client, member: Any) -> dict[str, str]:
    """What a browser sends back from the assessment form opened from the member's ledger row."""
    response = client.get(form_url(member))
    assert response.status_code == 200
    form = response.context["assess_form"]
    return {"action": "assess", **{f.html_name: "" if f.value() is None else str(f.value()) for f in form}}


def posted(client: Client, member: Any, data: dict[str, str]) -> Any:
    return client.post(form_url(member), data)


@pytest.mark.django_db
def test_a_stale_assessment_form_is_refused_naming_who_changed_what(cast: Cast) -> None:
    m = cast.member_a2
    assessment = assess_in_service(m, YEAR)  # 15.00 a month on 3000.00
    first, second = login(Client(), cast, "street_admin"), login(Client(), cast, "secretary")
    ledger = first.get(reverse("dues-ledger", args=["A"]) + f"?year={YEAR}&month=1").content.decode()
    assert f'assess={m.pk}#assess" class="no-print small" data-assess="{m.pk}">Change</a>' in ledger  # the row's link
    form_1, form_2 = opened(first, m), opened(second, m)  # both open the form on the same assessment
    assert form_1["assess-member"] == str(m.pk) and form_1["assess-base"] == "3000.00"
    assert form_1["assess-version"] == str(reload(assessment).version)
    assert posted(first, m, {**form_1, "assess-base": "4000.00"}).status_code == 302  # 40.00 a month
    before = counts()
    response = posted(second, m, {**form_2, "assess-category": "retired"})  # still shows the old base
    assert response.status_code == 400
    [message] = response.context["assess_form"].non_field_errors()
    assert "street_admin" in message and "monthly base" in message and "nothing was saved" in message, message
    assert message in response.content.decode()
    after = DuesAssessment.objects.get(member=m, year=YEAR)
    assert (after.category, after.base, after.monthly_amount) == ("in_service", Decimal("4000.00"), Decimal("40.00"))
    assert counts() == before
    again = opened(second, m)  # reloaded, the form shows the change and the second user can make theirs
    assert again["assess-base"] == "4000.00"
    assert posted(second, m, {**again, "assess-category": "retired"}).status_code == 302
    assert DuesAssessment.objects.get(member=m, year=YEAR).category == "retired"


@pytest.mark.django_db
def test_a_form_that_showed_no_assessment_does_not_overwrite_one_made_since(cast: Cast) -> None:
    m = cast.member_a2
    first, second = login(Client(), cast, "street_admin"), login(Client(), cast, "secretary")
    form_1, form_2 = opened(first, m), opened(second, m)
    assert form_1["assess-version"] == ""
    data = {"assess-year": str(YEAR), "assess-category": "in_service"}
    assert posted(first, m, {**form_1, **data, "assess-base": "4000.00"}).status_code == 302
    response = posted(second, m, {**form_2, **data, "assess-base": "9000.00"})
    assert response.status_code == 400 and "street_admin" in response.context["assess_form"].non_field_errors()[0]
    assert DuesAssessment.objects.get(member=m, year=YEAR).base == Decimal("4000.00")


@pytest.mark.django_db
def test_every_change_raises_the_version_and_no_version_checks_nothing(cast: Cast) -> None:
    m = cast.member_a2
    a = assess_in_service(m, YEAR)
    start = reload(a).version
    with acting(cast.secretary, "web"):
        services.assess(m, year=YEAR, category="in_service", base="4000.00", on=ON, version=start)
        assert reload(a).version == start + 1
        with pytest.raises(StaleVersionError, match="secretary"):
            services.assess(m, year=YEAR, category="retired", base="4000.00", on=ON, version=start)
        services.assess(m, year=YEAR, category="in_service", base="5000.00", on=ON)  # None: no check (bulk paths)
    assert reload(a).version == start + 2 and reload(a).base == Decimal("5000.00")
