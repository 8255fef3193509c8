"""Writes to residents' opinions: each a named function, in one transaction, permission-checked, audited.

Intake (`submit_opinion`)
    From the public form or an Open311 client (no account: channel web / open311), or entered by staff at an
    outlet, from the phone line, after a visit, or by import (these need write access in the station's tree).
    The opinion gets a public number (`HS-2019-0007`) and a private tracking code for the submitter, and is
    routed at once when its category says where it goes: to the category's department (handled by the
    station), else to the organization whose territory holds the place; otherwise it waits, received, for
    the station's service centre to sort it. The deadline is `category.deadline_workdays` Chinese working
    days counted from the working day after the day received (`core.workdays`).

Routing (`assign`, `reassign`, `escalate`)
    Each is an `Assignment` row; assigning a received or reopened opinion moves it to "assigned".
    Escalation hands it to the organization above the current handler.

States (`draft_reply`, `publish_reply`, `reply`)
    Every other change of state is an `OpinionChange` carrying its written reply. A draft changes nothing;
    publishing it checks the move again against the state the opinion is in then. Allowed moves are in
    `MOVES`; everything else is refused with a clear error. Required parts of a reply, by the state it moves
    to, are in `REQUIRED`.

Rating (`rate`)
    By the tracking code only, 1-5, of the reply in force when the opinion is solved, explained or cannot be
    solved for now; the submitter may change their rating of the same reply. A rating at or below the
    `opinions.rating` rule's `reopen_at_or_below` reopens the opinion (recorded as a change by the rating).
    A wrong code, or a code whose opinion cannot be rated now, gets the same answer: nothing is revealed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.access.scope import current_scope
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.files import MAX_ATTACHMENT_BYTES, check_attachment
from grassroots.core.idnumber import FULL_WIDTH
from grassroots.core.versions import check_version
from grassroots.core.workdays import add_workdays
from grassroots.orgs.models import Organization, Territory
from grassroots.orgs.selectors import holder_of
from grassroots.rules.registry import in_force

from .models import (
    CLOSED,
    COMPLETED,
    Assignment,
    AssignmentKind,
    Category,
    Channel,
    Department,
    Opinion,
    OpinionAttachment,
    OpinionChange,
    OpinionRating,
    Outlet,
    State,
)

PUBLIC_CHANNELS = (Channel.WEB, Channel.OPEN311)
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
TRACKING_LENGTH = 10
MAX_TEXT = 4000
MAX_ATTACHMENTS = 20
MAX_PUBLIC_ATTACHMENTS = 3
MAX_PUBLIC_ATTACHMENT_BYTES = 5 * 1024 * 1024

# Which state a published reply may move an opinion to, from each state. "assigned" is reached by routing.
MOVES: dict[str, tuple[str, ...]] = {
    State.RECEIVED: (State.DUPLICATE,),
    State.ASSIGNED: (State.IN_PROGRESS, State.SOLVED, State.EXPLAINED, State.CANNOT_SOLVE, State.DUPLICATE),
    State.IN_PROGRESS: (State.SOLVED, State.EXPLAINED, State.CANNOT_SOLVE, State.DUPLICATE),
    State.SOLVED: (State.REOPENED,),
    State.EXPLAINED: (State.REOPENED,),
    State.CANNOT_SOLVE: (State.IN_PROGRESS, State.REOPENED),
    State.DUPLICATE: (State.REOPENED,),
    State.REOPENED: (State.IN_PROGRESS, State.SOLVED, State.EXPLAINED, State.CANNOT_SOLVE, State.DUPLICATE),
}
ROUTABLE = (State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED)

# The parts of the written reply each target state needs.
REQUIRED: dict[str, tuple[str, ...]] = {
    State.IN_PROGRESS: ("background", "measures", "handler_name", "handler_contact"),
    State.SOLVED: ("background", "solution", "handler_name", "handler_contact"),
    State.EXPLAINED: ("background", "solution", "handler_name", "handler_contact"),
    State.CANNOT_SOLVE: ("background", "reason", "measures", "handler_name", "handler_contact"),
    State.DUPLICATE: ("duplicate_of",),
    State.REOPENED: ("reason",),
}
REPLY_FIELDS = ("background", "solution", "remaining", "measures", "reason", "handler_name", "handler_contact")
OPINION_FIELDS = ("station", "number", "text", "category", "territory", "address", "channel", "outlet", "received_on",
                  "state", "handler_org", "department", "deadline", "closed_on", "published")


def _today() -> dt.date:
    return timezone.localdate()


def _user() -> Any:
    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) else None


# --- permissions --------------------------------------------------------------------------------------------
def can_handle(opinion: Opinion) -> bool:
    """The handling roles: write access at the station or at the organization handling the opinion."""
    scope = current_scope()
    return scope.can_write_org(opinion.station) or scope.can_write_org(opinion.handler_org)


def require_handle(opinion: Opinion) -> None:
    if not can_handle(opinion):
        raise PermissionDeniedError(_("you may not handle opinion %(number)s") % {"number": opinion.number})


def _entered_it(opinion: Opinion) -> bool:
    """The acting user entered this opinion (staff entry): they may attach the paper form to it."""
    user = _user()
    return user is not None and opinion.recorded_by_id == user.pk


def can_enter_for(station: Organization) -> bool:
    """Staff entry (outlet, phone, visit, import): write access to the station or any organization under it."""
    scope = current_scope()
    if scope.unrestricted or scope.can_write_org(station):
        return True
    return scope.orgs(write=True).filter(path__startswith=station.path).exists()


# --- set-up of a station ------------------------------------------------------------------------------------
# Departments, categories and outlets: created, edited, deactivated (kept for the opinions that name them) and
# deleted only while nothing names them. Every write checks that the user may write the station's organization,
# normalises what was typed (full-width letters, digits and spaces as ASCII, runs of spaces as one), raises the
# record's `version` and refuses an edit made from a page older than the last change (`version` given and stale).

STATION_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SPACES = re.compile(r"\s+")
DEPARTMENT_FIELDS = ("name", "name_en", "contact", "active")
CATEGORY_FIELDS = ("code", "name", "name_en", "description", "department", "deadline_workdays", "active")
OUTLET_FIELDS = ("code", "name", "territory", "address", "recipients", "active")


def _typed(value: Any) -> str:
    """Text as typed, made plain: full-width letters, digits, signs and spaces as ASCII, runs of spaces as one."""
    return _SPACES.sub(" ", str(value or "").translate(FULL_WIDTH)).strip()


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = _typed(value)
    if required and not text:
        raise RuleError(_("%(field)s is required") % {"field": _label(field)}, field=field)
    if len(text) > max_length:
        raise RuleError(_("%(field)s: at most %(n)s characters") % {"field": _label(field), "n": max_length},
                        field=field)
    return text


_LABELS = {"name": gettext_lazy("name"), "name_en": gettext_lazy("English name"),
           "contact": gettext_lazy("contact"), "code": gettext_lazy("code"),
           "description": gettext_lazy("description"), "address": gettext_lazy("address"),
           "recipients": gettext_lazy("recipients")}


def _label(field: str) -> str:
    return str(_LABELS.get(field, field))


def _code(value: Any) -> str:
    code = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not STATION_CODE.fullmatch(code):
        raise RuleError(_("the code %(code)s is not allowed: use letters, digits, - or _ (at most 32, no spaces)")
                        % {"code": code or "“”"}, field="code")
    return code


def default_deadline_workdays(day: dt.date | None = None) -> int:
    """A new category's deadline when none is given (the `opinions.reply_within` rule)."""
    return int(in_force("opinions.reply_within", day or _today())["default_workdays"])


def _kept_or_new_code(value: Any, current: str) -> str:
    """A code left as it was passes even if it breaks today's rule (one typed before it, in the admin); a new one
    is checked."""
    return current if str(value or "").strip() == current else _code(value)


def max_deadline_workdays(day: dt.date | None = None) -> int:
    """The longest deadline a category may have (the `opinions.reply_within` rule; against typing errors)."""
    return int(in_force("opinions.reply_within", day or _today())["max_workdays"])


def _deadline(value: Any) -> int:
    if value is None or value == "":
        return default_deadline_workdays()
    most = max_deadline_workdays()
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise RuleError(_("the deadline is a whole number of working days"), field="deadline_workdays") from None
    if isinstance(value, bool) or not 1 <= days <= most:
        raise RuleError(_("the deadline must be 1 to %(most)s working days") % {"most": most},
                        field="deadline_workdays")
    return days


def can_set_up(station: Organization) -> bool:
    """Whether the acting user may set up the station of this organization (they may write it)."""
    return current_scope().can_write_org(station)


def _require_set_up(station: Organization) -> None:
    if not can_set_up(station):
        raise PermissionDeniedError(_("you may not set up the station of %(org)s") % {"org": station})


def _require_live(station: Organization) -> None:
    if not station.is_active:
        raise RuleError(_("%(org)s has been revoked") % {"org": station}, field="station")


def _locked[M: (Department, Category, Outlet)](obj: M, version: int | None) -> M:
    """The record locked for the write; refused (StaleVersionError) when the page it was edited on is older than its
    last change."""
    fresh = type(obj).objects.select_for_update().select_related("org").get(pk=obj.pk)
    _require_set_up(fresh.org)
    check_version(fresh, version)  # a stale page: refused, naming who changed what since
    return fresh


def _saved[M: (Department, Category, Outlet)](obj: M, action: str, fields: tuple[str, ...],
                                             before: dict[str, Any]) -> M:
    after = audit.snapshot(obj, fields)
    if after == before:
        return obj  # nothing changed: nothing to write, nothing to audit
    obj.version += 1
    obj.save()
    audit.record(action, obj, org_id=obj.org_id, before=before, after=after)
    return obj


def _department_of(station: Organization, department: Department | None) -> Department | None:
    if department is None:
        return None
    if department.org_id != station.pk:
        raise RuleError(_("the department belongs to another station"), field="department")
    if not department.active:
        raise RuleError(_("the department %(name)s is inactive") % {"name": department.name}, field="department")
    return department


def _place_of(station: Organization, territory: Territory | None) -> Territory | None:
    if territory is None:
        return None
    if not territory.is_active:
        raise RuleError(_("%(place)s has been revoked") % {"place": territory.name}, field="territory")
    home = station.territory
    if home is not None and not territory.path.startswith(home.path):
        raise RuleError(_("%(place)s is not within the station's area (%(area)s)") % {
            "place": territory.name, "area": home.name}, field="territory")
    if home is None and not current_scope().can_read_territory(territory):
        raise RuleError(_("%(place)s is outside your places") % {"place": territory.name}, field="territory")
    return territory


def _unique(qs: Any, field: str, value: str, exclude: int | None) -> None:
    taken = qs.filter(**{f"{field}__iexact": value})
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise RuleError(_("%(value)s is already used in this station") % {"value": value}, field=field)


def _in_use(what: str, uses: list[tuple[Any, str]]) -> None:
    """Refuse to delete a record that others name (they would lose it): say what names it."""
    named = [f"{label} {n}" for n, label in ((qs.count(), label) for qs, label in uses) if n]
    if named:
        raise RuleError(_("%(what)s is still named by %(uses)s: deactivate it instead") % {
            "what": what, "uses": "、".join(named)})


# Departments
@transaction.atomic
def department_create(station: Organization, *, name: str, name_en: str = "", contact: str = "",
                      active: bool = True) -> Department:
    _require_set_up(station)
    _require_live(station)
    values: dict[str, Any] = {"name": _text(name, "name", 100, required=True), "name_en": _text(name_en, "name_en", 150),
              "contact": _text(contact, "contact", 100), "active": bool(active)}
    Organization.objects.select_for_update().filter(pk=station.pk).first()  # one set-up write at a time
    _unique(Department.objects.filter(org=station), "name", values["name"], None)
    dept = Department.objects.create(org=station, **values)
    audit.record("opinions.department_create", dept, org_id=station.pk,
                 after=audit.snapshot(dept, DEPARTMENT_FIELDS))
    return dept


@transaction.atomic
def department_update(department: Department, *, version: int | None = None, name: str, name_en: str = "",
                      contact: str = "") -> Department:
    dept = _locked(department, version)
    values: dict[str, Any] = {"name": _text(name, "name", 100, required=True), "name_en": _text(name_en, "name_en", 150),
              "contact": _text(contact, "contact", 100)}
    _unique(Department.objects.filter(org=dept.org_id), "name", values["name"], dept.pk)
    before = audit.snapshot(dept, DEPARTMENT_FIELDS)
    for key, value in values.items():
        setattr(dept, key, value)
    return _saved(dept, "opinions.department_update", DEPARTMENT_FIELDS, before)


@transaction.atomic
def department_set_active(department: Department, *, active: bool, version: int | None = None) -> Department:
    """Deactivate a department (it keeps its opinions; nothing new goes to it) or make it active again."""
    dept = _locked(department, version)
    if not active:
        routed = list(Category.objects.filter(department=dept, active=True).order_by("code")
                      .values_list("code", flat=True))
        if routed:
            raise RuleError(_("the active categories %(codes)s go to this department: send them elsewhere or "
                              "deactivate them first") % {"codes": "、".join(routed)}, field="active")
    before = audit.snapshot(dept, DEPARTMENT_FIELDS)
    dept.active = bool(active)
    return _saved(dept, "opinions.department_activate" if active else "opinions.department_deactivate",
                  DEPARTMENT_FIELDS, before)


@transaction.atomic
def department_delete(department: Department, *, version: int | None = None) -> None:
    """Delete a department entered by mistake: only while no category, opinion or routing names it."""
    dept = _locked(department, version)
    _in_use(dept.name, [(Category.objects.filter(department=dept), _("categories")),
                        (Opinion.objects.filter(department=dept), _("opinions")),
                        (Assignment.objects.filter(to_department=dept), _("routings"))])
    audit.record("opinions.department_delete", dept, org_id=dept.org_id,
                 before=audit.snapshot(dept, DEPARTMENT_FIELDS))
    dept.delete()


# Categories
@transaction.atomic
def category_create(station: Organization, *, code: str, name: str, name_en: str = "", description: str = "",
                    department: Department | None = None, deadline_workdays: int | None = None,
                    active: bool = True) -> Category:
    _require_set_up(station)
    _require_live(station)
    values: dict[str, Any] = {"code": _code(code), "name": _text(name, "name", 100, required=True),
              "name_en": _text(name_en, "name_en", 150), "description": _text(description, "description", 300),
              "department": _department_of(station, department), "deadline_workdays": _deadline(deadline_workdays),
              "active": bool(active)}
    Organization.objects.select_for_update().filter(pk=station.pk).first()  # one set-up write at a time
    _unique(Category.objects.filter(org=station), "code", values["code"], None)
    cat = Category.objects.create(org=station, **values)
    audit.record("opinions.category_create", cat, org_id=station.pk, after=audit.snapshot(cat, CATEGORY_FIELDS))
    return cat


@transaction.atomic
def category_update(category: Category, *, version: int | None = None, code: str, name: str, name_en: str = "",
                    description: str = "", department: Department | None = None,
                    deadline_workdays: int | None = None) -> Category:
    """Edit a category. A new deadline counts for opinions received from now on (each keeps the deadline it got);
    the code of a category opinions already carry stays (Open311 clients and the statistics' links know it)."""
    cat = _locked(category, version)
    values: dict[str, Any] = {"code": _kept_or_new_code(code, cat.code), "name": _text(name, "name", 100, required=True),
              "name_en": _text(name_en, "name_en", 150), "description": _text(description, "description", 300),
              "deadline_workdays": _deadline(deadline_workdays)}
    if department is not None and department.pk == cat.department_id:
        values["department"] = department  # kept as it is, even when the department is inactive now
    else:
        values["department"] = _department_of(cat.org, department)
    if values["code"] != cat.code and cat.opinions.exists():
        raise RuleError(_("opinions already carry the code %(code)s: it cannot change") % {"code": cat.code},
                        field="code")
    _unique(Category.objects.filter(org=cat.org_id), "code", values["code"], cat.pk)
    before = audit.snapshot(cat, CATEGORY_FIELDS)
    for key, value in values.items():
        setattr(cat, key, value)
    return _saved(cat, "opinions.category_update", CATEGORY_FIELDS, before)


@transaction.atomic
def category_set_active(category: Category, *, active: bool, version: int | None = None) -> Category:
    """Deactivate a category (no new opinions in it; the old ones keep it) or make it active again."""
    cat = _locked(category, version)
    if active and cat.department is not None and not cat.department.active:
        raise RuleError(_("the department %(name)s is inactive: choose another one first") % {
            "name": cat.department.name}, field="department")
    before = audit.snapshot(cat, CATEGORY_FIELDS)
    cat.active = bool(active)
    return _saved(cat, "opinions.category_activate" if active else "opinions.category_deactivate",
                  CATEGORY_FIELDS, before)


@transaction.atomic
def category_delete(category: Category, *, version: int | None = None) -> None:
    """Delete a category entered by mistake: only while no opinion carries it."""
    cat = _locked(category, version)
    _in_use(cat.name, [(Opinion.objects.filter(category=cat), _("opinions"))])
    audit.record("opinions.category_delete", cat, org_id=cat.org_id, before=audit.snapshot(cat, CATEGORY_FIELDS))
    cat.delete()


# Outlets
@transaction.atomic
def outlet_create(station: Organization, *, code: str, name: str, territory: Territory | None = None,
                  address: str = "", recipients: str = "", active: bool = True) -> Outlet:
    _require_set_up(station)
    _require_live(station)
    values: dict[str, Any] = {"code": _code(code), "name": _text(name, "name", 100, required=True),
              "territory": _place_of(station, territory), "address": _text(address, "address", 200),
              "recipients": _text(recipients, "recipients", 200), "active": bool(active)}
    Organization.objects.select_for_update().filter(pk=station.pk).first()  # one set-up write at a time
    _unique(Outlet.objects.filter(org=station), "code", values["code"], None)
    outlet = Outlet.objects.create(org=station, **values)
    audit.record("opinions.outlet_create", outlet, org_id=station.pk, after=audit.snapshot(outlet, OUTLET_FIELDS))
    return outlet


@transaction.atomic
def outlet_update(outlet: Outlet, *, version: int | None = None, code: str, name: str,
                  territory: Territory | None = None, address: str = "", recipients: str = "") -> Outlet:
    """Edit an outlet. A new code changes the address its poster's QR code opens: the poster is printed again."""
    point = _locked(outlet, version)
    values: dict[str, Any] = {"code": _kept_or_new_code(code, point.code), "name": _text(name, "name", 100, required=True),
              "territory": (territory if territory is not None and territory.pk == point.territory_id
                            else _place_of(point.org, territory)),
              "address": _text(address, "address", 200), "recipients": _text(recipients, "recipients", 200)}
    _unique(Outlet.objects.filter(org=point.org_id), "code", values["code"], point.pk)
    before = audit.snapshot(point, OUTLET_FIELDS)
    for key, value in values.items():
        setattr(point, key, value)
    return _saved(point, "opinions.outlet_update", OUTLET_FIELDS, before)


@transaction.atomic
def outlet_set_active(outlet: Outlet, *, active: bool, version: int | None = None) -> Outlet:
    """Close an outlet (its poster no longer opens the form for it; its opinions keep it) or open it again."""
    point = _locked(outlet, version)
    before = audit.snapshot(point, OUTLET_FIELDS)
    point.active = bool(active)
    return _saved(point, "opinions.outlet_activate" if active else "opinions.outlet_deactivate",
                  OUTLET_FIELDS, before)


@transaction.atomic
def outlet_delete(outlet: Outlet, *, version: int | None = None) -> None:
    """Delete an outlet entered by mistake: only while no opinion names it."""
    point = _locked(outlet, version)
    _in_use(point.name, [(Opinion.objects.filter(outlet=point), _("opinions"))])
    audit.record("opinions.outlet_delete", point, org_id=point.org_id, before=audit.snapshot(point, OUTLET_FIELDS))
    point.delete()


# --- intake -------------------------------------------------------------------------------------------------
def deadline_for(category: Category, received_on: dt.date) -> dt.date:
    """`deadline_workdays` working days counted from the working day after the day received."""
    return add_workdays(received_on + dt.timedelta(days=1), category.deadline_workdays)


def route_for(category: Category, station: Organization, territory: Territory | None, on: dt.date | None = None
              ) -> tuple[Organization | None, Department | None]:
    """Where the category sends an opinion at intake: (organization, department), or (None, None) to sort by hand.

    By place: the organization in the station's tree that holds the place on the day received (`on`, today by
    default), as `orgs.selectors.holder_of` says: the place's holder or the nearest one above it, never a party
    group, and where several organizations hold the same place, the nearest organization above all of them."""
    if category.department_id is not None:
        return station, category.department
    if territory is None:
        return None, None
    return holder_of(territory, on or timezone.localdate(), within=station), None


def _new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalize_tracking_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def _next_number(station: Organization, year: int) -> str:
    prefix = f"{station.code}-{year}-"
    last = (Opinion.objects.filter(number__startswith=prefix).order_by(Length("number").desc(), "-number")
            .values_list("number", flat=True).first())  # by length first: 10000 comes after 9999
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise RuleError(_("not a number"), field=field) from None
    if not number.is_finite():
        raise RuleError(_("not a number"), field=field)
    number = number.quantize(Decimal("0.000001"))
    if abs(number) > limit:
        raise RuleError(_("out of range"), field=field)
    return number


def submit_opinion(
    station: Organization,
    *,
    text: str,
    category: Category,
    channel: str,
    received_on: dt.date | None = None,
    territory: Territory | None = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    outlet: Outlet | None = None,
    submitter_name: str = "",
    submitter_phone: str = "",
    submitter_email: str = "",
) -> Opinion:
    """Take in one opinion and route it where its category says. Returns it with its tracking code."""
    if channel not in Channel.values:
        raise RuleError(_("unknown channel"), field="channel")
    if channel not in PUBLIC_CHANNELS and not can_enter_for(station):
        raise PermissionDeniedError(_("you may not enter opinions for %(org)s") % {"org": station})
    return _take_in(station, text=text, category=category, channel=channel, received_on=received_on,
                    territory=territory, address=address, lat=lat, lon=lon, outlet=outlet,
                    submitter_name=submitter_name, submitter_phone=submitter_phone, submitter_email=submitter_email)


def submit_from_visit(station: Organization, *, territory: Territory, text: str, category: Category,
                      received_on: dt.date | None = None, address: str = "", submitter_name: str = "",
                      submitter_phone: str = "", visit_ref: str = "") -> Opinion:
    """An opinion heard on a home visit (the visits module calls this): as `submit_opinion` with channel "visit",
    also allowed to whoever may write the visited household's place (its grid worker), `visit_ref` naming the
    visit for the way back."""
    if not (can_enter_for(station) or current_scope().can_write_place(territory)):
        raise PermissionDeniedError(_("you may not enter opinions for %(org)s") % {"org": station})
    return _take_in(station, text=text, category=category, channel=Channel.VISIT, received_on=received_on,
                    territory=territory, address=address, submitter_name=submitter_name,
                    submitter_phone=submitter_phone, visit_ref=str(visit_ref or "").strip()[:100])


def _take_in(station: Organization, *, text: str, category: Category, channel: str, received_on: dt.date | None,
             territory: Territory | None, address: str = "", lat: Any = None, lon: Any = None,
             outlet: Outlet | None = None, submitter_name: str = "", submitter_phone: str = "",
             submitter_email: str = "", visit_ref: str = "") -> Opinion:
    """`submit_opinion` once the caller's right to enter it is checked."""
    if not station.is_active:
        raise RuleError(_("%(org)s has been revoked") % {"org": station}, field="station")
    text = (text or "").strip()
    if not text:
        raise RuleError(_("write what the opinion is about"), field="text")
    if len(text) > MAX_TEXT:
        raise RuleError(_("at most %(n)s characters") % {"n": MAX_TEXT}, field="text")
    if category.org_id != station.pk or not category.active:
        raise RuleError(_("not a category of this station"), field="category")
    if outlet is not None and outlet.org_id != station.pk:
        raise RuleError(_("not an outlet of this station"), field="outlet")
    if outlet is not None and not outlet.active and channel != Channel.IMPORT:
        # A register of an outlet closed since is still imported; nothing new comes in at a closed outlet.
        raise RuleError(_("the outlet %(name)s is closed") % {"name": outlet.name}, field="outlet")
    today = _today()
    day = received_on or today
    if channel in PUBLIC_CHANNELS:
        day = today  # the public cannot back-date
    if day > today:
        raise RuleError(_("the date is in the future"), field="received_on")
    if day < station.founded_on:
        raise RuleError(_("the station's organization did not exist yet"), field="received_on")
    phone = re.sub(r"[\s-]", "", submitter_phone or "")
    if phone and not re.fullmatch(r"\+?\d{5,15}", phone):
        raise RuleError(_("not a phone number"), field="submitter_phone")
    email = (submitter_email or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise RuleError(_("not an email address"), field="submitter_email")
    lat_d = _coordinate(lat, "lat", 90)
    lon_d = _coordinate(lon, "lon", 180)
    if territory is None and outlet is not None:
        territory = outlet.territory
    handler, department = route_for(category, station, territory, day)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                opinion = Opinion.objects.create(
                    station=station, number=_next_number(station, day.year), tracking_code=_new_tracking_code(),
                    text=text, category=category, territory=territory, address=address.strip()[:200],
                    lat=lat_d, lon=lon_d, channel=channel, outlet=outlet, submitter_name=submitter_name.strip()[:50],
                    submitter_phone=phone, submitter_email=email[:100], received_on=day,
                    recorded_by=_user(), state=State.RECEIVED, handler_org=handler or station, department=department,
                    deadline=deadline_for(category, day), first_deadline=deadline_for(category, day),
                    state_changed_at=timezone.now(), visit_ref=visit_ref,
                )
                audit.record("opinions.submit", opinion, org_id=station.pk,
                             after=audit.snapshot(opinion, OPINION_FIELDS))
                if handler is not None:
                    # No note: the page says "routed by its category" for an assignment made by nobody at intake.
                    _route(opinion, AssignmentKind.ASSIGN, handler, department, day, "", by_category=True)
                break
        except IntegrityError:  # two submissions took the same number (or, once in 10^15, the same code)
            continue
    else:  # pragma: no cover - five collisions in a row
        raise RuleError(_("the station is busy; try again"))
    return opinion


def add_attachment(opinion: Opinion, *, file: Any, caption: str = "", public: bool = False) -> OpinionAttachment:
    """Attach a photo (JPEG, PNG, GIF, WebP) or a PDF, checked by `core.files.check_attachment`; at most
    `MAX_ATTACHMENTS` per opinion. The public form (`public=True`) attaches to the opinion it has just created,
    at most `MAX_PUBLIC_ATTACHMENTS` of at most 5 MB."""
    if not public and not _entered_it(opinion):
        require_handle(opinion)
    name, size = check_attachment(file, max_bytes=MAX_PUBLIC_ATTACHMENT_BYTES if public else MAX_ATTACHMENT_BYTES)
    ext = name.rsplit(".", 1)[-1].lower()
    with transaction.atomic():
        opinion = _lock(opinion)
        count = opinion.attachments.count()
        if count >= (MAX_PUBLIC_ATTACHMENTS if public else MAX_ATTACHMENTS):
            raise RuleError(_("no more attachments can be added to this opinion"), field="file")
        att = OpinionAttachment(opinion=opinion, caption=caption.strip()[:200])
        # Never the sender's file name: it may carry a name or a phone number.
        att.file.save(f"opinion-{opinion.pk}-{count + 1}.{ext}", file, save=True)
        audit.record("opinions.attach", opinion, org_id=opinion.station_id,
                     extra={"file": att.file.name, "size": size})
    return att


# --- routing ------------------------------------------------------------------------------------------------
def _lock(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().get(pk=opinion.pk)


def _change(opinion: Opinion, to_state: str, on: dt.date, **reply: Any) -> OpinionChange:
    return OpinionChange.objects.create(opinion=opinion, from_state=opinion.state, to_state=to_state, on=on,
                                        written_by=_user(), published_at=timezone.now(), **reply)


def _route(opinion: Opinion, kind: str, to_org: Organization, department: Department | None, on: dt.date,
           note: str, *, by_category: bool = False) -> Assignment:
    before = audit.snapshot(opinion, OPINION_FIELDS)
    assignment = Assignment.objects.create(opinion=opinion, kind=kind, to_org=to_org, to_department=department,
                                           on=on, note=note[:300], by=None if by_category else _user(),
                                           by_category=by_category)
    opinion.handler_org = to_org
    opinion.department = department
    if opinion.state in (State.RECEIVED, State.REOPENED):
        _change(opinion, State.ASSIGNED, on, background=note)
        opinion.state = State.ASSIGNED
    opinion.state_changed_at = timezone.now()
    opinion.save()
    audit.record(f"opinions.{kind}", opinion, org_id=opinion.station_id, before=before,
                 after=audit.snapshot(opinion, OPINION_FIELDS), extra={"note": note})
    return assignment


def _check_route_day(opinion: Opinion, on: dt.date | None) -> dt.date:
    day = on or _today()
    if day > _today():
        raise RuleError(_("the date is in the future"), field="on")
    if day < opinion.received_on:
        raise RuleError(_("the date is before the opinion was received"), field="on")
    return day


def _check_target(opinion: Opinion, to_org: Organization, department: Department | None) -> None:
    if department is not None:
        if department.org_id != opinion.station_id:
            raise RuleError(_("the department belongs to another station"), field="department")
        if to_org.pk != opinion.station_id:
            raise RuleError(_("a department handles opinions for its own station"), field="department")
        if not department.active:
            raise RuleError(_("the department %(name)s is inactive") % {"name": department.name},
                            field="department")
    elif not (to_org.path.startswith(opinion.station.path) or opinion.station.path.startswith(to_org.path)):
        raise RuleError(_("%(org)s is neither under the station nor above it") % {"org": to_org}, field="to_org")
    if not to_org.is_active:
        raise RuleError(_("%(org)s has been revoked") % {"org": to_org}, field="to_org")


def assign(opinion: Opinion, *, to_org: Organization, department: Department | None = None,
           on: dt.date | None = None, note: str = "") -> Assignment:
    """Route an opinion to an organization (or a department of the station); a second time is a reassignment."""
    with transaction.atomic():
        opinion = _lock(opinion)
        if not can_handle(opinion):
            raise PermissionDeniedError(_("you may not route opinion %(number)s") % {"number": opinion.number})
        if opinion.state not in ROUTABLE:
            raise RuleError(_("a closed opinion cannot be routed; reopen it first"), field="state")
        day = _check_route_day(opinion, on)
        _check_target(opinion, to_org, department)
        scope = current_scope()
        if not scope.can_write_org(opinion.station) and (department is not None or not scope.can_write_org(to_org)):
            # A handler below the station passes it within their own part of the tree, or escalates it.
            raise PermissionDeniedError(_("you may hand it only within %(org)s, or to the level above") % {
                "org": opinion.handler_org}, field="to_org")
        if opinion.handler_org_id == to_org.pk and opinion.department_id == getattr(department, "pk", None) \
                and opinion.state not in (State.RECEIVED, State.REOPENED):
            raise RuleError(_("it is already there"), field="to_org")
        kind = AssignmentKind.REASSIGN if opinion.assignments.exists() else AssignmentKind.ASSIGN
        return _route(opinion, kind, to_org, department, day, note)


def escalate(opinion: Opinion, *, on: dt.date | None = None, note: str) -> Assignment:
    """Hand the opinion to the organization above its current handler."""
    with transaction.atomic():
        opinion = _lock(opinion)
        require_handle(opinion)
        if opinion.state not in ROUTABLE:
            raise RuleError(_("a closed opinion cannot be routed; reopen it first"), field="state")
        if not note.strip():
            raise RuleError(_("say why it goes to the level above"), field="note")
        day = _check_route_day(opinion, on)
        if opinion.department_id is not None:
            above: Organization | None = opinion.handler_org  # from a department to its station's leadership
        else:
            above = opinion.handler_org.get_parent()
        if above is None:
            raise RuleError(_("there is no level above %(org)s") % {"org": opinion.handler_org}, field="to_org")
        return _route(opinion, AssignmentKind.ESCALATE, above, None, day, note)


# --- replies and states -------------------------------------------------------------------------------------
def _check_move(opinion: Opinion, to_state: str) -> None:
    if to_state not in State.values:
        raise RuleError(_("unknown state"), field="to_state")
    if to_state == State.ASSIGNED:
        raise RuleError(_("an opinion is assigned by routing it, not by a reply"), field="to_state")
    if to_state not in MOVES[opinion.state]:
        raise RuleError(_("an opinion that is %(from)s cannot become %(to)s") % {
            "from": State(opinion.state).label, "to": State(to_state).label}, field="to_state")


def _check_reply(opinion: Opinion, to_state: str, reply: dict[str, Any]) -> None:
    for name in REQUIRED.get(to_state, ()):
        value = reply.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            label = str(getattr(OpinionChange._meta.get_field(name), "verbose_name", name))
            raise RuleError(_("a reply that makes it %(state)s needs: %(part)s") % {
                "state": State(to_state).label, "part": label}, field=name)
    dup = reply.get("duplicate_of")
    if dup is not None:
        if dup.pk == opinion.pk:
            raise RuleError(_("an opinion cannot duplicate itself"), field="duplicate_of")
        if dup.station_id != opinion.station_id:
            raise RuleError(_("the other opinion belongs to another station"), field="duplicate_of")
        if dup.state == State.DUPLICATE:
            raise RuleError(_("%(number)s is itself a duplicate; name the original") % {"number": dup.number},
                            field="duplicate_of")


def _reply_values(reply: dict[str, Any]) -> dict[str, Any]:
    unknown = set(reply) - set(REPLY_FIELDS) - {"duplicate_of"}
    if unknown:
        raise RuleError(_("unknown part of a reply: %(name)s") % {"name": ", ".join(sorted(unknown))})
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in reply.items()}
    return {k: v for k, v in out.items() if v is not None}


def draft_reply(opinion: Opinion, *, to_state: str, on: dt.date | None = None, **reply: Any) -> OpinionChange:
    """A written reply not yet published: checked now for the move, and again when published."""
    with transaction.atomic():
        opinion = _lock(opinion)
        require_handle(opinion)
        _check_move(opinion, to_state)
        values = _reply_values(reply)
        day = _check_route_day(opinion, on)
        change = OpinionChange.objects.create(opinion=opinion, from_state=opinion.state, to_state=to_state, on=day,
                                              written_by=_user(), **values)
        audit.record("opinions.draft_reply", opinion, org_id=opinion.station_id,
                     extra={"to_state": to_state, "change": change.pk})
    return change


def update_draft(change: OpinionChange, *, to_state: str | None = None, on: dt.date | None = None,
                 **reply: Any) -> OpinionChange:
    with transaction.atomic():
        change = OpinionChange.objects.select_for_update().select_related("opinion").get(pk=change.pk)
        require_handle(change.opinion)
        if not change.is_draft:
            raise RuleError(_("a published reply cannot be changed; write a new one"))
        if to_state is not None:
            _check_move(change.opinion, to_state)
            change.to_state = to_state
        if on is not None:
            change.on = _check_route_day(change.opinion, on)
        for name, value in _reply_values(reply).items():
            setattr(change, name, value)
        change.save()
        audit.record("opinions.update_draft", change.opinion, org_id=change.opinion.station_id,
                     extra={"change": change.pk})
    return change


def discard_draft(change: OpinionChange) -> None:
    with transaction.atomic():
        change = OpinionChange.objects.select_for_update().select_related("opinion").get(pk=change.pk)
        require_handle(change.opinion)
        if not change.is_draft:
            raise RuleError(_("a published reply cannot be discarded"))
        audit.record("opinions.discard_draft", change.opinion, org_id=change.opinion.station_id,
                     extra={"change": change.pk})
        change.delete()


def _apply(opinion: Opinion, change: OpinionChange) -> None:
    """Move the (locked) opinion to the change's state; the change is published now."""
    before = audit.snapshot(opinion, OPINION_FIELDS)
    change.from_state = opinion.state
    change.published_at = timezone.now()
    change.save()
    opinion.state = change.to_state
    opinion.state_changed_at = change.published_at
    if change.to_state in CLOSED:
        opinion.closed_on = change.on
        opinion.duplicate_of = change.duplicate_of if change.to_state == State.DUPLICATE else None
    else:
        opinion.closed_on = None
        opinion.duplicate_of = None
        if change.to_state == State.REOPENED:
            opinion.deadline = change.deadline = deadline_for(opinion.category, change.on)
            change.save(update_fields=["deadline"])
    opinion.save()
    audit.record(f"opinions.to_{change.to_state}", opinion, org_id=opinion.station_id, before=before,
                 after=audit.snapshot(opinion, OPINION_FIELDS), extra={"change": change.pk})


def publish_reply(change: OpinionChange) -> OpinionChange:
    """Publish a drafted reply: the opinion moves to its state, if that move is (still) allowed."""
    with transaction.atomic():
        change = OpinionChange.objects.select_for_update().get(pk=change.pk)
        opinion = _lock(change.opinion)
        require_handle(opinion)
        if not change.is_draft:
            raise RuleError(_("this reply is already published"))
        _check_move(opinion, change.to_state)
        values = {name: getattr(change, name) for name in (*REPLY_FIELDS, "duplicate_of")}
        _check_reply(opinion, change.to_state, values)
        if change.on < opinion.received_on or change.on > _today():
            raise RuleError(_("the date must be between the day received and today"), field="on")
        last = opinion.changes.filter(published_at__isnull=False).order_by("-on", "-id").first()
        if last is not None and change.on < last.on:
            raise RuleError(_("the date is before the last change (%(day)s)") % {"day": last.on}, field="on")
        _apply(opinion, change)
    return change


def reply(opinion: Opinion, *, to_state: str, on: dt.date | None = None, **reply: Any) -> OpinionChange:
    """Write and publish a reply in one step."""
    with transaction.atomic():
        change = draft_reply(opinion, to_state=to_state, on=on, **reply)
        return publish_reply(change)


def set_published(opinion: Opinion, published: bool) -> Opinion:
    """Whether the public may see the opinion (its text without contacts, and its published replies)."""
    with transaction.atomic():
        opinion = _lock(opinion)
        require_handle(opinion)
        if opinion.published != published:
            opinion.published = published
            opinion.save(update_fields=["published"])
            audit.record("opinions.publish" if published else "opinions.unpublish", opinion,
                         org_id=opinion.station_id)
    return opinion


def reveal_contact(opinion: Opinion, *, field: str) -> str:
    """The submitter's full phone or email, for the handling roles; every reveal is logged."""
    if field not in ("submitter_phone", "submitter_email"):
        raise RuleError(_("only the phone and the email can be revealed"), field="field")
    require_handle(opinion)
    audit.record(f"opinions.reveal_{field}", opinion, org_id=opinion.station_id)
    return str(getattr(opinion, field))


# --- rating -------------------------------------------------------------------------------------------------
def find_by_code(code: str) -> Opinion | None:
    code = normalize_tracking_code(code)
    if len(code) != TRACKING_LENGTH or any(c not in TRACKING_ALPHABET for c in code):
        return None
    return Opinion.objects.filter(tracking_code=code).select_related("category", "handler_org", "station").first()


def rateable_change(opinion: Opinion) -> OpinionChange | None:
    """The published reply that can be rated now: the one that completed the opinion, if it is completed."""
    if opinion.state not in COMPLETED:
        return None
    return (opinion.changes.filter(published_at__isnull=False, to_state=opinion.state)
            .order_by("-on", "-id").first())


def rate(code: str, score: int, *, comment: str = "", on: dt.date | None = None) -> OpinionRating:
    """The submitter's rating by tracking code; no account. A low rating reopens the opinion."""
    nothing = RuleError(_("no opinion with this code can be rated now"), field="code")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise RuleError(_("rate from 1 to 5"), field="score")
    found = find_by_code(code)
    if found is None:
        raise nothing
    day = on or _today()
    with transaction.atomic():
        opinion = _lock(found)
        change = rateable_change(opinion)
        if change is None:
            raise nothing
        if day < change.on or day > _today():
            raise RuleError(_("the date must be between the reply and today"), field="on")
        rating, _created = OpinionRating.objects.update_or_create(
            change=change, defaults={"opinion": opinion, "score": score, "on": day, "comment": comment.strip()[:300]})
        audit.record("opinions.rate", opinion, org_id=opinion.station_id, extra={"score": score})
        rule = in_force("opinions.rating", day)
        if score <= int(rule["reopen_at_or_below"]):
            # The reason is the score only (language-neutral; the page words it): the rater's comment stays in
            # OpinionRating, never in a change the public may see.
            reopen = OpinionChange.objects.create(
                opinion=opinion, from_state=opinion.state, to_state=State.REOPENED, on=day, by_rating=True,
                reason=f"{score}/5")
            _apply(opinion, reopen)
    return rating


# --- history carried over (a register begun elsewhere: outcomes and ratings as of their dates) -------------------
# The outcome a register may carry over, and the part of the written reply its text goes to.
CARRIED_STATES = (State.IN_PROGRESS, State.SOLVED, State.EXPLAINED, State.CANNOT_SOLVE)
_CARRIED_TEXT_FIELD: dict[str, str] = {State.IN_PROGRESS: "measures", State.SOLVED: "solution", State.EXPLAINED: "solution",
                       State.CANNOT_SOLVE: "reason"}


def as_of_moment(day: dt.date) -> dt.datetime:
    """The moment a back-dated step is published at: the start of its day, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _last_published(opinion: Opinion) -> OpinionChange | None:
    return opinion.changes.filter(published_at__isnull=False).order_by("-on", "-id").first()


def record_past_outcome(opinion: Opinion, *, to_state: str, on: dt.date, reply_text: str = "",
                        handler_name: str = "", handler_contact: str = "") -> OpinionChange:
    """A reply given before the station used this system, carried over from its register as of its date `on`.

    The opinion's history shows the reply on `on` and its publication then (not today). An opinion that was
    never routed is first assigned, as of the day received, to the organization already handling it (the
    station when its category sorts by hand). The reply's text goes to the part of the written reply its state
    uses (how it was solved; the reason it cannot be solved for now; the measures while in progress); it is
    required for a closing reply. The date is on or after the day received and the last change, and not in the
    future. Audited as `opinions.carry_over_reply`, with the date."""
    if to_state not in CARRIED_STATES:
        raise RuleError(_("a carried-over outcome is being solved, solved, explained or cannot be solved for now"),
                        field="to_state")
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise RuleError(_("a date is required"), field="on")
    text = (reply_text or "").strip()
    if to_state in COMPLETED and not text:
        raise RuleError(_("a reply that makes it %(state)s needs its text") % {"state": State(to_state).label},
                        field="reply_text")
    if len(text) > MAX_TEXT:
        raise RuleError(_("at most %(n)s characters") % {"n": MAX_TEXT}, field="reply_text")
    with transaction.atomic():
        opinion = _lock(opinion)
        require_handle(opinion)
        if on < opinion.received_on:
            raise RuleError(_("the reply date %(day)s is before the day received (%(received)s)")
                            % {"day": on, "received": opinion.received_on}, field="on")
        if on > _today():
            raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="on")
        if opinion.state in (State.RECEIVED, State.REOPENED):
            # Never routed (or reopened): its handler took it on, as of the day it came (or was reopened).
            last = _last_published(opinion)
            day = opinion.received_on if last is None else max(last.on, opinion.received_on)
            if day > on:
                day = on
            kind = AssignmentKind.REASSIGN if opinion.assignments.exists() else AssignmentKind.ASSIGN
            _route(opinion, kind, opinion.handler_org, opinion.department, day, "")
            routed = opinion.changes.filter(to_state=State.ASSIGNED).order_by("-id").first()
            if routed is not None:
                OpinionChange.objects.filter(pk=routed.pk).update(published_at=as_of_moment(day))
        _check_move(opinion, to_state)
        last = _last_published(opinion)
        if last is not None and on < last.on:
            raise RuleError(_("the date is before the last change (%(day)s)") % {"day": last.on}, field="on")
        change = OpinionChange.objects.create(
            opinion=opinion, from_state=opinion.state, to_state=to_state, on=on, written_by=_user(),
            handler_name=handler_name.strip()[:50], handler_contact=handler_contact.strip()[:50],
            **{_CARRIED_TEXT_FIELD[to_state]: text})
        _apply(opinion, change)
        moment = as_of_moment(on)
        OpinionChange.objects.filter(pk=change.pk).update(published_at=moment)
        Opinion.objects.filter(pk=opinion.pk).update(state_changed_at=moment)
        change.published_at = moment
        audit.record("opinions.carry_over_reply", opinion, org_id=opinion.station_id,
                     extra={"change": change.pk, "to_state": to_state, "on": on.isoformat()})
    return change


def record_rating(opinion: Opinion, *, score: int, on: dt.date, comment: str = "") -> OpinionRating:
    """A rating the submitter gave on paper, by phone or at an outlet, entered by the handling roles with its
    date: of the reply in force then (the one that completed the opinion), on or after that reply's date and
    not in the future, within the `opinions.rating` rule's scale. As with the submitter's own rating, a score at
    or below the rule's `reopen_at_or_below` reopens the opinion, as of the rating's date. Audited as
    `opinions.rate_entered`, with the score and the date."""
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise RuleError(_("a date is required"), field="rated_on")
    rule = in_force("opinions.rating", on)
    low, high = (int(x) for x in rule["scale"])
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise RuleError(_("rate from %(low)d to %(high)d") % {"low": low, "high": high}, field="score")
    with transaction.atomic():
        opinion = _lock(opinion)
        require_handle(opinion)
        change = rateable_change(opinion)
        if change is None:
            raise RuleError(_("only an opinion that is solved, explained or cannot be solved for now can be "
                              "rated"), field="score")
        if on < change.on:
            raise RuleError(_("the rating date %(day)s is before the reply (%(reply)s)")
                            % {"day": on, "reply": change.on}, field="rated_on")
        if on > _today():
            raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field="rated_on")
        existing = OpinionRating.objects.filter(change=change).first()
        before = {"score": existing.score, "on": existing.on.isoformat()} if existing else None
        rating, _created = OpinionRating.objects.update_or_create(
            change=change, defaults={"opinion": opinion, "score": score, "on": on, "comment": comment.strip()[:300]})
        audit.record("opinions.rate_entered", opinion, org_id=opinion.station_id, before=before,
                     after={"score": score, "on": on.isoformat()}, extra={"change": change.pk})
        if score <= int(rule["reopen_at_or_below"]):
            reopen = OpinionChange.objects.create(
                opinion=opinion, from_state=opinion.state, to_state=State.REOPENED, on=on, by_rating=True,
                reason=f"{score}/{high}")
            _apply(opinion, reopen)
            if on < _today():
                moment = as_of_moment(on)
                OpinionChange.objects.filter(pk=reopen.pk).update(published_at=moment)
                Opinion.objects.filter(pk=opinion.pk).update(state_changed_at=moment)
    return rating


def submit_past_opinion(station: Organization, *, received_on: dt.date, **values: Any) -> Opinion:
    """Take in an opinion received before today (a register carried over): `submit_opinion`, by a staff
    channel, its routing at intake published as of the day received rather than today."""
    if values.get("channel") in PUBLIC_CHANNELS:
        raise RuleError(_("a carried-over opinion comes by a staff channel"), field="channel")
    with transaction.atomic():
        opinion = submit_opinion(station, received_on=received_on, **values)
        if received_on < _today():
            moment = as_of_moment(received_on)
            opinion.changes.filter(published_at__isnull=False, on=received_on).update(published_at=moment)
            Opinion.objects.filter(pk=opinion.pk).update(state_changed_at=moment)
            opinion.state_changed_at = moment
    return opinion


def carry_over(opinion: Opinion, *, to_state: str | None = None, replied_on: dt.date | None = None,
               reply_text: str = "", handler_name: str = "", handler_contact: str = "", score: int | None = None,
               rated_on: dt.date | None = None) -> Opinion:
    """A register's outcome and rating of an opinion, as of their dates (`record_past_outcome`,
    `record_rating`), each step skipped when the opinion already has it (the same state on the same day; the
    same score on the same day): carrying the same register over twice writes nothing twice."""
    with transaction.atomic():
        if to_state is not None:
            if replied_on is None:
                raise RuleError(_("a date is required"), field="on")
            if not opinion.changes.filter(published_at__isnull=False, to_state=to_state, on=replied_on).exists():
                record_past_outcome(opinion, to_state=to_state, on=replied_on, reply_text=reply_text,
                                    handler_name=handler_name, handler_contact=handler_contact)
        if score is not None:
            if rated_on is None:
                raise RuleError(_("a date is required"), field="rated_on")
            if not OpinionRating.objects.filter(opinion=opinion, score=score, on=rated_on).exists():
                record_rating(opinion, score=score, on=rated_on)
        opinion.refresh_from_db()
    return opinion
