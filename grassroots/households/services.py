"""Every write to households and persons: one named function each, in a transaction, permission-checked by place
(`access.scope.require_write_place`: the writers of the organizations that hold the place, and its grid workers),
audited under the organization that holds the place (`orgs.selectors.holder_of`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_place
from grassroots.core import audit, idnumber
from grassroots.core.errors import RuleError
from grassroots.orgs.models import Territory

from .models import Household, HouseholdPlace, Person, Relation

PLACE_KINDS = ("community", "village", "villager_group", "grid")


def holder_id(territory: Territory, day: dt.date | None = None) -> int | None:
    """The organization the audit files a household's entries under: the holder of its place on the day."""
    from grassroots.orgs.selectors import holder_of

    org = holder_of(territory, day or dt.date.today())
    return org.pk if org is not None else None


def _check_place(territory: Territory | None, field: str = "territory") -> Territory:
    if territory is None:
        raise RuleError(_("choose the place where the household lives"), field=field)
    if territory.kind not in PLACE_KINDS:
        raise RuleError(_("a household lives in a community, a village, a villager group or a grid, not in %(place)s")
                        % {"place": territory}, field=field)
    if territory.revoked_on is not None:
        raise RuleError(_("%(place)s was revoked on %(date)s") % {"place": territory, "date": territory.revoked_on},
                        field=field)
    require_write_place(territory)
    return territory


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("at most %(n)d characters") % {"n": max_length}, field=field)
    return text


def _next_code(territory: Territory) -> str:
    prefix = f"{territory.code}-H"
    taken = Household.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix):]) for c in taken if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def household_create(*, territory: Territory, head_name: str, registered_on: dt.date | None = None,
                     code: str = "", building: str = "", unit: str = "", flat: str = "", address: str = "",
                     phone: str = "", note: str = "", head: dict[str, Any] | None = None) -> Household:
    """A household at `territory` from `registered_on` (None: since before the records), with its head as its
    first person (`head`: the person's other fields: sex, birth_date, id_number, phone, member)."""
    _check_place(territory)
    code = _text(code, "code", max_length=40) or _next_code(territory)
    if Household.objects.filter(code=code).exists():
        raise RuleError(_("household number %(code)s is already taken") % {"code": code}, field="code")
    household = Household.objects.create(
        code=code, territory=territory, head_name=_text(head_name, "head_name", required=True, max_length=50),
        building=_text(building, "building", max_length=40), unit=_text(unit, "unit", max_length=20),
        flat=_text(flat, "flat", max_length=20), address=_text(address, "address"),
        phone=_text(phone, "phone", max_length=20), registered_on=registered_on, note=str(note or ""))
    HouseholdPlace.objects.create(household=household, territory=territory, path=territory.path,
                                  valid_from=registered_on)
    audit.record("household.create", household, after={"code": code, "place": territory.code,
                                                       "registered_on": _iso(registered_on)},
                 org_id=holder_id(territory, registered_on))
    person_add(household=household, name=household.head_name, relation=Relation.HEAD, joined_on=registered_on,
               **(head or {}))
    return household


@transaction.atomic
def household_move(household: Household, *, territory: Territory, on: dt.date) -> Household:
    """The household lives at `territory` from `on` (a move within the area, or a grid redrawn)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_write_place(household.territory)
    _check_place(territory)
    if household.left_on is not None:
        raise RuleError(_("the household left on %(date)s") % {"date": household.left_on}, field="on")
    current = household.places.filter(valid_to__isnull=True).first()
    if current is not None and current.valid_from is not None and on <= current.valid_from:
        raise RuleError(_("the move must come after %(date)s") % {"date": current.valid_from}, field="on")
    if current is not None and current.territory_id == territory.pk:
        raise RuleError(_("the household already lives there"), field="territory")
    before = household.territory.code
    if current is not None:
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    HouseholdPlace.objects.create(household=household, territory=territory, path=territory.path, valid_from=on)
    household.territory = territory
    household.save(update_fields=["territory"])
    audit.record("household.move", household, before={"place": before}, after={"place": territory.code, "on": _iso(on)},
                 org_id=holder_id(territory, on))
    return household


@transaction.atomic
def household_leave(household: Household, *, on: dt.date, reason: str = "") -> Household:
    """The household no longer lives in the area from `on` (moved away, dissolved); its records are kept."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_write_place(household.territory)
    if household.left_on is not None:
        raise RuleError(_("the household left on %(date)s") % {"date": household.left_on}, field="on")
    current = household.places.filter(valid_to__isnull=True).first()
    if current is not None and current.valid_from is not None and on <= current.valid_from:
        raise RuleError(_("the household cannot leave before %(date)s") % {"date": current.valid_from}, field="on")
    if current is not None:
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    household.left_on = on
    household.save(update_fields=["left_on"])
    audit.record("household.leave", household, after={"on": _iso(on), "reason": reason},
                 org_id=holder_id(household.territory, on))
    return household


@transaction.atomic
def person_add(*, household: Household, name: str, relation: str = Relation.OTHER, joined_on: dt.date | None = None,
               sex: str = "", birth_date: dt.date | None = None, id_number: str = "", phone: str = "",
               member: Any = None) -> Person:
    require_write_place(household.territory)
    if not relation or not str(relation).isdigit() or len(str(relation)) != 2:
        raise RuleError(_("the relation to the head is a two-digit GB/T 4761 code"), field="relation")
    if sex not in ("", "M", "F"):
        raise RuleError(_("sex is M or F"), field="sex")
    if id_number:
        try:
            id_number = idnumber.validate(id_number)
        except idnumber.IDNumberError as exc:
            raise RuleError(str(exc), field="id_number") from exc
    person = Person.objects.create(household=household, name=_text(name, "name", required=True, max_length=50),
                                   relation=relation, joined_on=joined_on, sex=sex, birth_date=birth_date,
                                   id_number=id_number, phone=_text(phone, "phone", max_length=20), member=member)
    audit.record("household.person_add", person, after={"household": household.code, "relation": relation},
                 org_id=holder_id(household.territory, joined_on))
    return person


@transaction.atomic
def person_leave(person: Person, *, on: dt.date, reason: str = "") -> Person:
    """The person no longer lives in the household from `on` (moved out, died); the record is kept."""
    person = Person.objects.select_for_update().select_related("household__territory").get(pk=person.pk)
    require_write_place(person.household.territory)
    if person.left_on is not None:
        raise RuleError(_("%(name)s left on %(date)s") % {"name": person.name, "date": person.left_on}, field="on")
    if person.joined_on is not None and on <= person.joined_on:
        raise RuleError(_("%(name)s cannot leave before %(date)s") % {"name": person.name, "date": person.joined_on},
                        field="on")
    person.left_on = on
    person.left_reason = _text(reason, "reason", max_length=100)
    person.save(update_fields=["left_on", "left_reason"])
    audit.record("household.person_leave", person, after={"on": _iso(on), "reason": person.left_reason},
                 org_id=holder_id(person.household.territory, on))
    return person
