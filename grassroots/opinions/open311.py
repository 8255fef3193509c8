"""Open311 GeoReport v2 for the opinions stations, mounted at /open311/v2/ (grassroots/opinions/urls_open311.py).

Each station (an organization with opinion categories) is a jurisdiction: `jurisdiction_id` is its code.
The endpoint serves many stations, so every method requires `jurisdiction_id` (400 without it, 404 for an
unknown one). A category is a service: `service_code` is `Category.code`; an opinion is a service request:
`service_request_id` is its public number (`S-2024-0001`).

    GET  services.{json|xml}?jurisdiction_id=            the station's active categories
    GET  services/{service_code}.{json|xml}              a service definition (no attributes: metadata is false)
    POST requests.{json|xml}                             submit an opinion (form-encoded, as the spec says)
    GET  requests.{json|xml}                             service requests (service_request_id, service_code,
                                                         start_date, end_date, status; 90 days, at most 1000)
    GET  requests/{service_request_id}.{json|xml}        one service request

What is accepted and how it maps:
- POST needs `service_code` and a location: `lat` and `long` together, or `address_string` (`address_id` is
  refused: there is no address repository behind it). `description` is the opinion; `first_name`/`last_name`
  make the submitter's name (family name first when written in Chinese); `phone` and `email` are kept for the
  handlers only and never returned. `media_url` (http or https) is added to the opinion's text on a line of
  its own; nothing is fetched from it. `device_id` and `account_id` are accepted and not stored (there are
  no resident accounts: `account_id` is always returned null). `api_key` is accepted and ignored: submitting
  needs no key, the POSTs are rate-limited per client address instead (`core.ratelimit`, 429 past the limit).
- The reply to a POST gives the `service_request_id` and, in `service_notice`, the submitter's private
  tracking code (to follow and rate the reply); no GET ever returns it. Services are "realtime".
- Status: received, assigned, being solved and reopened are "open"; solved, explained, cannot be solved for
  now and duplicate are "closed". Only opinions the station published show their text (`description`),
  place (`address`, `lat`, `long`), the agency responsible (the department, else the handling
  organization) and `status_notes` (the state, and for a closed one the parts of the reply that closed it);
  the others show only their number, status, service, and dates. Submitters' contacts never leave.
- `requested_datetime` is when the opinion was entered, or the start of the day it was received when it was
  entered later (staff entry); `expected_datetime` is the end of the reply's due day; `updated_datetime` is
  the last change of state. All in the server's time zone with its offset.
- Errors are the spec's list of {code, description}, with the HTTP status in `code`: 400 for a missing or
  invalid parameter (named in the description), 404 for an unknown jurisdiction, service, request or
  format, 405 for a wrong method, 429 past the rate limit.

Plain Django views: no session or CSRF (API clients, no accounts); a POST is made as the anonymous public
whatever cookie comes with it. Accept-Language chooses the language of names and messages (Chinese without
it), as for the REST API. XML is written with ElementTree, JSON is primary.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from grassroots.core import ratelimit
from grassroots.core.context import acting
from grassroots.core.errors import RuleError
from grassroots.opinions import services
from grassroots.opinions.models import CLOSED, OPEN, Category, Channel, Opinion, OpinionChange, State
from grassroots.orgs.models import Organization

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
WINDOW = dt.timedelta(days=90)
LIMIT = 1000
# The spec's XML: a list is a plural element holding singular ones.
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
             "values": "value"}
# Which Open311 parameter a service's RuleError field is.
PARAMS = {"text": "description", "lat": "lat", "lon": "long", "submitter_phone": "phone", "category": "service_code"}
REPLY_PARTS = ("background", "solution", "remaining", "measures", "reason")


def status_of(state: str) -> str:
    """The Open311 status of an opinion's state."""
    if state in OPEN:
        return "open"
    if state in CLOSED:
        return "closed"
    raise ValueError(state)  # pragma: no cover - every state is one or the other


def _now() -> dt.datetime:
    return timezone.now()


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _missing(param: str) -> Open311Error:
    return Open311Error(400, _("%(param)s was not provided") % {"param": param})


def _invalid(param: str, message: str) -> Open311Error:
    return Open311Error(400, _("%(param)s: %(message)s") % {"param": param, "message": message})


# --- output -------------------------------------------------------------------------------------------------
# What XML 1.0 may not hold, escaped or not (most control characters, lone surrogates, U+FFFE and U+FFFF): a
# resident's text holding one would make the whole answer unparseable, so the XML drops them (JSON keeps them).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", value)


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEM_TAGS[tag], item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = xml_text(str(value))
    return element


def _respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = XML_DECLARATION + ET.tostring(_element(root, data), encoding="unicode").encode()
    else:
        body = json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt], status=status)


def _error_response(fmt: str, exc: Open311Error) -> HttpResponse:
    return _respond(fmt, "errors", [{"code": exc.status, "description": exc.description}], exc.status)


def _language(request: HttpRequest) -> str:
    if "HTTP_ACCEPT_LANGUAGE" in request.META:
        return translation.get_language_from_request(request)
    return translation.get_language() or "zh-hans"


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _name(obj: Any) -> str:
    """The name in the language of the request: English where there is one and English was asked for."""
    english = str(getattr(obj, "name_en", "") or "")
    return english if english and _english() else str(obj.name)


def _endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 view: checks the format suffix and the method, answers errors in the spec's shape."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def endpoint(request: HttpRequest, format: str, **kwargs: Any) -> HttpResponse:
            fmt = format
            answer_in = fmt if fmt in FORMATS else "json"
            with translation.override(_language(request)):
                try:
                    if fmt not in FORMATS:
                        raise Open311Error(404, _("unknown format %(format)s: use json or xml") % {"format": fmt})
                    if request.method not in allowed:
                        raise Open311Error(405, _("method %(method)s is not allowed here") % {
                            "method": request.method})
                    return view(request, fmt, **kwargs)
                except Open311Error as exc:
                    response = _error_response(answer_in, exc)
                    if exc.status == 405:
                        response["Allow"] = ", ".join(allowed)
                    return response

        return endpoint

    return wrap


# --- input --------------------------------------------------------------------------------------------------
def _station(params: QueryDict) -> Organization:
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        raise _missing("jurisdiction_id")
    station = (Organization.objects.filter(code=code)
               .filter(Exists(Category.objects.filter(org=OuterRef("pk")))).first())
    if station is None:
        raise Open311Error(404, _("jurisdiction_id %(id)s was not found") % {"id": code})
    return station


def _category(station: Organization, code: str) -> Category:
    category = (Category.objects.filter(org=station, code=code, active=True).select_related("department")
                .first())
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found") % {"code": code})
    return category


def _list(params: QueryDict, name: str) -> list[str]:
    """A comma-delimited parameter, which may also be given more than once."""
    return [item.strip() for value in params.getlist(name) for item in value.split(",") if item.strip()]


def _coordinate(params: QueryDict, name: str, limit: int) -> float:
    raw = params.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise _invalid(name, _("not a number")) from None
    if not -limit <= value <= limit:  # also refuses nan and inf
        raise _invalid(name, _("out of range"))
    return value


def _datetime(params: QueryDict, name: str, *, end: bool = False) -> dt.datetime | None:
    """A w3 date and time (2010-01-01T00:00:00Z); a date alone is its first moment (its last for an end)."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if "T" in raw:
        raw = raw.replace(" ", "+")  # an offset's "+" not encoded in the query string arrives as a space
    value: dt.datetime | None = None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise _invalid(name, _("write a date and time such as 2010-01-01T00:00:00Z"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _window(params: QueryDict) -> tuple[dt.datetime, dt.datetime]:
    start = _datetime(params, "start_date")
    end = _datetime(params, "end_date", end=True)
    if start is None and end is None:
        end = _now()
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise _invalid("end_date", _("before start_date"))
    if end - start > WINDOW:
        raise _invalid("end_date", _("the range may not span more than 90 days"))
    return start, end


def _full_name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if re.search(r"[\u3400-\u9fff]", first + last):
        return last + first  # 姓 then 名
    return " ".join(part for part in (first, last) if part)


# --- service requests ---------------------------------------------------------------------------------------
def _w3(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _requested(opinion: Opinion) -> dt.datetime:
    """When the request was made: the entry time, or the start of the day received when entered later."""
    entered = opinion.recorded_at
    if entered is not None and timezone.localtime(entered).date() == opinion.received_on:
        return entered
    return timezone.make_aware(dt.datetime.combine(opinion.received_on, dt.time.min))


def _expected(opinion: Opinion) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(opinion.deadline, dt.time(23, 59, 59)))


def _closing_changes(opinions: Iterable[Opinion]) -> dict[int, OpinionChange]:
    """For each published, closed opinion: the published reply that moved it to its state (one query)."""
    wanted = {o.pk: o.state for o in opinions if o.published and o.state in CLOSED}
    found: dict[int, OpinionChange] = {}
    if not wanted:
        return found
    for change in (OpinionChange.objects.filter(opinion_id__in=list(wanted), published_at__isnull=False)
                   .order_by("on", "id")):
        if change.to_state == wanted[change.opinion_id]:
            found[change.opinion_id] = change
    return found


def _status_notes(opinion: Opinion, change: OpinionChange | None) -> str:
    notes = [str(State(opinion.state).label)]
    if opinion.state in CLOSED and change is not None:
        for part in REPLY_PARTS:
            text = str(getattr(change, part) or "").strip()
            if text:
                label = capfirst(str(getattr(OpinionChange._meta.get_field(part), "verbose_name", part)))
                notes.append(f"{label}: {text}")
    if opinion.state == State.DUPLICATE and opinion.duplicate_of is not None:
        notes.append(_("Duplicate of %(number)s") % {"number": opinion.duplicate_of.number})
    return "\n".join(notes)


def service_request(opinion: Opinion, change: OpinionChange | None = None) -> dict[str, Any]:
    """One opinion as an Open311 service request: everything only when published, never the contacts."""
    shown = opinion.published
    data: dict[str, Any] = {"service_request_id": opinion.number, "status": status_of(opinion.state)}
    if shown:
        data["status_notes"] = _status_notes(opinion, change)
    data["service_name"] = _name(opinion.category)
    data["service_code"] = opinion.category.code
    if shown:
        data["description"] = opinion.text
        data["agency_responsible"] = _name(opinion.department) if opinion.department else _name(
            opinion.handler_org)
        data["service_notice"] = None
    data["requested_datetime"] = _w3(_requested(opinion))
    data["updated_datetime"] = _w3(opinion.state_changed_at or _requested(opinion))
    data["expected_datetime"] = _w3(_expected(opinion))
    if shown:
        place = opinion.address or (opinion.territory.name if opinion.territory else "")
        data["address"] = place or None
        data["address_id"] = None
        data["zipcode"] = None
        data["lat"] = float(opinion.lat) if opinion.lat is not None else None
        data["long"] = float(opinion.lon) if opinion.lon is not None else None
        data["media_url"] = None
    return data


def _opinions(station: Organization) -> Any:
    return (Opinion.objects.filter(station=station)
            .select_related("category", "department", "handler_org", "territory", "duplicate_of"))


def _service_requests(fmt: str, opinions: list[Opinion]) -> HttpResponse:
    changes = _closing_changes(opinions)
    return _respond(fmt, "service_requests", [service_request(o, changes.get(o.pk)) for o in opinions])


# --- views --------------------------------------------------------------------------------------------------
@_endpoint("GET")
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    station = _station(request.GET)
    rows = []
    for category in Category.objects.filter(org=station, active=True).select_related("department"):
        names = [category.name, category.name_en]
        rows.append({
            "service_code": category.code,
            "service_name": _name(category),
            "description": category.description,
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys(n for n in names if n)),
            "group": _name(category.department) if category.department else "",
        })
    return _respond(fmt, "services", rows)


@_endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = _category(_station(request.GET), service_code)
    return _respond(fmt, "service_definition", {"service_code": category.code, "attributes": []})


@_endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    params = request.GET
    station = _station(params)
    opinions = _opinions(station).order_by("-received_on", "-id")
    numbers = _list(params, "service_request_id")
    if numbers:  # overrides all other arguments
        return _service_requests(fmt, list(opinions.filter(number__in=numbers)[:LIMIT]))
    codes = _list(params, "service_code")
    if codes:
        opinions = opinions.filter(category__code__in=codes)
    statuses = _list(params, "status")
    for status in statuses:
        if status not in ("open", "closed"):
            raise _invalid("status", _("use open or closed"))
    if statuses and set(statuses) != {"open", "closed"}:
        opinions = opinions.filter(state__in=OPEN if statuses[0] == "open" else CLOSED)
    start, end = _window(params)
    opinions = opinions.filter(received_on__gte=timezone.localtime(start).date(),
                               received_on__lte=timezone.localtime(end).date())
    found: list[Opinion] = []
    for opinion in opinions.iterator(chunk_size=500):
        if start <= _requested(opinion) <= end:
            found.append(opinion)
            if len(found) == LIMIT:
                break
    return _service_requests(fmt, found)


@_endpoint("GET")
def service_request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    station = _station(request.GET)
    opinion = _opinions(station).filter(number=service_request_id).first()
    if opinion is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found") % {"id": service_request_id})
    return _service_requests(fmt, [opinion])


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    if not ratelimit.allow("open311_post", ratelimit.client_ip(request)):
        raise Open311Error(429, _("too many requests from your address; try again later"))
    params: QueryDict = request.POST
    if not params.get("jurisdiction_id") and request.GET.get("jurisdiction_id"):
        params = request.GET.copy()
        params.update(request.POST)
    station = _station(params)
    if not station.is_active:
        raise Open311Error(404, _("jurisdiction_id %(id)s was not found") % {"id": station.code})
    code = params.get("service_code", "").strip()
    if not code:
        raise _missing("service_code")
    category = _category(station, code)
    has_lat, has_long = bool(params.get("lat", "").strip()), bool(params.get("long", "").strip())
    if has_lat != has_long:
        raise _missing("long" if has_lat else "lat")
    address = params.get("address_string", "").strip()
    if not has_lat and not address:
        if params.get("address_id", "").strip():
            raise _invalid("address_id", _("not supported here; send lat and long, or address_string"))
        raise Open311Error(400, _("a location is required: lat and long, or address_string"))
    lat = _coordinate(params, "lat", 90) if has_lat else None
    lon = _coordinate(params, "long", 180) if has_long else None
    email = params.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _invalid("email", _("not an email address")) from None
    text = params.get("description", "").strip()
    media_url = params.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise _invalid("media_url", _("not an http or https address")) from None
        text = f"{text}\n\n{media_url}" if text else media_url
    # As the anonymous public, whatever session cookie the client sent (there is no CSRF check here).
    with acting(AnonymousUser(), "api"):
        try:
            opinion = services.submit_opinion(
                station, text=text, category=category, channel=Channel.OPEN311, address=address, lat=lat, lon=lon,
                submitter_name=_full_name(params.get("first_name", ""), params.get("last_name", "")),
                submitter_phone=params.get("phone", ""), submitter_email=email,
            )
        except RuleError as exc:
            if exc.field in PARAMS:
                raise _invalid(PARAMS[exc.field], exc.message) from None
            raise Open311Error(400, exc.message) from None
    notice = _("Your request %(number)s was received; a reply is due by %(deadline)s. Your private tracking "
               "code is %(code)s: keep it to yourself, and use it to follow the reply and to rate it.") % {
        "number": opinion.number, "deadline": opinion.deadline.isoformat(), "code": opinion.tracking_code}
    return _respond(fmt, "service_requests",
                    [{"service_request_id": opinion.number, "service_notice": notice, "account_id": None}])
