"""The public pages of micro-wishes (微心愿), no account needed, for an organization whose wish intake is on:

- the form (`p/<station>/wishes/`; from the QR poster `?via=qr`), rate-limited per client address, with a hidden
  honeypot field (a bot gets a normal-looking answer and nothing is saved);
- the page after sending: the wish's number and its private tracking code, shown once (taken from the session:
  the code is never in a URL);
- following a wish by its code (`p/<station>/wishes/track/`, always a POST), where the resident also confirms
  that it was fulfilled;
- the published wishes: text, state, the claimant's name (a member's or a unit's) and the day fulfilled;
- the printable A4 poster with the QR code of the form.

The resident's name and phone are never shown on any of them.
"""

from __future__ import annotations

import secrets
from typing import Any

import qrcode
import qrcode.image.svg
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.core import ratelimit
from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization
from grassroots.ui.forms import rule_error_on_form
from grassroots.wishes import selectors, services
from grassroots.wishes.forms import HONEYPOT, PublicWishForm
from grassroots.wishes.models import State, Wish, WishIntake

PAGE_SIZE = 20
SESSION_DONE = "public_wish_done"
SUBMIT = "wish_submit"
LOOKUP = "tracking_lookup"
STATE_TONES: dict[str, str] = {State.PUBLISHED: "info", State.CLAIMED: "warn", State.FULFILLED: "ok", State.CONFIRMED: "ok",
               State.COLLECTED: "info", State.DECLINED: "muted"}


def qr_svg(data: str) -> str:
    """The QR code of `data` as an inline SVG element (no XML declaration)."""
    svg = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    text = svg.to_string(encoding="unicode")
    return text[text.find("<svg"):]


def _station(code: str) -> Organization:
    org = selectors.station(code)
    if org is None:
        raise Http404(_("No such station."))
    return org


def _context(org: Organization, **extra: Any) -> dict[str, Any]:
    intake = WishIntake.objects.filter(org=org).first()
    return {"station": org, "station_name": org.name, "intro": intake.intro if intake else "", **extra}


def _fake(org: Organization) -> dict[str, str]:
    """What the honeypot's sender is shown: a number that looks like the next one, a random code."""
    code = "".join(secrets.choice(services.TRACKING_ALPHABET) for _i in range(services.TRACKING_LENGTH))
    return {"station": org.code, "number": services.next_number(org, timezone.localdate().year), "code": code}


@require_http_methods(["GET", "POST"])
def wish_form(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    template = "wishes/public_wish_form.html"
    if request.method != "POST":
        via = "qr" if request.GET.get("via") == "qr" else ""
        return render(request, template, _context(org, form=PublicWishForm(initial={"via": via})))
    form = PublicWishForm(request.POST)
    context = _context(org, form=form)
    if request.POST.get(HONEYPOT):
        if not ratelimit.allow(SUBMIT, ratelimit.client_ip(request)):
            return render(request, template, {**context, "limited": True}, status=429)
        request.session[SESSION_DONE] = _fake(org)
        return redirect("public-wish-done", station=org.code)
    if form.is_valid():
        if not ratelimit.allow(SUBMIT, ratelimit.client_ip(request)):
            return render(request, template, {**context, "limited": True}, status=429)
        d = form.cleaned_data
        try:
            wish = services.submit_wish(org, text=d["text"], category=d["category"], place=d["place"],
                                        resident_name=d["name"], resident_phone=d["phone"], via_qr=d["via"] == "qr")
        except RuleError as exc:
            rule_error_on_form(form, exc, {"resident_name": "name", "resident_phone": "phone"})
        else:
            request.session[SESSION_DONE] = {"station": org.code, "number": wish.number, "code": wish.tracking_code}
            return redirect("public-wish-done", station=org.code)
    return render(request, template, context, status=400)


@never_cache
@require_GET
def wish_done(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    done = request.session.pop(SESSION_DONE, None)
    if not done or done.get("station") != org.code:
        return redirect("public-wish-form", station=org.code)
    return render(request, "wishes/public_wish_done.html", _context(org, number=done["number"], code=done["code"]))


def _shown(wish: Wish) -> Wish:
    wish.state_tone = STATE_TONES.get(wish.state, "info")  # type: ignore[attr-defined]
    return wish


@never_cache
@require_http_methods(["GET", "POST"])
def wish_track(request: HttpRequest, station: str) -> HttpResponse:
    """Type the tracking code (POST) to see the wish; confirm it was fulfilled (POST)."""
    org = _station(station)
    template = "wishes/public_wish_track.html"
    context = _context(org)
    if request.method != "POST":
        return render(request, template, context)
    if not ratelimit.allow(LOOKUP, ratelimit.client_ip(request)):
        return render(request, template, {**context, "limited": True}, status=429)
    code = services.normalize_code(request.POST.get("code", ""))[:32]
    wish = services.find_by_code(code)
    if wish is None or wish.org_id != org.pk:
        return render(request, template, {**context, "not_found": True})
    if request.POST.get("confirm") == "1":
        try:
            wish = services.confirm_by_resident(code)
        except RuleError as exc:
            context["confirm_error"] = exc.message
        else:
            context["confirmed"] = True
    events = [e for e in wish.events.all() if e.action != "collected"]
    return render(request, template, {**context, "wish": _shown(wish), "events": events, "code": code})


@require_GET
def wish_published(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    qs = (selectors.published(org).select_related("claimant_member", "claimant_org")
          .order_by("-published_on", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "wishes/public_wish_published.html",
                  _context(org, page=page, items=[_shown(w) for w in page.object_list]))


@require_GET
def wish_poster(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    url = request.build_absolute_uri(reverse("public-wish-form", args=[org.code])) + "?via=qr"
    return render(request, "wishes/public_wish_poster.html", _context(
        org, form_url=url, qr=mark_safe(qr_svg(url))))  # made by the qrcode package from our own URL
