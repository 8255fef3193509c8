"""The public pages of the people's feelings express station (民情快递站): no account needed.

- the form of a station (`p/<station>/`), optionally from an outlet's poster (`?outlet=CODE`), with one photo;
- the page after sending, showing the opinion's number and its private tracking code once;
- following an opinion and rating its reply by the tracking code (`p/track/`), always by POST: the code never
  appears in a URL (the page after sending takes it from the session, once);
- the station's published opinions with their published replies (`p/<station>/published/`);
- the printable A4 poster of an outlet with the QR code of its form (`p/<station>/poster/<outlet>/`).

Nothing here shows who asked: the submitter's name, phone and email are saved for the handlers only. Sending and
looking up are rate-limited per client address (`core.ratelimit`); a hidden honeypot field catches simple bots,
which get a normal-looking answer while nothing is saved. Everything is written through `opinions.services`.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.core import ratelimit
from grassroots.core.errors import RuleError
from grassroots.opinions import selectors, services
from grassroots.opinions.forms import PublicOpinionForm, local_name
from grassroots.opinions.models import Opinion, OpinionChange, OpinionRating, Outlet, State
from grassroots.orgs.models import Organization
from grassroots.rules.registry import in_force
from grassroots.ui.forms import rule_error_on_form

PUBLISHED_PAGE_SIZE = 20
SESSION_DONE = "public_opinion_done"  # the number and tracking code, for the one page after sending
HONEYPOT = "website"

STATE_TONES: dict[str, str] = {
    State.SOLVED: "ok", State.EXPLAINED: "ok", State.CANNOT_SOLVE: "muted", State.DUPLICATE: "muted",
    State.REOPENED: "warn", State.RECEIVED: "info", State.ASSIGNED: "info", State.IN_PROGRESS: "info"}
SCORE_LABELS = ((1, gettext_lazy("Very dissatisfied")), (2, gettext_lazy("Dissatisfied")),
                (3, gettext_lazy("Acceptable")), (4, gettext_lazy("Satisfied")), (5, gettext_lazy("Very satisfied")))


# --- helpers -------------------------------------------------------------------------------------

def _station(code: str) -> Organization:
    """The organization with this code that runs a station (has active opinion categories), else 404."""
    station = (Organization.objects.filter(code=code, opinion_categories__active=True)
               .select_related("territory").first())
    if station is None:
        raise Http404(_("No such station."))
    return station


def _limited(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The 429 answer: try again later; nothing was saved."""
    return render(request, template, {**context, "limited": True}, status=429)


def _decorate(opinion: Opinion) -> Opinion:
    """Labels the templates show: the category in the page's language, the state's tone."""
    opinion.category_label = local_name(opinion.category)  # type: ignore[attr-defined]
    opinion.state_tone = STATE_TONES.get(opinion.state, "info")  # type: ignore[attr-defined]
    return opinion


# --- the form ------------------------------------------------------------------------------------

def _outlet_from_query(request: HttpRequest, station: Organization) -> Outlet | None:
    code = request.GET.get("outlet", "").strip()
    return Outlet.objects.filter(org=station, code=code, active=True).first() if code else None


def _fake_number(station: Organization) -> str:
    """A number that looks like the next one, for the honeypot's answer."""
    year = timezone.localdate().year
    prefix = f"{station.code}-{year}-"
    return f"{prefix}{Opinion.objects.filter(number__startswith=prefix).count() + 1:04d}"


def _fake_code() -> str:
    alphabet = services.TRACKING_ALPHABET
    return "".join(secrets.choice(alphabet) for _i in range(services.TRACKING_LENGTH))


@require_http_methods(["GET", "POST"])
def opinion_form(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    template = "opinions/public_opinion_form.html"
    if request.method == "POST":
        form = PublicOpinionForm(request.POST, request.FILES, station=org)
        outlet = Outlet.objects.filter(org=org, code=request.POST.get("outlet", "").strip(), active=True).first()
        context = {"station": org, "station_name": local_name(org), "form": form, "outlet": outlet}
        if request.POST.get(HONEYPOT):
            if not ratelimit.allow("opinion_submit", ratelimit.client_ip(request)):
                return _limited(request, template, context)
            request.session[SESSION_DONE] = {"station": org.code, "number": _fake_number(org), "code": _fake_code()}
            return redirect("public-opinion-done", station=org.code)
        if form.is_valid():
            if not ratelimit.allow("opinion_submit", ratelimit.client_ip(request)):
                return _limited(request, template, context)
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    opinion = services.submit_opinion(
                        org, channel="web", text=data["text"], category=data["category"],
                        territory=data.get("territory"), address=data["address"], outlet=data["outlet"],
                        submitter_name=data["name"], submitter_phone=data["phone"], submitter_email=data["email"])
                    if data["photo"]:
                        services.add_attachment(opinion, file=data["photo"], public=True)
            except RuleError as exc:
                rule_error_on_form(form, exc, {"submitter_phone": "phone", "submitter_email": "email",
                                               "submitter_name": "name", "file": "photo"})
            else:
                request.session[SESSION_DONE] = {"station": org.code, "number": opinion.number,
                                                 "code": opinion.tracking_code}
                return redirect("public-opinion-done", station=org.code)
        return render(request, template, context)
    outlet = _outlet_from_query(request, org)
    form = PublicOpinionForm(station=org, initial={"outlet": outlet.code if outlet else ""})
    return render(request, template, {"station": org, "station_name": local_name(org), "form": form,
                                      "outlet": outlet})


@never_cache
@require_GET
def opinion_done(request: HttpRequest, station: str) -> HttpResponse:
    """The one page after sending: the number and the tracking code, taken out of the session."""
    org = _station(station)
    done = request.session.pop(SESSION_DONE, None)
    if not done or done.get("station") != org.code:
        return redirect("public-opinion-form", station=org.code)
    form_url = reverse("public-opinion-form", args=[org.code])
    return render(request, "opinions/public_opinion_done.html", {
        "station": org, "station_name": local_name(org), "number": done["number"], "code": done["code"],
        "lang_next": form_url})


# --- tracking and rating -------------------------------------------------------------------------

def _reply(change: OpinionChange, *, own: bool) -> dict[str, Any]:
    """A published change as shown publicly. A reopening by a low rating shows a sentence saying so (its
    stored reason is only the score; the rater's comment stays with the rating)."""
    return {"change": change, "reason": "" if change.by_rating else change.reason}


def _tracked(opinion: Opinion) -> dict[str, Any]:
    """What the person who asked sees of their opinion: never their own name or contact."""
    _decorate(opinion)
    rateable = services.rateable_change(opinion)
    rating = OpinionRating.objects.filter(change=rateable).first() if rateable is not None else None
    return {
        "opinion": opinion, "replies": [_reply(c, own=True) for c in selectors.history(opinion, public=True)],
        "rateable": rateable,
        "rating": rating, "station_name": local_name(opinion.station),
        "reopen_at": int(in_force("opinions.rating", timezone.localdate())["reopen_at_or_below"]),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Type the tracking code (POST), see the opinion and its published replies, rate the reply (POST)."""
    template = "opinions/public_track.html"
    context: dict[str, Any] = {"scores": SCORE_LABELS}
    if request.method != "POST":
        return render(request, template, context)
    if not ratelimit.allow("tracking_lookup", ratelimit.client_ip(request)):
        return _limited(request, template, context)
    code = services.normalize_tracking_code(request.POST.get("code", ""))[:32]
    opinion = services.find_by_code(code)
    if opinion is None:
        return render(request, template, {**context, "not_found": True})
    if "score" in request.POST:
        try:
            score = int(request.POST["score"])
        except ValueError:
            score = 0
        try:
            services.rate(code, score, comment=request.POST.get("comment", "")[:300])
        except RuleError as exc:
            context["rate_error"] = exc.message
        else:
            context["rated"] = score
        opinion = services.find_by_code(code)
        assert opinion is not None
        context["reopened"] = "rated" in context and opinion.state == State.REOPENED
    return render(request, template, {**context, **_tracked(opinion), "code": code})


# --- published opinions --------------------------------------------------------------------------

@require_GET
def published(request: HttpRequest, station: str) -> HttpResponse:
    org = _station(station)
    qs = selectors.published(org).select_related("category").order_by("-received_on", "-id")
    page = Paginator(qs, PUBLISHED_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"opinion": _decorate(o), "replies": [_reply(c, own=False) for c in selectors.history(o, public=True)]}
             for o in page.object_list]
    return render(request, "opinions/public_published.html", {
        "station": org, "station_name": local_name(org), "page": page, "items": items})


# --- the outlet's poster -------------------------------------------------------------------------

def qr_svg(data: str) -> str:
    """An inline SVG QR code of `data` (the XML declaration left out)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    start = svg.find("<svg")
    return svg[start:] if start > 0 else svg


@require_GET
def poster(request: HttpRequest, station: str, outlet: str) -> HttpResponse:
    org = _station(station)
    point = get_object_or_404(Outlet.objects.select_related("territory"), org=org, code=outlet, active=True)
    url = request.build_absolute_uri(reverse("public-opinion-form", args=[org.code])) + "?" + urlencode(
        {"outlet": point.code})
    return render(request, "opinions/public_poster.html", {
        "station": org, "station_name": local_name(org), "outlet": point, "form_url": url,
        "qr": mark_safe(qr_svg(url)),  # made here by the qrcode package from our own URL
    })
