"""A branch's year of dues assessments in one step (`dues_assess_year` and its page): every member of the branch
that year, the category defaulting from the occupation and the base from last year, a preview of what each owes,
then one confirmation; members already assessed kept unless overwritten; audited; all or nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.models import AuditEntry
from grassroots.dues import services
from grassroots.dues.models import DuesAssessment, DuesCategory
from grassroots.members.models import MemberPeriod, Occupation
from grassroots.ui.testing import assert_writes_refused, client_as

from .conftest import D

YEAR = 2024


def retire(member: Any) -> None:
    """The member is retired all through the year (their periods say so)."""
    MemberPeriod.objects.filter(member=member).update(occupation=Occupation.RETIRED)


@pytest.mark.django_db
def test_the_preview_defaults_the_category_from_the_occupation_and_the_base_from_last_year(cast: Cast) -> None:
    retire(cast.member_a2)
    with acting(None, "system"):
        services.assess(cast.member, year=YEAR - 1, category="in_service", base=Decimal("4000.00"), on=D(2023, 1, 2))
    with acting(cast.secretary, "web"):
        lines = services.plan_assess_year(cast.branch_a, YEAR)
    by_name = {line.member.name: line for line in lines}
    assert set(by_name) == {cast.member.name, cast.member_a2.name}  # branch A's members only
    li, wang = by_name[cast.member.name], by_name[cast.member_a2.name]
    assert (li.entry.category, li.entry.base, li.monthly_amount, li.action) == (
        DuesCategory.IN_SERVICE, Decimal("4000.00"), Decimal("40.00"), "create")
    assert wang.entry.category == DuesCategory.RETIRED and wang.error and wang.error_field == "base"
    assert not DuesAssessment.objects.filter(year=YEAR).exists()  # the preview writes nothing


@pytest.mark.django_db
def test_the_year_is_assessed_in_one_step_and_audited(cast: Cast) -> None:
    retire(cast.member_a2)
    entries = {cast.member.pk: services.YearEntry("in_service", Decimal("4000.00")),
               cast.member_a2.pk: services.YearEntry("retired", Decimal("6000.00"))}
    with acting(cast.secretary, "web"):
        written = services.dues_assess_year(cast.branch_a, YEAR, entries)
    assert {(a.member_id, a.monthly_amount, a.assessed_on) for a in written} == {
        (cast.member.pk, Decimal("40.00"), D(YEAR, 1, 1)), (cast.member_a2.pk, Decimal("60.00"), D(YEAR, 1, 1))}
    step = AuditEntry.objects.get(action="dues.assess_year")
    assert step.actor_id == cast.secretary.pk and step.org_id == cast.branch_a.pk
    assert AuditEntry.objects.filter(action="dues.assess").count() == 2


@pytest.mark.django_db
def test_members_already_assessed_are_kept_unless_overwritten(cast: Cast) -> None:
    with acting(None, "system"):
        services.assess(cast.member, year=YEAR, category="in_service", base=Decimal("3000.00"), on=D(YEAR, 1, 2))
    entries = {cast.member.pk: services.YearEntry("in_service", Decimal("8000.00")),
               cast.member_a2.pk: services.YearEntry("student_unemployed_relief")}
    with acting(cast.secretary, "web"):
        services.dues_assess_year(cast.branch_a, YEAR, entries)
    assert DuesAssessment.objects.get(member=cast.member, year=YEAR).monthly_amount == Decimal("15.00")
    assert DuesAssessment.objects.get(member=cast.member_a2, year=YEAR).monthly_amount == Decimal("0.20")
    with acting(cast.secretary, "web"):
        services.dues_assess_year(cast.branch_a, YEAR, entries, overwrite=True)
    assert DuesAssessment.objects.get(member=cast.member, year=YEAR).monthly_amount == Decimal("120.00")


@pytest.mark.django_db
def test_one_member_s_error_assesses_nobody_and_names_them(cast: Cast) -> None:
    entries = {cast.member.pk: services.YearEntry("in_service", Decimal("4000.00")),
               cast.member_a2.pk: services.YearEntry("hardship", None, Decimal("0.10"))}  # no approval
    with acting(cast.secretary, "web"), pytest.raises(RuleError) as exc:
        services.dues_assess_year(cast.branch_a, YEAR, entries)
    assert cast.member_a2.name in exc.value.message and exc.value.field == "approval"
    assert not DuesAssessment.objects.exists()


@pytest.mark.django_db
def test_only_writers_of_the_branch_may_assess_its_year(cast: Cast) -> None:
    for user in (cast.auditor, cast.outsider):
        with acting(user, "web"), pytest.raises(PermissionDeniedError):
            services.dues_assess_year(cast.branch_a, YEAR)
    assert not DuesAssessment.objects.exists()


# --- the page ---------------------------------------------------------------------------------------------------

def url(code: str = "A") -> str:
    return reverse("dues-assess-year", args=[code])


@pytest.mark.django_db
def test_the_secretary_previews_then_confirms(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    page = client.get(url() + f"?year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200 and cast.member.name in html and cast.member_b.name not in html
    assert 'id="confirm-assess"' not in html  # preview first
    posted = {"year": YEAR, f"m{cast.member.pk}-category": "in_service", f"m{cast.member.pk}-base": "4000",
              f"m{cast.member_a2.pk}-category": "farmer", f"m{cast.member_a2.pk}-base": ""}
    preview = client.post(url(), {**posted, "step": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="confirm-assess"' in html
    assert "40.00" in html and "0.50" in html and "40.50 yuan a month together" in html
    assert not DuesAssessment.objects.exists()
    done = client.post(url(), {**posted, "step": "confirm"})
    assert done.status_code == 302 and done["Location"].endswith(f"?year={YEAR}")
    assert {a.member_id: a.monthly_amount for a in DuesAssessment.objects.filter(year=YEAR)} == {
        cast.member.pk: Decimal("40.00"), cast.member_a2.pk: Decimal("0.50")}
    assert AuditEntry.objects.filter(action="dues.assess_year", channel="web").exists()


@pytest.mark.django_db
def test_the_page_shows_each_member_s_error_and_writes_nothing(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    posted = {"year": YEAR, f"m{cast.member.pk}-category": "in_service", f"m{cast.member.pk}-base": "lots",
              f"m{cast.member_a2.pk}-category": "in_service", f"m{cast.member_a2.pk}-base": ""}
    response = client.post(url(), {**posted, "step": "confirm"})
    html = response.content.decode()
    assert response.status_code == 400 and "lots is not an amount" in html
    assert "the monthly base is required" in html and 'id="confirm-assess"' not in html
    assert not DuesAssessment.objects.exists()


@pytest.mark.django_db
def test_auditors_and_outsiders_are_refused(cast: Cast) -> None:
    posted = {"year": YEAR, f"m{cast.member.pk}-category": "in_service", f"m{cast.member.pk}-base": "4000",
              "step": "confirm"}
    for who in ("auditor", "outsider"):
        assert_writes_refused(client_as(cast, who), [(url(), posted)], who)
    assert client_as(cast, "anonymous").post(url(), posted).status_code == 302
    assert not DuesAssessment.objects.exists()


@pytest.mark.django_db
def test_the_ledger_links_to_the_page(cast: Cast) -> None:
    html = client_as(cast, "secretary").get(reverse("dues-ledger", args=["A"])).content.decode()
    assert 'id="assess-year-link"' in html and url() in html
