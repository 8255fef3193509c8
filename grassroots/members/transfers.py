"""Transfers of organizational relation: requested by the sending side, pending until the receiving side
accepts (or returns it), cancellable by the sender until then.

Every decision locks the `Transfer` row and refuses unless it is still pending, so an accept and a cancel
that race cannot both succeed; the accept moves the member with one dated event, so the member is in the
sending organization until the day before and in the receiving one from the accept date: never in two
places, nor in none. A transfer to an organization outside the platform is "accepted" when the sending side
confirms that the receiving organization got the introduction letter (the member then leaves the roster).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_member, require_write_org
from grassroots.core import audit
from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization

from . import services
from .models import EventKind, Member, MemberEvent, Standing, Transfer, TransferState

TRANSFER_FIELDS = ("member", "from_org", "to_org", "to_outside", "requested_on", "state", "decided_on", "reason",
                   "letter_number")


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: str | None, field: str, max_length: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RuleError(_("this is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("at most %(n)s characters") % {"n": max_length}, field=field)
    return text


def _check_day(on: dt.date | None, field: str = "on") -> dt.date:
    if on is None:
        raise RuleError(_("a date is required"), field=field)
    if on > _today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": on}, field=field)
    return on


def _last_event(member: Member) -> MemberEvent | None:
    return member.events.order_by("-date", "-id").first()


def _receiver(transfer: Transfer) -> Organization | None:
    return transfer.to_org


def _record(action: str, transfer: Transfer, before: dict[str, Any] | None, *, org_id: int | None) -> None:
    audit.record(action, transfer, before=before, after=audit.snapshot(transfer, TRANSFER_FIELDS), org_id=org_id,
                 extra={"member": transfer.member_id, "from_org": transfer.from_org_id, "to_org": transfer.to_org_id})


def receiving_org(code: str) -> Organization | None:
    """The organization a transfer may name by code: any active one in the platform, inside the sender's scope
    or not (a member may move to another street or county). The request checks its kind again."""
    return Organization.objects.filter(code=(code or "").strip(), revoked_on__isnull=True).first()


@transaction.atomic
def transfer_request(member: Member, *, to_org: Organization | None = None, to_outside: str = "",
                     on: dt.date, reason: str = "", letter_number: str = "") -> Transfer:
    """Ask for a member to move to `to_org` (in the platform) or to `to_outside` (an organization outside it).
    The sending side (a writer of the member) asks; nothing moves until the receiving side accepts."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_write_member(member)
    if member.org_id is None or member.standing != Standing.ACTIVE:
        raise RuleError(_("%(name)s is not an active member (%(standing)s)")
                        % {"name": member.name, "standing": member.get_standing_display()}, field="member")
    to_outside = _text(to_outside, "to_outside", 200)
    if (to_org is None) == (not to_outside):
        raise RuleError(_("name either an organization in the platform or one outside it (exactly one)"),
                        field="to_org")
    _check_day(on)
    last = _last_event(member)
    if last is not None and on < last.date:
        raise RuleError(_("%(name)s has an event dated %(last)s; a transfer cannot be dated before it (%(date)s)")
                        % {"name": member.name, "last": last.date, "date": on}, field="on")
    if to_org is not None:
        if to_org.pk == member.org_id:
            raise RuleError(_("%(name)s already belongs to %(org)s") % {"name": member.name, "org": to_org},
                            field="to_org")
        services._check_member_org(to_org, field="to_org", on=on)
    reason = _text(reason, "reason", 300)
    letter_number = _text(letter_number, "letter_number", 60)
    if Transfer.objects.filter(member=member, state=TransferState.PENDING).exists():
        raise RuleError(_("%(name)s already has a pending transfer") % {"name": member.name}, field="member")
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member, from_org_id=member.org_id, to_org=to_org, to_outside=to_outside, requested_on=on,
                reason=reason, letter_number=letter_number,
            )
    except IntegrityError as exc:  # a request that raced this one (the partial unique constraint)
        raise RuleError(_("%(name)s already has a pending transfer") % {"name": member.name},
                        field="member") from exc
    _record("transfer.request", transfer, None, org_id=transfer.from_org_id)
    return transfer


def _lock_pending(transfer: Transfer) -> Transfer:
    """The transfer, locked for the rest of the transaction; RuleError unless it is still pending."""
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.state != TransferState.PENDING:
        raise RuleError(_("this transfer is no longer pending (%(state)s on %(date)s)")
                        % {"state": locked.get_state_display(), "date": locked.decided_on}, field="state")
    return locked


def _check_decision_day(transfer: Transfer, on: dt.date | None) -> dt.date:
    on = _check_day(on)
    if on < transfer.requested_on:
        raise RuleError(_("the decision (%(date)s) cannot come before the request (%(requested)s)")
                        % {"date": on, "requested": transfer.requested_on}, field="on")
    return on


def _decide(transfer: Transfer, state: str, on: dt.date, reason: str | None = None) -> dict[str, Any]:
    before = audit.snapshot(transfer, TRANSFER_FIELDS)
    transfer.state = state
    transfer.decided_on = on
    fields = ["state", "decided_on"]
    if reason is not None:
        transfer.reason = reason
        fields.append("reason")
    transfer.save(update_fields=fields)
    return before


@transaction.atomic
def transfer_accept(transfer: Transfer, *, on: dt.date) -> Transfer:
    """The receiving side accepts: the member moves to `to_org` on `on` (one `transferred` event). For an
    organization outside the platform, the sending side confirms the letter was received (`transferred_out`)."""
    transfer = _lock_pending(transfer)
    receiver = _receiver(transfer)
    require_write_org(receiver if receiver is not None else transfer.from_org)
    on = _check_decision_day(transfer, on)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if member.org_id != transfer.from_org_id:
        raise RuleError(_("%(name)s no longer belongs to %(org)s; cancel this transfer")
                        % {"name": member.name, "org": transfer.from_org}, field="member")
    member_before = services._snapshot(member)
    details: dict[str, Any] = {"transfer": transfer.pk}
    if receiver is not None:
        services._check_member_org(receiver, field="to_org", on=on)
        kind = EventKind.TRANSFERRED
        # The receiving side may not write the member yet, so the event is added here rather than through
        # member_record_event (which asks for write access to the member): the permission is the transfer's.
        services._add_event(member, kind, on, org=receiver, details=details, note=transfer.letter_number)
    else:
        kind = EventKind.TRANSFERRED_OUT
        details["to_outside"] = transfer.to_outside
        services._add_event(member, kind, on, details=details, note=transfer.letter_number)
    member.refresh_from_db()
    audit.record(f"member.{kind}", member, before=member_before, after=services._snapshot(member),
                 org_id=receiver.pk if receiver is not None else transfer.from_org_id,
                 extra={"date": on, **details})
    before = _decide(transfer, TransferState.ACCEPTED, on)
    _record("transfer.accept", transfer, before, org_id=receiver.pk if receiver else transfer.from_org_id)
    return transfer


@transaction.atomic
def transfer_return(transfer: Transfer, *, on: dt.date, reason: str) -> Transfer:
    """The receiving side sends the transfer back (with a reason); the member stays where they were. For an
    organization outside the platform, the sending side records that it was sent back."""
    transfer = _lock_pending(transfer)
    receiver = _receiver(transfer)
    require_write_org(receiver if receiver is not None else transfer.from_org)
    on = _check_decision_day(transfer, on)
    reason = _text(reason, "reason", 300, required=True)
    before = _decide(transfer, TransferState.REJECTED, on, reason)
    _record("transfer.return", transfer, before, org_id=receiver.pk if receiver else transfer.from_org_id)
    return transfer


@transaction.atomic
def transfer_cancel(transfer: Transfer, *, on: dt.date) -> Transfer:
    """The sending side withdraws its request; the member stays where they were."""
    transfer = _lock_pending(transfer)
    require_write_org(transfer.from_org)
    on = _check_decision_day(transfer, on)
    before = _decide(transfer, TransferState.CANCELLED, on)
    _record("transfer.cancel", transfer, before, org_id=transfer.from_org_id)
    return transfer


PERSON_KEYS = ("name", "sex", "birth_date", "id_number", "education", "occupation", "joined_on", "status",
               "converted_on", "ethnicity", "phone")


@transaction.atomic
def transfer_in(member_or_person_data: Member | dict[str, Any], *, org: Organization, on: dt.date,
                from_outside: str) -> Member:
    """A member arrives from an organization outside the platform. A member record that transferred out earlier
    comes back with a `transferred_in` event; a new person is created with the dates from their file
    (`member_create`), and the joining event notes where they came from."""
    from_outside = _text(from_outside, "from_outside", 200, required=True)
    _check_day(on)
    if org is None:
        raise RuleError(_("an organization is required"), field="org")
    require_write_org(org)
    services._check_member_org(org, on=on)
    details = {"from_outside": from_outside}
    if isinstance(member_or_person_data, Member):
        member = Member.objects.select_for_update().get(pk=member_or_person_data.pk)
        if member.standing != Standing.TRANSFERRED_OUT:
            raise RuleError(_("%(name)s did not transfer out (%(standing)s)")
                            % {"name": member.name, "standing": member.get_standing_display()}, field="member")
        services.member_record_event(member, kind=EventKind.TRANSFERRED_IN, on=on, org=org, details=details,
                                     note=_("from %(org)s") % {"org": from_outside})
        member.refresh_from_db()
        return member
    data = dict(member_or_person_data)
    unknown = set(data) - set(PERSON_KEYS)
    if unknown:
        raise RuleError(_("unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    joined_on = data.get("joined_on")
    if joined_on is None:
        raise RuleError(_("the joining date from the member's file is required"), field="joined_on")
    if on < joined_on or (data.get("converted_on") and on < data["converted_on"]):
        raise RuleError(_("the transfer (%(date)s) cannot come before the dates in the member's file")
                        % {"date": on}, field="on")
    member = services.member_create(org=org, **data)
    note = _("transferred in from %(org)s on %(date)s") % {"org": from_outside, "date": on}
    MemberEvent.objects.filter(member=member, kind=EventKind.JOINED).update(note=note[:300])
    audit.record("member.transferred_in", member, org_id=org.pk, extra={"date": on, **details})
    return member
