"""Writes to micro-wishes. Each change is one function, in a transaction, permission-checked, audited, raising
`RuleError` naming the field (nothing written) when the request breaks a rule.

Who may do what:
- taking a wish in: the public form (no account; only where the organization's intake is switched on) and its
  QR poster, a staff entry (a writer of the collecting organization), a visit (`wish_from_visit`, the same);
- publishing or declining it (with a reason): a writer of the collecting organization;
- claiming a published wish: a member for themselves (their organization is the collecting one or below it),
  a writer of that member for them (recorded as on the member's behalf), or a writer of the collecting
  organization for a member, an organization of the platform or a named outside unit. One claimant at a time:
  a second claim is refused until the first is released;
- releasing a claim or marking the wish fulfilled (a note; a photo optional, never required; the day): the
  claiming member, a writer of that member (on their behalf), or a writer of the collecting organization;
- confirming a fulfilled wish: the resident by the tracking code, or a writer of the collecting organization on
  their behalf.
The resident's name and phone never go into the audit log; revealing them is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import can_manage_org, current_scope
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.files import check_attachment
from grassroots.core.versions import check_version
from grassroots.members.models import Member
from grassroots.orgs.models import Organization, Territory

from .models import Action, Category, Channel, State, Wish, WishEvent, WishIntake
from .selectors import intake_open

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
TRACKING_LENGTH = 10
WISH_FIELDS = ("org", "number", "text", "category", "place", "collected_on", "channel", "state", "published_on",
               "declined_on", "decline_reason", "claimed_on", "claimant_member", "claimant_org", "claimant_unit",
               "fulfilled_on", "fulfil_note", "confirmed_on", "confirmed_by_resident")
REVEALABLE = ("resident_name", "resident_phone")


def today() -> dt.date:
    return timezone.localdate()


# --- checks ------------------------------------------------------------------------------------------------

def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("at most %(n)s characters") % {"n": max_length}, field=field)
    return text


def _day(value: Any, field: str, *, not_before: dt.date | None = None) -> dt.date:
    if value is None:
        return today()
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(_("enter a date"), field=field)
    if value > today():
        raise RuleError(_("the date cannot be in the future"), field=field)
    if not_before is not None and value < not_before:
        raise RuleError(_("the date cannot be before %(day)s") % {"day": not_before.isoformat()}, field=field)
    return value


def _phone(value: Any) -> str:
    phone = str(value or "").strip().replace(" ", "").replace("-", "")
    if phone and (not phone.lstrip("+").isdigit() or not 5 <= len(phone) <= 20):
        raise RuleError(_("write a phone number in digits"), field="resident_phone")
    return phone


def require_wish_writer(org: Organization) -> None:
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not change the wishes of %(org)s") % {"org": org.name})


def _state(wish: Wish, *allowed: str) -> None:
    if wish.state not in allowed:
        raise RuleError(_("wish %(number)s is %(state)s: this cannot be done now")
                        % {"number": wish.number, "state": wish.get_state_display()}, field="state")


def _locked(wish: Wish, version: Any) -> Wish:
    locked = Wish.objects.select_for_update(of=("self",)).select_related("org", "claimant_member", "claimant_org").get(
        pk=wish.pk)
    check_version(locked, version)
    return locked


def _actor_name() -> str:
    actor = current_actor()
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full or actor.username)


def _event(wish: Wish, action: str, on: dt.date, from_state: str, *, member: Member | None = None,
           on_behalf: bool = False, by_resident: bool = False, note: str = "") -> WishEvent:
    return WishEvent.objects.create(wish=wish, action=action, on=on, from_state=from_state, to_state=wish.state,
                                    by_name="" if by_resident else _actor_name(), member=member,
                                    claimant=wish.claimant_name if wish.state != State.PUBLISHED else "",
                                    on_behalf=on_behalf, by_resident=by_resident, note=note)


def _audit(action: str, wish: Wish, before: dict[str, Any] | None, **extra: Any) -> None:
    audit.record(f"wishes.{action}", wish, before=before, after=audit.snapshot(wish, WISH_FIELDS),
                 org_id=wish.org_id, extra=extra or None)


# --- the intake ----------------------------------------------------------------------------------------------

@transaction.atomic
def set_intake(org: Organization, *, enabled: bool, intro: str = "", version: Any = None) -> WishIntake:
    """Switch the public wish form of `org` on or off: an organizer of it (or above) decides."""
    if not can_manage_org(current_scope(), org):
        raise PermissionDeniedError(_("only an organizer of %(org)s may switch its wish intake") % {"org": org.name})
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org.name}, field="enabled")
    intro = _text(intro, "intro", 300)
    intake = WishIntake.objects.select_for_update().filter(org=org).first()
    if intake is not None:
        check_version(intake, version)
    before = audit.snapshot(intake, ("enabled", "intro")) if intake else None
    intake = intake or WishIntake(org=org)
    intake.enabled = bool(enabled)
    intake.intro = intro
    intake.save()
    audit.record("wishes.intake", intake, before=before, after=audit.snapshot(intake, ("enabled", "intro")),
                 org_id=org.pk)
    intake.refresh_from_db()
    return intake


# --- taking wishes in --------------------------------------------------------------------------------------

def _tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


def normalize_code(code: str) -> str:
    return "".join(c for c in str(code or "").upper() if c.isalnum())


def next_number(org: Organization, year: int) -> str:
    prefix = f"{org.code}-W{year}-"
    last = (Wish.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _create(org: Organization, *, channel: str, text: Any, category: Any, place: Any, resident_name: Any,
            resident_phone: Any, collected_on: dt.date, visit_ref: str = "", number: str = "") -> Wish:
    if channel not in Channel.values:
        raise RuleError(_("unknown channel %(c)s") % {"c": channel}, field="channel")
    category = str(category or Category.OTHER)
    if category not in Category.values:
        raise RuleError(_("unknown category %(c)s") % {"c": category}, field="category")
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org.name}, field="org")
    values = {"text": _text(text, "text", 1000, required=True), "place": _text(place, "place", 200),
              "resident_name": _text(resident_name, "resident_name", 50, required=True),
              "resident_phone": _phone(resident_phone)}
    for attempt in range(5):
        try:
            with transaction.atomic():
                wish = Wish.objects.create(
                    org=org, number=number or next_number(org, collected_on.year), tracking_code=_tracking_code(),
                    category=category, collected_on=collected_on, channel=channel, visit_ref=visit_ref, **values)
        except IntegrityError:
            if number or attempt == 4:
                raise RuleError(_("the number %(n)s is taken") % {"n": number or org.code}, field="number") from None
            continue
        break
    _event(wish, Action.COLLECTED, collected_on, "")
    _audit("collected", wish, None, channel=channel)
    return wish


@transaction.atomic
def submit_wish(org: Organization, *, text: Any, category: Any = "", place: Any = "", resident_name: Any,
                resident_phone: Any = "", via_qr: bool = False, sent_on: dt.date | None = None) -> Wish:
    """A wish sent from the public form (no account): only while the organization's intake is switched on.
    `sent_on` (another day than today) is for the system only: the demo town's history."""
    if not intake_open(org):
        raise RuleError(_("%(org)s takes no wishes online now") % {"org": org.name}, field="org")
    if sent_on is not None and not current_scope().unrestricted:
        raise PermissionDeniedError(_("a wish sent from the form is dated the day it is sent"))
    return _create(org, channel=Channel.QR if via_qr else Channel.PUBLIC, text=text, category=category, place=place,
                   resident_name=resident_name, resident_phone=resident_phone,
                   collected_on=_day(sent_on, "collected_on"))


@transaction.atomic
def record_wish(org: Organization, *, text: Any, resident_name: Any, resident_phone: Any = "", category: Any = "",
                place: Any = "", collected_on: dt.date | None = None, channel: str = Channel.STAFF,
                visit_ref: str = "", number: str = "") -> Wish:
    """A wish typed in by staff of the collecting organization (from a paper form, a phone call, a visit).
    `number`: the wish's number in a register being imported (blank: the next one)."""
    require_wish_writer(org)
    if channel not in (Channel.STAFF, Channel.VISIT):
        raise RuleError(_("a wish is entered by staff or from a visit"), field="channel")
    day = _day(collected_on, "collected_on")
    return _create(org, channel=channel, text=text, category=category, place=place, resident_name=resident_name,
                   resident_phone=resident_phone, collected_on=day, visit_ref=_text(visit_ref, "visit_ref", 100),
                   number=_text(number, "number", 40))


@transaction.atomic
def wish_from_visit(org: Organization, *, resident_name: str, text: str, visited_on: dt.date,
                    resident_phone: str = "", category: str = "", place: str = "", visit_ref: str = "",
                    territory: Territory | None = None) -> Wish:
    """A wish heard on a home visit (the visits module calls this): channel "visit", dated the visit's day,
    `visit_ref` naming the visit for the way back. With `territory` (the visited household's place), whoever may
    write that place (its grid worker) may record it too."""
    if territory is not None and not current_scope().can_write_org(org) and current_scope().can_write_place(territory):
        return _create(org, channel=Channel.VISIT, text=text, category=category, place=place,
                       resident_name=resident_name, resident_phone=resident_phone,
                       collected_on=_day(visited_on, "collected_on"), visit_ref=_text(visit_ref, "visit_ref", 100))
    return record_wish(org, text=text, resident_name=resident_name, resident_phone=resident_phone,
                       category=category, place=place, collected_on=visited_on, channel=Channel.VISIT,
                       visit_ref=visit_ref)


# --- review ----------------------------------------------------------------------------------------------

@transaction.atomic
def publish(wish: Wish, *, on: dt.date | None = None, version: Any = None) -> Wish:
    require_wish_writer(wish.org)
    wish = _locked(wish, version)
    _state(wish, State.COLLECTED)
    day = _day(on, "on", not_before=wish.collected_on)
    before = audit.snapshot(wish, WISH_FIELDS)
    wish.state, wish.published_on = State.PUBLISHED, day
    wish.save()
    _event(wish, Action.PUBLISHED, day, State.COLLECTED)
    _audit("published", wish, before)
    return wish


@transaction.atomic
def decline(wish: Wish, *, reason: str, on: dt.date | None = None, version: Any = None) -> Wish:
    require_wish_writer(wish.org)
    wish = _locked(wish, version)
    _state(wish, State.COLLECTED)
    reason = _text(reason, "reason", 300, required=True)
    day = _day(on, "on", not_before=wish.collected_on)
    before = audit.snapshot(wish, WISH_FIELDS)
    wish.state, wish.declined_on, wish.decline_reason = State.DECLINED, day, reason
    wish.save()
    _event(wish, Action.DECLINED, day, State.COLLECTED, note=reason)
    _audit("declined", wish, before)
    return wish


# --- claims ------------------------------------------------------------------------------------------------

def member_may_claim(member: Member, wish: Wish) -> bool:
    """A member may claim the wishes of their own organization and of those above it."""
    return (member.org is not None and member.standing == "active" and member.org.path.startswith(wish.org.path))


def _acting_for(member: Member) -> bool:
    """Who acts for `member`: False when it is the member themselves, True for a writer of the member (a
    secretary for an elderly member without a smartphone); anyone else is refused."""
    scope = current_scope()
    if scope.unrestricted:
        return False
    if member.pk in scope.own_member_ids:
        return False
    if scope.can_write_member(member):
        return True
    raise PermissionDeniedError(_("you may act only for yourself, not for %(name)s") % {"name": member.name})


@transaction.atomic
def claim(wish: Wish, *, member: Member | None = None, org: Organization | None = None, unit: str = "",
          on: dt.date | None = None, version: Any = None) -> Wish:
    """Claim a published wish for one member, one organization of the platform or one named outside unit."""
    unit = _text(unit, "unit", 100)
    if sum(1 for x in (member, org, unit) if x) != 1:
        raise RuleError(_("name one claimant: a member, an organization or an outside unit"), field="member")
    on_behalf = False
    if member is not None:
        on_behalf = _acting_for(member)
        if not member_may_claim(member, wish):
            raise RuleError(_("%(name)s is not a member of %(org)s or of an organization under it")
                            % {"name": member.name, "org": wish.org.name}, field="member")
    else:
        require_wish_writer(wish.org)
        if org is not None and org.revoked_on is not None:
            raise RuleError(_("%(org)s has been revoked") % {"org": org.name}, field="claimant_org")
    wish = _locked(wish, version)
    if wish.state == State.CLAIMED:
        raise RuleError(_("wish %(number)s is already claimed by %(name)s") % {
            "number": wish.number, "name": wish.claimant_name}, field="state")
    _state(wish, State.PUBLISHED)
    day = _day(on, "on", not_before=wish.published_on)
    before = audit.snapshot(wish, WISH_FIELDS)
    wish.state, wish.claimed_on = State.CLAIMED, day
    wish.claimant_member, wish.claimant_org, wish.claimant_unit = member, org, unit
    wish.save()
    _event(wish, Action.CLAIMED, day, State.PUBLISHED, member=member, on_behalf=on_behalf)
    _audit("claimed", wish, before, on_behalf=on_behalf)
    return wish


def _claimant_or_writer(wish: Wish) -> bool:
    """The claiming member acts for themselves (False); a writer of that member or of the collecting organization
    acts on their behalf (True); anyone else is refused."""
    scope = current_scope()
    member = wish.claimant_member
    if member is not None and member.pk in scope.own_member_ids:
        return False
    if scope.unrestricted:
        return False
    if scope.can_write_org(wish.org) or (member is not None and scope.can_write_member(member)):
        return member is not None
    raise PermissionDeniedError(_("only the claimant of wish %(number)s or the staff of %(org)s may do this")
                                % {"number": wish.number, "org": wish.org.name})


@transaction.atomic
def release(wish: Wish, *, on: dt.date | None = None, reason: str = "", version: Any = None) -> Wish:
    """Give a claim up: the wish is published again and another may claim it."""
    wish = _locked(wish, version)
    _state(wish, State.CLAIMED)
    on_behalf = _claimant_or_writer(wish)
    reason = _text(reason, "reason", 300)
    day = _day(on, "on", not_before=wish.claimed_on)
    before = audit.snapshot(wish, WISH_FIELDS)
    member = wish.claimant_member
    released = wish.claimant_name
    wish.state, wish.claimed_on = State.PUBLISHED, None
    wish.claimant_member, wish.claimant_org, wish.claimant_unit = None, None, ""
    wish.save()
    event = _event(wish, Action.RELEASED, day, State.CLAIMED, member=member, on_behalf=on_behalf, note=reason)
    event.claimant = released
    event.save(update_fields=["claimant"])
    _audit("released", wish, before, on_behalf=on_behalf)
    return wish


@transaction.atomic
def fulfil(wish: Wish, *, note: str, on: dt.date | None = None, photo: Any = None, version: Any = None) -> Wish:
    """The claimant fulfilled the wish (a note of what was done; a photo if they have one, never required)."""
    wish = _locked(wish, version)
    _state(wish, State.CLAIMED)
    on_behalf = _claimant_or_writer(wish)
    note = _text(note, "note", 500, required=True)
    day = _day(on, "on", not_before=wish.claimed_on)
    before = audit.snapshot(wish, WISH_FIELDS)
    wish.state, wish.fulfilled_on, wish.fulfil_note = State.FULFILLED, day, note
    if photo:
        try:
            name, _size = check_attachment(photo)
        except RuleError as exc:
            raise RuleError(exc.message, field="photo") from None
        ext = name.rsplit(".", 1)[-1].lower()
        if ext == "pdf":
            raise RuleError(_("a photo is a JPG, PNG, GIF or WebP image"), field="photo")
        wish.photo.save(f"wish-{wish.pk}.{ext}", photo, save=False)  # never the sender's file name
    wish.save()
    _event(wish, Action.FULFILLED, day, State.CLAIMED, member=wish.claimant_member, on_behalf=on_behalf, note=note)
    _audit("fulfilled", wish, before, on_behalf=on_behalf)
    return wish


def find_by_code(code: str) -> Wish | None:
    code = normalize_code(code)
    if len(code) != TRACKING_LENGTH or any(c not in TRACKING_ALPHABET for c in code):
        return None
    return (Wish.objects.filter(tracking_code=code)
            .select_related("org", "claimant_member", "claimant_org").first())


@transaction.atomic
def confirm_by_resident(code: str) -> Wish:
    """The resident confirms, by the tracking code, that the wish was fulfilled."""
    found = find_by_code(code)
    if found is None:
        raise RuleError(_("no wish with this code"), field="code")
    wish = _locked(found, None)
    _state(wish, State.FULFILLED)
    day = today()
    before = audit.snapshot(wish, WISH_FIELDS)
    wish.state, wish.confirmed_on, wish.confirmed_by_resident = State.CONFIRMED, day, True
    wish.save()
    _event(wish, Action.CONFIRMED, day, State.FULFILLED, by_resident=True)
    _audit("confirmed", wish, before, by_resident=True)
    return wish


@transaction.atomic
def confirm_for_resident(wish: Wish, *, on: dt.date | None = None, note: str = "", version: Any = None) -> Wish:
    """Staff confirm on the resident's behalf (a phone call, a visit)."""
    require_wish_writer(wish.org)
    wish = _locked(wish, version)
    _state(wish, State.FULFILLED)
    note = _text(note, "note", 500)
    day = _day(on, "on", not_before=wish.fulfilled_on)
    before = audit.snapshot(wish, WISH_FIELDS)
    wish.state, wish.confirmed_on, wish.confirmed_by_resident = State.CONFIRMED, day, False
    wish.save()
    _event(wish, Action.CONFIRMED, day, State.FULFILLED, on_behalf=True, note=note)
    _audit("confirmed", wish, before, by_resident=False)
    return wish


@transaction.atomic
def reveal_contact(wish: Wish, *, field: str) -> str:
    """The resident's full name or phone, for the staff of the collecting organization; every reveal is logged."""
    if field not in REVEALABLE:
        raise RuleError(_("only the resident's name and phone can be revealed"), field="field")
    require_wish_writer(wish.org)
    audit.record(f"wishes.reveal_{field}", wish, org_id=wish.org_id)
    return str(getattr(wish, field))
