"""Writes to assistance and the store. Each is one function, in a transaction, permission-checked, audited,
raising `RuleError` naming the field (nothing written) when the request breaks a rule.

Who may do what:
- a ledger entry (`assistance_record`, `assistance_correct`): whoever writes the household's place (the writers
  of the organizations that hold it, its grid workers) — `access.scope.require_write_place`; a correction keeps
  the entry's before and after in the audit log;
- a local kind: a writer of the organization, for its subtree;
- donations, distribution rounds, their lines and the receipt: a writer of the store's organization; a line's
  household must live in a place the organization (or its subtree) holds. A line takes stock: the item's row is
  locked, so two clerks cannot both give out the last one, and the stock never goes below zero. Each line is
  also the household's ledger entry (source: donations), written and removed with it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_place
from grassroots.core import audit
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.files import check_attachment
from grassroots.core.versions import check_version
from grassroots.households.models import Household, Person
from grassroots.households.services import holder_id
from grassroots.orgs.models import Organization

from . import selectors
from .models import (
    Assistance,
    DistributionLine,
    DistributionRound,
    Donation,
    Form,
    LocalKind,
    Source,
    StockItem,
)

ENTRY_FIELDS = ("household", "kind", "local_kind", "form", "amount", "goods", "quantity", "given_on", "source",
                "source_name", "persons_count", "note")
ROUND_FIELDS = ("title", "held_on", "kind", "local_kind", "signed", "signed_on", "note")
MAX_AMOUNT = Decimal("9999999999")


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


def _decimal(value: Any, field: str, *, required: bool = False, positive: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise RuleError(_("this field is required"), field=field)
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise RuleError(_("write a number"), field=field) from None
    if not number.is_finite() or number > MAX_AMOUNT:
        raise RuleError(_("write a number"), field=field)
    if number < 0 or (positive and number == 0):
        raise RuleError(_("the number must be more than zero"), field=field)
    if number != number.quantize(Decimal("0.01")):
        raise RuleError(_("at most two decimal places"), field=field)
    return number


def require_store_writer(org: Organization) -> None:
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not change the donations of %(org)s") % {"org": org.name})


def _kind(value: Any, *, household_or_org: Household | Organization, day: dt.date) -> tuple[str, LocalKind | None]:
    """(statutory code, None) or ("", local kind) for a kind's value (a code or `local-<pk>`)."""
    text = str(value or "").strip()
    if not text:
        raise RuleError(_("choose the kind of assistance"), field="kind")
    if text.startswith(selectors.LOCAL_PREFIX):
        pk = text[len(selectors.LOCAL_PREFIX):]
        local = LocalKind.objects.select_related("org").filter(pk=int(pk) if pk.isdigit() else 0,
                                                               active=True).first()
        if local is None:
            raise RuleError(_("unknown kind of assistance %(kind)s") % {"kind": text[:30]}, field="kind")
        if isinstance(household_or_org, Household):
            ok = selectors.in_places_of(household_or_org, local.org)
        else:
            ok = household_or_org.path.startswith(local.org.path)
        if not ok:
            raise RuleError(_("%(kind)s is a kind of %(org)s, not used here")
                            % {"kind": local.name, "org": local.org.name}, field="kind")
        return "", local
    if text not in selectors.statutory_codes(day):
        raise RuleError(_("unknown kind of assistance %(kind)s") % {"kind": text[:30]}, field="kind")
    return text, None


def _persons(household: Household, persons: Any) -> list[Person]:
    chosen = list(persons or [])
    ids = {getattr(p, "pk", p) for p in chosen}
    found = list(Person.objects.filter(household=household, pk__in=ids))
    if len(found) != len(ids):
        raise RuleError(_("choose persons of this household"), field="persons")
    return found


def _entry_values(household: Household, *, kind: Any, form: Any, amount: Any, goods: Any, quantity: Any,
                  given_on: Any, source: Any, source_name: Any, persons_count: Any, persons: Any,
                  note: Any) -> tuple[dict[str, Any], list[Person]]:
    day = _day(given_on, "given_on")
    if household.registered_on is not None and day < household.registered_on:
        raise RuleError(_("the household was registered on %(day)s") % {"day": household.registered_on.isoformat()},
                        field="given_on")
    if household.left_on is not None and day >= household.left_on:
        raise RuleError(_("the household left on %(day)s") % {"day": household.left_on.isoformat()},
                        field="given_on")
    code, local = _kind(kind, household_or_org=household, day=day)
    form = str(form or "")
    if form not in Form.values:
        raise RuleError(_("choose cash, goods or a service"), field="form")
    money = _decimal(amount, "amount")
    goods = _text(goods, "goods", 200)
    qty = _decimal(quantity, "quantity")
    if form == Form.CASH and money is None:
        raise RuleError(_("write the amount of cash"), field="amount")
    if form == Form.GOODS and not goods:
        raise RuleError(_("say what goods were given"), field="goods")
    if form != Form.GOODS and qty is not None:
        raise RuleError(_("a quantity is for goods"), field="quantity")
    source = str(source or "")
    if source not in Source.values:
        raise RuleError(_("choose where the help came from"), field="source")
    source_name = _text(source_name, "source_name", 100)
    if source in (Source.UNIT, Source.OTHER) and not source_name:
        raise RuleError(_("name the unit or the giver"), field="source_name")
    chosen = _persons(household, persons)
    if chosen:
        count = len(chosen)
    else:
        try:
            count = int(persons_count if persons_count not in (None, "") else 1)
        except (TypeError, ValueError):
            raise RuleError(_("write a whole number"), field="persons_count") from None
        if not 1 <= count <= 50:
            raise RuleError(_("between 1 and 50 persons"), field="persons_count")
    return ({"kind": code, "local_kind": local, "form": form, "amount": money, "goods": goods, "quantity": qty,
             "given_on": day, "source": source, "source_name": source_name, "persons_count": count,
             "note": _text(note, "note", 300)}, chosen)


def _snapshot(entry: Assistance) -> dict[str, Any]:
    return audit.snapshot(entry, ENTRY_FIELDS)


# --- the ledger --------------------------------------------------------------------------------------------

@transaction.atomic
def assistance_record(*, household: Household, kind: Any, form: Any, given_on: Any = None, source: Any,
                      amount: Any = None, goods: Any = "", quantity: Any = None, source_name: Any = "",
                      persons_count: Any = None, persons: Any = (), note: Any = "") -> Assistance:
    """One entry of the ledger: help given to a household."""
    household = Household.objects.select_related("territory").get(pk=household.pk)
    require_write_place(household.territory)
    values, chosen = _entry_values(household, kind=kind, form=form, amount=amount, goods=goods, quantity=quantity,
                                   given_on=given_on, source=source, source_name=source_name,
                                   persons_count=persons_count, persons=persons, note=note)
    entry = Assistance.objects.create(household=household, **values)
    if chosen:
        entry.persons.set(chosen)
    audit.record("assistance.record", entry, after=_snapshot(entry) | {"persons": sorted(p.pk for p in chosen)},
                 org_id=holder_id(household.territory, values["given_on"]))
    return entry


def _locked_entry(entry: Assistance, version: Any) -> Assistance:
    locked = Assistance.objects.select_for_update(of=("self",)).select_related("household__territory").get(
        pk=entry.pk)
    check_version(locked, version)
    return locked


@transaction.atomic
def assistance_correct(entry: Assistance, *, version: Any = None, **changes: Any) -> Assistance:
    """Correct an entry (a wrong amount, day, kind): the audit log keeps what it said before and after. An entry
    written by a distribution line is corrected on its round."""
    entry = _locked_entry(entry, version)
    require_write_place(entry.household.territory)
    if DistributionLine.objects.filter(assistance=entry).exists():
        raise RuleError(_("this entry comes from a distribution round: correct the round's list"), field="kind")
    persons_before = list(entry.persons.all())
    current: dict[str, Any] = {"kind": selectors.kind_value(entry), "form": entry.form, "amount": entry.amount,
               "goods": entry.goods, "quantity": entry.quantity, "given_on": entry.given_on, "source": entry.source,
               "source_name": entry.source_name, "persons_count": entry.persons_count,
               "persons": persons_before, "note": entry.note}
    unknown = set(changes) - set(current)
    if unknown:
        raise RuleError(_("unknown field %(f)s") % {"f": sorted(unknown)[0]}, field=sorted(unknown)[0])
    values, chosen = _entry_values(entry.household, **(current | changes))
    before = _snapshot(entry) | {"persons": sorted(p.pk for p in persons_before)}
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    entry.persons.set(chosen)
    entry.refresh_from_db()
    after = _snapshot(entry) | {"persons": sorted(p.pk for p in chosen)}
    audit.record("assistance.correct", entry, **audit.diff(before, after),
                 org_id=holder_id(entry.household.territory, entry.given_on))
    return entry


# --- local kinds ---------------------------------------------------------------------------------------------

@transaction.atomic
def kind_add(org: Organization, *, name: Any) -> LocalKind:
    """A kind of help of `org`, for its subtree (节日慰问, 结对帮扶, ...)."""
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not add kinds of assistance to %(org)s") % {"org": org.name})
    name = _text(name, "name", 50, required=True)
    if name in {n for _c, n in selectors.statutory_kinds()} or LocalKind.objects.filter(
            org__path__in=[org.path[:i] for i in range(Organization.steplen, len(org.path) + 1,
                                                       Organization.steplen)], name=name).exists():
        raise RuleError(_("there is already a kind called %(name)s") % {"name": name}, field="name")
    kind = LocalKind.objects.create(org=org, name=name)
    audit.record("assistance.kind_add", kind, after={"name": name}, org_id=org.pk)
    return kind


# --- donations ---------------------------------------------------------------------------------------------

def _item(org: Organization, name: Any, unit: Any) -> StockItem:
    name = _text(name, "item", 60, required=True)
    unit = _text(unit, "unit", 10)
    item, made = StockItem.objects.get_or_create(org=org, name=name, defaults={"unit": unit})
    if not made and unit and item.unit and unit != item.unit:
        raise RuleError(_("%(item)s is counted in %(unit)s") % {"item": name, "unit": item.unit}, field="unit")
    if made:
        audit.record("assistance.item_add", item, after={"name": name, "unit": unit}, org_id=org.pk)
    return item


@transaction.atomic
def donation_receive(org: Organization, *, donor: Any, received_on: Any = None, item: Any = "", unit: Any = "",
                     quantity: Any = None, value: Any = None, donor_is_unit: bool = False,
                     note: Any = "") -> Donation:
    """Something the store received: an item (with its quantity and, if known, its estimated value) or cash
    (no item; `value` is the amount)."""
    require_store_writer(org)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org.name}, field="org")
    donor = _text(donor, "donor", 100, required=True)
    day = _day(received_on, "received_on")
    money = _decimal(value, "value", positive=False) or Decimal("0")
    if str(item or "").strip():
        stock_item = _item(org, item, unit)
        qty = _decimal(quantity, "quantity", required=True)
    else:
        if quantity not in (None, ""):
            raise RuleError(_("name the item received"), field="item")
        if not money:
            raise RuleError(_("name the item received, or the amount of cash"), field="value")
        stock_item, qty = None, None
    donation = Donation.objects.create(org=org, donor=donor, donor_is_unit=bool(donor_is_unit), received_on=day,
                                       item=stock_item, quantity=qty, value=money, note=_text(note, "note", 300))
    audit.record("assistance.donation", donation, after={
        "donor": donor, "received_on": day.isoformat(), "item": stock_item.name if stock_item else "",
        "quantity": str(qty) if qty is not None else None, "value": str(money)}, org_id=org.pk)
    return donation


# --- distribution rounds -------------------------------------------------------------------------------------

@transaction.atomic
def round_create(org: Organization, *, title: Any, held_on: Any = None, kind: Any, note: Any = "") -> DistributionRound:
    """A distribution (a quarter's, or a day's): its list is added line by line."""
    require_store_writer(org)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org.name}, field="org")
    day = _day(held_on, "held_on")
    code, local = _kind(kind, household_or_org=org, day=day)
    rnd = DistributionRound.objects.create(org=org, title=_text(title, "title", 100, required=True), held_on=day,
                                           kind=code, local_kind=local, note=_text(note, "note", 300))
    audit.record("assistance.round_create", rnd, after=audit.snapshot(rnd, ROUND_FIELDS), org_id=org.pk)
    return rnd


def _locked_round(rnd: DistributionRound, version: Any = None) -> DistributionRound:
    locked = DistributionRound.objects.select_for_update(of=("self",)).select_related("org").get(pk=rnd.pk)
    check_version(locked, version)
    return locked


@transaction.atomic
def line_add(rnd: DistributionRound, *, household: Household, item: StockItem, quantity: Any,
             persons_count: Any = None) -> DistributionLine:
    """Give `quantity` of `item` to `household` in the round: refused beyond what the store holds (the item's row
    is locked first, so two clerks cannot both take the last one). The household's ledger gets the entry."""
    require_store_writer(rnd.org)
    rnd = _locked_round(rnd)
    if rnd.signed:
        raise RuleError(_("the round was signed for: its list is closed"), field="household")
    household = Household.objects.select_related("territory").get(pk=household.pk)
    if not selectors.in_places_of(household, rnd.org):
        raise RuleError(_("household %(code)s does not live in a place of %(org)s")
                        % {"code": household.code, "org": rnd.org.name}, field="household")
    if item.org_id != rnd.org_id:
        raise RuleError(_("%(item)s is not in the store of %(org)s") % {"item": item.name, "org": rnd.org.name},
                        field="item")
    qty = _decimal(quantity, "quantity", required=True)
    assert qty is not None
    item = StockItem.objects.select_for_update().get(pk=item.pk)  # the row lock: one clerk at a time per item
    left = selectors.available_from(item, rnd.held_on)
    if qty > left:
        raise RuleError(_("only %(n)s %(unit)s of %(item)s in stock") % {
            "n": max(left, Decimal(0)).normalize(), "unit": item.unit, "item": item.name}, field="quantity")
    entry = assistance_record(
        household=household, kind=selectors.kind_value(rnd), form=Form.GOODS, given_on=rnd.held_on,
        source=Source.DONATIONS, source_name=rnd.org.name, goods=item.name, quantity=qty,
        persons_count=persons_count, note=rnd.title)
    line = DistributionLine.objects.create(round=rnd, household=household, item=item, quantity=qty,
                                           assistance=entry)
    audit.record("assistance.line_add", line, after={"round": rnd.pk, "household": household.code,
                                                     "item": item.name, "quantity": str(qty)}, org_id=rnd.org_id)
    return line


@transaction.atomic
def line_remove(line: DistributionLine) -> None:
    """Take a line off a round's list before it is signed for (and its ledger entry with it)."""
    rnd = _locked_round(line.round)
    require_store_writer(rnd.org)
    if rnd.signed:
        raise RuleError(_("the round was signed for: its list is closed"), field="household")
    line = DistributionLine.objects.select_related("household", "item", "assistance").get(pk=line.pk)
    audit.record("assistance.line_remove", line, before={"round": rnd.pk, "household": line.household.code,
                                                         "item": line.item.name, "quantity": str(line.quantity)},
                 org_id=rnd.org_id)
    entry = line.assistance
    line.delete()
    entry.delete()


@transaction.atomic
def round_sign(rnd: DistributionRound, *, signed_on: Any = None, photo: Any = None,
               version: Any = None) -> DistributionRound:
    """The households signed the receipt: the round's list is closed. A photo of the signed sheet may be kept;
    the paper is enough."""
    require_store_writer(rnd.org)
    rnd = _locked_round(rnd, version)
    if rnd.signed:
        raise RuleError(_("the round was already signed for"), field="signed_on")
    if not rnd.lines.exists():
        raise RuleError(_("the round has no households on its list"), field="signed_on")
    day = _day(signed_on, "signed_on", not_before=rnd.held_on)
    before = audit.snapshot(rnd, ROUND_FIELDS)
    rnd.signed, rnd.signed_on = True, day
    if photo:
        try:
            name, _size = check_attachment(photo)
        except RuleError as exc:
            raise RuleError(exc.message, field="photo") from None
        rnd.photo.save(f"receipt-{rnd.pk}.{name.rsplit('.', 1)[-1].lower()}", photo, save=False)
    rnd.save()
    rnd.refresh_from_db()
    audit.record("assistance.round_sign", rnd, **audit.diff(before, audit.snapshot(rnd, ROUND_FIELDS)),
                 org_id=rnd.org_id)
    return rnd
