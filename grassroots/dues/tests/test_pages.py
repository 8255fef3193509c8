"""The Party dues pages: the branch ledger with its forms, a member's statement, the payment sheet import."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.dues import services
from grassroots.dues.models import DuesAssessment, DuesMonth, DuesPayment, Remittance
from grassroots.ui.testing import client_as, import_confirm, import_upload

BASE = Decimal("4000.00")  # in service, 3000.01 to 5000: 1% -> 40.00 a month


def text(response: Any) -> str:
    return response.content.decode()


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def ledger_url(code: str = "A") -> str:
    month = this_month()
    return reverse("dues-ledger", args=[code]) + f"?year={month.year}&month={month.month}"


def assessed(cast: Cast, member: Any = None, year: int | None = None) -> DuesAssessment:
    with acting(None, "system"):
        return services.assess(member or cast.member, year=year or this_month().year, category="in_service",
                               base=BASE, on=timezone.localdate())


def ledger_row(html: str, member: Any) -> str:
    m = re.search(rf'<tr data-member="{member.pk}" data-paid="(yes|no)">.*?</tr>', html, re.S)
    assert m, f"no ledger row for {member.name}"
    return m.group(0)


def totals_cell(html: str, period: int, key: str) -> Decimal:
    row = re.search(rf'<tr data-period="{period}">.*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    return Decimal(re.search(rf'data-key="{key}">([^<]*)<', row).group(1))  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_secretary_assesses_a_year_through_the_form(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    year = this_month().year
    response = client.post(ledger_url(), {"action": "assess", "assess-member": cast.member.pk, "assess-year": year,
                                          "assess-category": "in_service", "assess-base": "4000.00"})
    assert response.status_code == 302
    assessment = DuesAssessment.objects.get(member=cast.member, year=year)
    assert assessment.monthly_amount == Decimal("40.00") and assessment.base == BASE
    row = ledger_row(text(client.get(ledger_url())), cast.member)
    assert "40.00" in row and 'data-paid="no"' in row and "Unpaid" in row


@pytest.mark.django_db
def test_a_payment_through_the_form_fills_the_amount_and_marks_the_month_paid(cast: Cast) -> None:
    assessed(cast)
    client = client_as(cast, "secretary")
    month = this_month()
    html = text(client.get(ledger_url()))
    assert 'id="record-payment"' in html and f'value="{month.isoformat()}"' in html
    assert f'"{cast.member.pk}": "40.00"' in html  # the running sum's monthly amounts
    response = client.post(ledger_url(), {
        "action": "pay", "pay-member": cast.member.pk, "pay-paid_on": timezone.localdate().isoformat(),
        "pay-months": [month.isoformat()], "pay-amount": "", "pay-kind": "regular", "pay-channel": "wechat",
        "pay-receipt": "R-001"})
    assert response.status_code == 302, text(response)
    payment = DuesPayment.objects.get()
    assert payment.amount == Decimal("40.00") and payment.channel == "wechat" and payment.org == cast.branch_a
    assert list(DuesMonth.objects.values_list("member_id", "month")) == [(cast.member.pk, month)]

    html = text(client.get(ledger_url()))
    row = ledger_row(html, cast.member)
    assert 'data-paid="yes"' in row and timezone.localdate().isoformat() in row
    assert totals_cell(html, 1, "collected") == Decimal("40.00")
    assert totals_cell(html, 1, "assessed") == Decimal("40.00")  # only the assessed member owes

    # the same month again: refused on the form, nothing more written
    entries = AuditEntry.objects.count()
    response = client.post(ledger_url(), {
        "action": "pay", "pay-member": cast.member.pk, "pay-paid_on": timezone.localdate().isoformat(),
        "pay-months": [month.isoformat()], "pay-amount": "40.00", "pay-kind": "regular", "pay-channel": "cash"})
    assert response.status_code == 400 and "has already paid the dues of" in text(response)
    assert DuesPayment.objects.count() == 1 and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_a_wrong_amount_goes_back_onto_the_form(cast: Cast) -> None:
    assessed(cast)
    response = client_as(cast, "secretary").post(ledger_url(), {
        "action": "pay", "pay-member": cast.member.pk, "pay-paid_on": timezone.localdate().isoformat(),
        "pay-months": [this_month().isoformat()], "pay-amount": "39.00", "pay-kind": "regular",
        "pay-channel": "cash"})
    assert response.status_code == 400 and "does not equal the 40.00 assessed" in text(response)
    assert DuesPayment.objects.count() == 0 and DuesMonth.objects.count() == 0


@pytest.mark.django_db
def test_a_remittance_through_the_form(cast: Cast) -> None:
    month = this_month()
    response = client_as(cast, "secretary").post(ledger_url(), {
        "action": "remit", "remit-remitted_on": timezone.localdate().isoformat(),
        "remit-period_start": month.isoformat(), "remit-period_end": timezone.localdate().isoformat(),
        "remit-amount": "80.00", "remit-note": "交街道党工委"})
    assert response.status_code == 302
    remittance = Remittance.objects.get()
    assert remittance.org == cast.branch_a and remittance.amount == Decimal("80.00")


@pytest.mark.django_db
def test_readers_see_the_ledger_without_forms(cast: Cast) -> None:
    assessed(cast)
    response = client_as(cast, "auditor").get(ledger_url("G"))
    html = text(response)
    assert response.status_code == 200 and 'id="dues-forms"' not in html
    assert totals_cell(html, 1, "assessed") == Decimal("40.00")  # the subtree's total


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "code", "status"), [
    ("auditor", "A", 403), ("member", "A", 404), ("outsider", "A", 404), ("secretary", "B", 404),
])
def test_others_cannot_write_dues(cast: Cast, role: str, code: str, status: int) -> None:
    assessed(cast)
    entries = AuditEntry.objects.count()
    client = client_as(cast, role)
    for data in (
        {"action": "pay", "pay-member": cast.member.pk, "pay-paid_on": timezone.localdate().isoformat(),
         "pay-months": [this_month().isoformat()], "pay-amount": "40.00", "pay-kind": "regular",
         "pay-channel": "cash"},
        {"action": "assess", "assess-member": cast.member.pk, "assess-year": this_month().year,
         "assess-category": "in_service", "assess-base": "9000"},
        {"action": "remit", "remit-remitted_on": timezone.localdate().isoformat(),
         "remit-period_start": this_month().isoformat(), "remit-period_end": timezone.localdate().isoformat(),
         "remit-amount": "10.00"},
    ):
        assert client.post(ledger_url(code), data).status_code == status
    assert client.get(reverse("dues-import", args=[code])).status_code == status
    assert DuesPayment.objects.count() == 0 and Remittance.objects.count() == 0
    assert DuesAssessment.objects.get().monthly_amount == Decimal("40.00")
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_the_yearly_statement(cast: Cast) -> None:
    assessed(cast)
    month = this_month()
    with acting(None, "system"):
        services.record_payment(cast.member, paid_on=timezone.localdate(), months=[month], amount=Decimal("40.00"),
                                paid_by="王强")
    url = reverse("dues-statement", args=[cast.member.pk]) + f"?year={month.year}"
    for role in ("member", "secretary", "auditor"):
        response = client_as(cast, role).get(url)
        html = text(response)
        assert response.status_code == 200, role
        assert f'<tr data-month="{month:%Y-%m}" data-paid="yes">' in html
        assert re.search(r'data-key="paid_total">40.00<', html)
        assert "王强" in html
    assert client_as(cast, "outsider").get(url).status_code == 404
    assert client_as(cast, "member").get(reverse("dues-statement", args=[cast.member_a2.pk])).status_code == 404


@pytest.mark.django_db
def test_the_payment_sheet_import_is_a_dry_run_then_a_confirm(cast: Cast, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    assessed(cast)
    assessed(cast, cast.member_a2)
    month = this_month()
    today = timezone.localdate().isoformat()
    sheet = ("姓名,身份证号,交纳日期,金额,所属月份\n"
             f"{cast.member.name},{cast.member.id_number},{today},40.00,{month:%Y-%m}\n"
             f"{cast.member_a2.name},{cast.member_a2.id_number},{today},40.00,{month:%Y-%m}\n").encode()
    client = client_as(cast, "secretary")
    response = import_upload(client, reverse("dues-import", args=["A"]),
                             SimpleUploadedFile("dues.csv", sheet, content_type="text/csv"))
    html = text(response)
    assert response.status_code == 200 and html.count('<tr data-action="create">') == 2
    assert DuesPayment.objects.count() == 0  # a dry run writes nothing
    done = import_confirm(client, response)
    assert done.status_code == 200 and f'href="{reverse("dues-ledger", args=["A"])}" id="done-link"' in text(done)
    assert sorted(DuesMonth.objects.values_list("member_id", flat=True)) == sorted([cast.member.pk,
                                                                                    cast.member_a2.pk])
    # the job is done and its file deleted: confirming again writes nothing
    import_confirm(client, response)
    assert DuesPayment.objects.count() == 2


@pytest.mark.django_db
def test_an_import_with_errors_writes_nothing(cast: Cast, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    assessed(cast)
    today = timezone.localdate().isoformat()
    sheet = ("姓名,身份证号,交纳日期,金额,所属月份\n"
             f"{cast.member.name},{cast.member.id_number},{today},40.00,{this_month():%Y-%m}\n"
             f"{cast.member.name},{cast.member.id_number},{today},1.00,{this_month():%Y-%m}\n").encode()
    response = import_upload(client_as(cast, "secretary"), reverse("dues-import", args=["A"]),
                             SimpleUploadedFile("dues.csv", sheet))
    html = text(response)
    assert 'id="import-errors"' in html and 'id="confirm-import"' not in html
    assert DuesPayment.objects.count() == 0


@pytest.mark.django_db
def test_a_branch_sheet_names_the_branch_members_only(cast: Cast, settings: Any, tmp_path: Any) -> None:
    """The street organizer may change both branches, but branch A's page takes branch A's sheet only."""
    settings.DATA_DIR = tmp_path
    assessed(cast)
    assessed(cast, cast.member_b)
    today = timezone.localdate().isoformat()
    sheet = ("姓名,身份证号,交纳日期,金额,所属月份\n"
             f"{cast.member.name},{cast.member.id_number},{today},40.00,{this_month():%Y-%m}\n"
             f"{cast.member_b.name},{cast.member_b.id_number},{today},40.00,{this_month():%Y-%m}\n").encode()
    response = import_upload(client_as(cast, "street_admin"), reverse("dues-import", args=["A"]),
                             SimpleUploadedFile("dues.csv", sheet))
    html = text(response)
    assert 'id="import-errors"' in html and 'id="confirm-import"' not in html
    assert "no member with this ID number in" in html and cast.branch_a.name in html
    assert DuesPayment.objects.count() == 0


@pytest.mark.django_db
def test_recording_a_payment_through_the_page_takes_a_bounded_number_of_queries(cast: Cast) -> None:
    """The write path: the form, the service's checks, the payment, its months and the audit entry, then the
    redirect; the same count whether the branch has two members or ten."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import make_member

    def record(member: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(ledger_url(), {
                "action": "pay", "pay-member": member.pk, "pay-paid_on": timezone.localdate().isoformat(),
                "pay-months": [this_month().isoformat()], "pay-amount": "", "pay-kind": "regular",
                "pay-channel": "cash"})
        assert response.status_code == 302, text(response)
        return len(ctx.captured_queries)

    assessed(cast)
    assessed(cast, cast.member_a2)
    client = client_as(cast, "secretary")
    few = record(cast.member)
    with acting(None, "system"):
        more = [make_member(cast.branch_a, name=f"成员{i}") for i in range(8)]
    for member in more:
        assessed(cast, member)
    many = record(cast.member_a2)
    # 3 to read the session, the user and the scope; 3 for the form (the organization, the member, the assessed
    # amounts); 7 for the service's checks (each `require_*` reads the roles again); 5 to write the payment, its
    # month and the audit entry; 6 to open and release the service's transaction and its two savepoints
    assert many == few <= 24
    assert DuesPayment.objects.count() == 2
