"""The staff and member pages: the list (filters, print, .xlsx, bounded queries), a wish's page with its actions
and the audited reveal, the staff entry, the intake set-up, a member claiming from the phone and a secretary
marking it fulfilled on the member's behalf."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.core.models import AuditEntry
from grassroots.ui.testing import client_as
from grassroots.wishes.models import State, Wish

from .fixtures import DAY, make_wish

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    return response.content.decode()


def test_the_list_filters_prints_and_exports_with_masked_contacts(cast: Any,
                                                                  django_assert_max_num_queries: Any) -> None:
    for _i in range(5):
        make_wish(cast.branch_a, state="confirmed", member=cast.member)
    make_wish(cast.branch_a, state="published", day=DAY - dt.timedelta(days=100))
    make_wish(cast.branch_c)
    client = client_as(cast, "secretary")
    url = reverse("wish-list", args=["A"])
    with django_assert_max_num_queries(25):
        page = client.get(url)
    text = body(page)
    assert page.status_code == 200 and text.count('data-label="Number"') == 6
    assert "13912345678" not in text and "张阿姨" not in text and "139****5678" in text
    assert body(client.get(url + "?state=published")).count('data-label="Number"') == 1
    assert body(client.get(url + "?overdue=1")).count('data-label="Number"') == 1  # unclaimed for 100 days
    assert body(client.get(url + "?fulfilled_year=2024")).count('data-label="Number"') == 5
    assert body(client.get(url + "?all=1")).count('data-label="Number"') == 6
    sheet = client.get(url + "?format=xlsx")
    ws = load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "13912345678" not in cells and any("139****5678" == c for c in cells)
    assert client_as(cast, "outsider").get(url).status_code == 404


def test_the_wish_page_reveals_by_an_audited_post(cast: Any) -> None:
    wish = make_wish(cast.branch_a)
    client = client_as(cast, "secretary")
    page = client.get(reverse("wish-detail", args=[wish.pk]))
    assert page.status_code == 200 and "13912345678" not in body(page) and 'id="publish"' in body(page)
    assert client.get(reverse("wish-reveal", args=[wish.pk, "phone"])).status_code == 405
    shown = client.post(reverse("wish-reveal", args=[wish.pk, "phone"]))
    assert "13912345678" in body(shown)
    assert AuditEntry.objects.filter(action="wishes.reveal_resident_phone", actor_id=cast.secretary.pk).count() == 1
    auditor = client_as(cast, "auditor")
    assert "id=\"publish\"" not in body(auditor.get(reverse("wish-detail", args=[wish.pk])))
    assert auditor.post(reverse("wish-reveal", args=[wish.pk, "phone"])).status_code == 403


def test_publish_decline_and_claim_on_the_page(cast: Any) -> None:
    one, two = make_wish(cast.branch_a), make_wish(cast.branch_a)
    client = client_as(cast, "secretary")
    today = dt.date.today().isoformat()
    done = client.post(reverse("wish-publish", args=[one.pk]), {"publish-on": today, "publish-version": one.version})
    assert done.status_code == 302 and Wish.objects.get(pk=one.pk).state == State.PUBLISHED
    bad = client.post(reverse("wish-decline", args=[two.pk]), {"decline-on": today, "decline-reason": ""})
    assert bad.status_code == 400 and Wish.objects.get(pk=two.pk).state == State.COLLECTED
    stale = client.post(reverse("wish-publish", args=[two.pk]), {"publish-on": today, "publish-version": 99})
    assert stale.status_code == 400 and Wish.objects.get(pk=two.pk).state == State.COLLECTED
    claim = client.post(reverse("wish-claim", args=[one.pk]), {"claim-on": today, "claim-member": cast.member_a2.pk,
                                                               "claim-version": Wish.objects.get(pk=one.pk).version})
    assert claim.status_code == 302
    one.refresh_from_db()
    assert one.claimant_member == cast.member_a2 and one.events.get(action="claimed").on_behalf


def test_staff_entry_and_intake_set_up(cast: Any) -> None:
    secretary = client_as(cast, "secretary")
    url = reverse("wish-new", args=["A"])
    bad = secretary.post(url, {"text": "", "resident_name": "张三", "collected_on": "2024-03-04", "channel": "staff",
                               "category": "daily"})
    assert bad.status_code == 400 and not Wish.objects.exists()
    ok = secretary.post(url, {"text": "想要字典", "resident_name": "张三", "resident_phone": "13900001111",
                              "collected_on": "2024-03-04", "channel": "visit", "category": "study"})
    assert ok.status_code == 302 and Wish.objects.get().channel == "visit"
    assert client_as(cast, "auditor").get(url).status_code == 403
    intake = reverse("wish-intake", args=["A"])
    assert 'id="read-only"' in body(secretary.get(intake))
    assert secretary.post(intake, {"enabled": "on"}).status_code == 403
    organizer = client_as(cast, "street_admin")
    assert organizer.post(intake, {"enabled": "on", "intro": "欢迎"}).status_code == 302
    assert client_as(cast, "anonymous").get(reverse("public-wish-form", args=["A"])).status_code == 200


def test_a_member_claims_from_the_phone_and_the_secretary_records_the_fulfilment(cast: Any) -> None:
    wish = make_wish(cast.street, state="published", text="想请人修门锁")
    other = make_wish(cast.branch_b, state="published", text="乙支部的心愿")
    member = client_as(cast, "member")
    page = member.get(reverse("wish-open"))
    assert "想请人修门锁" in body(page) and "乙支部的心愿" not in body(page)
    assert member.post(reverse("wish-claim", args=[other.pk]), {"member": cast.member.pk}).status_code == 404
    claimed = member.post(reverse("wish-claim", args=[wish.pk]), {"member": cast.member.pk, "version": wish.version})
    assert claimed.status_code == 302 and claimed["Location"] == reverse("wish-member", args=[cast.member.pk])
    # a second claim of the same wish by someone else is refused
    assert client_as(cast, "street_admin").post(reverse("wish-claim", args=[wish.pk]), {
        "claim-on": dt.date.today().isoformat(), "claim-unit": "物业"}).status_code == 400
    secretary = client_as(cast, "secretary")
    mine = secretary.get(reverse("wish-member", args=[cast.member.pk]))
    assert "想请人修门锁" in body(mine) and "recorded on behalf of" in body(mine)
    form = secretary.get(reverse("wish-fulfil", args=[wish.pk]))
    assert form.status_code == 200 and 'id="on-behalf"' in body(form)
    done = secretary.post(reverse("wish-fulfil", args=[wish.pk]), {
        "on": dt.date.today().isoformat(), "note": "已修好", "version": Wish.objects.get(pk=wish.pk).version,
        "next": reverse("wish-member", args=[cast.member.pk])})
    assert done.status_code == 302
    wish.refresh_from_db()
    assert wish.state == State.FULFILLED
    event = wish.events.get(action="fulfilled")
    assert event.on_behalf and event.member == cast.member and event.by_name == "secretary"
    assert client_as(cast, "outsider").get(reverse("wish-member", args=[cast.member.pk])).status_code == 404


def test_a_member_gives_a_claim_back_and_a_photo_is_optional_but_checked(cast: Any, settings: Any,
                                                                         tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    wish = make_wish(cast.branch_a, state="claimed", member=cast.member)
    member = client_as(cast, "member")
    mine = reverse("wish-member", args=[cast.member.pk])
    given_back = member.post(reverse("wish-release", args=[wish.pk]), {
        "next": mine, "release-on": dt.date.today().isoformat(), "release-version": wish.version,
        "release-reason": "出差"})
    assert given_back.status_code == 302 and given_back["Location"] == mine
    wish.refresh_from_db()
    assert wish.state == State.PUBLISHED and wish.events.last().note == "出差"
    other = make_wish(cast.branch_a, state="claimed", member=cast.member)
    url = reverse("wish-fulfil", args=[other.pk])
    data = {"on": dt.date.today().isoformat(), "note": "送到了", "version": other.version}
    wrong = member.post(url, {**data, "photo": SimpleUploadedFile("a.txt", b"text")})
    assert wrong.status_code == 400 and Wish.objects.get(pk=other.pk).state == State.CLAIMED
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
           b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    done = member.post(url, {**data, "photo": SimpleUploadedFile("我的照片13900001111.png", png, "image/png")})
    assert done.status_code == 302
    other.refresh_from_db()
    assert other.state == State.FULFILLED and other.photo.name.endswith(f"wish-{other.pk}.png")
    assert not other.events.get(action="fulfilled").on_behalf


def test_the_dashboard_shows_the_panel(cast: Any) -> None:
    make_wish(cast.branch_a, state="confirmed", member=cast.member, day=dt.date(2024, 5, 1))
    page = client_as(cast, "street_admin").get(reverse("dashboard", args=["S"]) + "?year=2024")
    assert page.status_code == 200 and 'id="panel-wishes"' in body(page) and 'id="wishes-table"' in body(page)
