"""The public pages: the form only where the intake is on, the honeypot, the rate limit, the number and code
shown once, following and confirming by the code (always a POST), the published list and the QR poster; none of
them shows a resident's name or phone; the station pages link them only where the intake is on."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.wishes.models import State, Wish

from .fixtures import intake_on, make_wish

pytestmark = pytest.mark.django_db
FORM = {"text": "想要一个书包", "category": "study", "place": "东风社区", "name": "张秀英", "phone": "13712345678"}


def body(response: Any) -> str:
    return response.content.decode()


def test_the_form_answers_only_where_the_intake_is_on(cast: Any) -> None:
    client = Client()
    assert client.get(reverse("public-wish-form", args=["A"])).status_code == 404
    intake_on(cast.branch_a)
    page = client.get(reverse("public-wish-form", args=["A"]))
    assert page.status_code == 200 and 'name="website"' in body(page)
    assert client.get(reverse("public-wish-published", args=["B"])).status_code == 404


def test_send_see_the_code_once_and_follow_it(cast: Any) -> None:
    intake_on(cast.branch_a)
    client = Client()
    sent = client.post(reverse("public-wish-form", args=["A"]) + "?via=qr", {**FORM, "via": "qr"})
    assert sent.status_code == 302
    wish = Wish.objects.get()
    assert wish.channel == "qr" and wish.resident_name == "张秀英" and wish.state == State.COLLECTED
    done = client.get(sent["Location"])
    assert wish.number in body(done) and wish.tracking_code in body(done)
    assert wish.tracking_code not in done.request["PATH_INFO"]
    assert client.get(sent["Location"]).status_code == 302  # shown once
    track = reverse("public-wish-track", args=["A"])
    found = client.post(track, {"code": wish.tracking_code.lower()})
    assert wish.text in body(found) and "张秀英" not in body(found) and "13712345678" not in body(found)
    assert 'id="not-found"' in body(client.post(track, {"code": "ABCDEFGHJK"}))


def test_the_resident_confirms_a_fulfilled_wish_by_the_code(cast: Any) -> None:
    intake_on(cast.branch_a)
    wish = make_wish(cast.branch_a, state="fulfilled", member=cast.member)
    client = Client()
    track = reverse("public-wish-track", args=["A"])
    page = client.post(track, {"code": wish.tracking_code})
    assert 'id="confirm"' in body(page) and "李明" in body(page)  # the claimant member's name
    confirmed = client.post(track, {"code": wish.tracking_code, "confirm": "1"})
    assert 'id="confirmed"' in body(confirmed)
    wish.refresh_from_db()
    assert wish.state == State.CONFIRMED and wish.confirmed_by_resident
    # a wish of another station is not found by this station's page
    other = make_wish(cast.branch_b)
    intake_on(cast.branch_b)
    assert 'id="not-found"' in body(client.post(track, {"code": other.tracking_code}))


def test_the_honeypot_saves_nothing_and_the_rate_limit_holds(cast: Any, settings: Any) -> None:
    intake_on(cast.branch_a)
    settings.GRASSROOTS_RATE_LIMITS = {"wish_submit": (2, 600), "tracking_lookup": (20, 600)}
    client = Client()
    url = reverse("public-wish-form", args=["A"])
    bot = client.post(url, {**FORM, "website": "http://spam"})
    assert bot.status_code == 302 and not Wish.objects.exists()
    assert client.get(bot["Location"]).status_code == 200  # a normal-looking answer
    assert client.post(url, FORM).status_code == 302
    limited = client.post(url, FORM)
    assert limited.status_code == 429 and 'id="limited"' in body(limited)
    assert Wish.objects.count() == 1
    missing = Client(REMOTE_ADDR="10.0.0.9").post(url, {**FORM, "name": ""})
    assert missing.status_code == 400 and Wish.objects.count() == 1


def test_the_published_list_and_the_poster_show_no_resident(cast: Any) -> None:
    intake_on(cast.branch_a)
    shown = make_wish(cast.branch_a, state="fulfilled", member=cast.member, text="公开的心愿")
    hidden = make_wish(cast.branch_a, text="还没发布的心愿", name="钏德昌", phone="13811112222")
    client = Client()
    listed = body(client.get(reverse("public-wish-published", args=["A"])))
    assert "公开的心愿" in listed and "李明" in listed and shown.fulfilled_on.isoformat() in listed
    assert "还没发布的心愿" not in listed
    poster = client.get(reverse("public-wish-poster", args=["A"]))
    assert poster.status_code == 200 and "<svg" in body(poster) and "?via=qr" in body(poster)
    for url in (reverse("public-wish-form", args=["A"]), reverse("public-wish-published", args=["A"]),
                reverse("public-wish-poster", args=["A"]), reverse("public-wish-track", args=["A"])):
        text = body(client.get(url))
        for secret in ("张阿姨", "13912345678", "钏德昌", "13811112222", shown.tracking_code, hidden.tracking_code):
            assert secret not in text, (url, secret)
    # the opinion station's pages link the wish pages only where the intake is on
    from grassroots.core.modules import STATION, links

    keys = {link.key for _m, link in links(STATION) if link.shown_for(cast.branch_a)}
    assert {"wish-form", "wish-published"} <= keys
    assert not {link.key for _m, link in links(STATION) if link.shown_for(cast.branch_b)} & {"wish-form"}
