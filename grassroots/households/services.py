"""Every write to households and persons: one named function each, in a transaction, permission-checked by place
(`access.scope.require_write_place`: the writers of the organizations that hold the place, and its grid workers),
audited under the organization that holds the place (`orgs.selectors.holder_of`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_manage_org, require_write_org, require_write_place
from grassroots.core import audit, idnumber
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.versions import check_version
from grassroots.orgs.models import Organization, Territory

from . import relations
from .models import (
    DISABILITY_GRADES,
    SPECIAL_FIELDS,
    SPECIAL_POPULATION_CHOICES,
    Household,
    HouseholdPlace,
    Person,
    Relation,
    Situation,
    SituationKind,
    SpecialFields,
)

PLACE_KINDS = ("community", "village", "villager_group", "grid")


def holder_id(territory: Territory, day: dt.date | None = None) -> int | None:
    """The organization the audit files a household's entries under: the holder of its place on the day."""
    from grassroots.orgs.selectors import holder_of

    org = holder_of(territory, day or timezone.localdate())
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


def _relation(relation: Any) -> str:
    code = str(relation or "").strip()
    if not (code.isdigit() and len(code) == 2 and code in relations.RELATIONS):
        raise RuleError(_("the relation to the head is a two-digit GB/T 4761 code"), field="relation")
    return code


def _id_number(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return idnumber.validate(text)
    except idnumber.IDNumberError as exc:
        raise RuleError(str(exc), field="id_number") from exc


def _special(household: Household, values: dict[str, Any]) -> dict[str, str]:
    """The special fields given, checked: refused (naming the field) where the switch is off."""
    from .selectors import special_fields_for_place

    given = {f: str(values.get(f) or "").strip() for f in SPECIAL_FIELDS if f in values}
    if not any(given.values()):
        return given
    if not special_fields_for_place(household.territory):
        field = next(f for f, v in given.items() if v)
        raise RuleError(_("the special-population and health fields are switched off here"), field=field)
    if given.get("special_population") and given["special_population"] not in dict(SPECIAL_POPULATION_CHOICES):
        raise RuleError(_("unknown special population"), field="special_population")
    if given.get("disability_grade") and given["disability_grade"] not in dict(DISABILITY_GRADES):
        raise RuleError(_("the disability grade is 1, 2, 3 or 4"), field="disability_grade")
    if len(given.get("health", "")) > 200:
        raise RuleError(_("at most %(n)d characters") % {"n": 200}, field="health")
    return given


def _check_day(day: dt.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise RuleError(_("the date cannot be in the future"), field=field)


@transaction.atomic
def person_add(*, household: Household, name: str, relation: str = Relation.OTHER, joined_on: dt.date | None = None,
               sex: str = "", birth_date: dt.date | None = None, id_number: str = "", phone: str = "",
               member: Any = None, **special: Any) -> Person:
    """A person living in the household from `joined_on` (None: since before the records). The head is added by
    `household_create`; a second head is refused (a new head comes by `head_change`). `special`: the special
    fields (special_population, health, disability_grade), accepted only where they are switched on."""
    require_write_place(household.territory)
    unknown = set(special) - set(SPECIAL_FIELDS)
    if unknown:
        raise TypeError(f"person_add() got unexpected arguments {sorted(unknown)}")
    relation = _relation(relation)
    if household.left_on is not None:
        raise RuleError(_("the household left on %(date)s") % {"date": household.left_on}, field="joined_on")
    if relation == relations.HEAD and Person.objects.filter(household=household, relation=relations.HEAD,
                                                             left_on__isnull=True).exists():
        raise RuleError(_("the household has a head: change the head on the household's page"), field="relation")
    if sex not in ("", "M", "F"):
        raise RuleError(_("sex is M or F"), field="sex")
    _check_day(joined_on, "joined_on")
    id_number = _id_number(id_number)
    if birth_date is None and id_number:
        birth_date = idnumber.birth_date(id_number)
    person = Person.objects.create(household=household, name=_text(name, "name", required=True, max_length=50),
                                   relation=relation, joined_on=joined_on, sex=sex, birth_date=birth_date,
                                   id_number=id_number, phone=_text(phone, "phone", max_length=20), member=member,
                                   **_special(household, special))
    audit.record("household.person_add", person, after={"household": household.code, "relation": relation,
                                                        "joined_on": _iso(joined_on)},
                 org_id=holder_id(household.territory, joined_on))
    return person


PERSON_FIELDS = ("name", "sex", "birth_date", "id_number", "phone", "member", "relation", "joined_on")


@transaction.atomic
def person_edit(person: Person, *, version: Any = None, **changes: Any) -> Person:
    """Change what is recorded of a person (the fields named; the special fields only where switched on). The
    relation cannot become or stop being the head's here: that is `head_change`."""
    person = Person.objects.select_for_update(of=("self",)).select_related("household__territory").get(pk=person.pk)
    household = person.household
    require_write_place(household.territory)
    check_version(person, version)
    unknown = set(changes) - set(PERSON_FIELDS) - set(SPECIAL_FIELDS)
    if unknown:
        raise TypeError(f"person_edit() got unexpected arguments {sorted(unknown)}")
    if person.left_on is not None:
        raise RuleError(_("%(name)s left on %(date)s") % {"name": person.name, "date": person.left_on}, field="name")
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], "name", required=True, max_length=50)
    if "sex" in changes:
        if changes["sex"] not in ("", "M", "F"):
            raise RuleError(_("sex is M or F"), field="sex")
        values["sex"] = changes["sex"]
    if "birth_date" in changes:
        _check_day(changes["birth_date"], "birth_date")
        values["birth_date"] = changes["birth_date"]
    if "joined_on" in changes:
        _check_day(changes["joined_on"], "joined_on")
        values["joined_on"] = changes["joined_on"]
    if "id_number" in changes:
        values["id_number"] = _id_number(changes["id_number"])
    if "phone" in changes:
        values["phone"] = _text(changes["phone"], "phone", max_length=20)
    if "member" in changes:
        values["member"] = changes["member"]
    if "relation" in changes:
        code = _relation(changes["relation"])
        if (code == relations.HEAD) != (person.relation == relations.HEAD):
            raise RuleError(_("change the head on the household's page"), field="relation")
        values["relation"] = code
    values.update(_special(household, {k: v for k, v in changes.items() if k in SPECIAL_FIELDS}))
    changed = {k: v for k, v in values.items() if getattr(person, k) != v}
    if not changed:
        return person
    for key, value in changed.items():
        setattr(person, key, value)
    person.save(update_fields=list(changed))
    if person.relation == relations.HEAD and "name" in changed:
        Household.objects.filter(pk=household.pk).update(head_name=person.name)
    # the audit names what changed, never a phone, an ID number or a special field's value
    shown = {k: (v.isoformat() if isinstance(v, dt.date) else str(v if not hasattr(v, "pk") else v.pk))
             for k, v in changed.items() if k not in ("phone", "id_number", *SPECIAL_FIELDS)}
    audit.record("household.person_edit", person, after={**shown, "changed": sorted(changed)},
                 org_id=holder_id(household.territory))
    return person


@transaction.atomic
def person_leave(person: Person, *, on: dt.date, reason: str = "", new_head: Person | None = None,
                 version: Any = None) -> Person:
    """The person no longer lives in the household from `on` (moved out, died); the record is kept. When the head
    leaves, `new_head` (a person living in the household) becomes the head on that day; without one the household
    has no head living in it until one is named (`head_change`), which the findings point out."""
    person = Person.objects.select_for_update(of=("self",)).select_related("household__territory").get(pk=person.pk)
    check_version(person, version)
    _check_day(on, "on")
    if new_head is not None and person.relation != relations.HEAD:
        raise RuleError(_("only the head's leaving names a new head"), field="new_head")
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
    if new_head is not None:
        head_change(person.household, person=new_head, on=on)
    return person


@transaction.atomic
def head_change(household: Household, *, person: Person, on: dt.date, former_relation: str = "") -> Household:
    """`person` (living in the household on `on`) becomes its head from `on`; the former head, if still living
    in it, takes `former_relation` (their relation to the new head; blank: 97 other relative). The others keep
    their codes, which a secretary corrects by editing them (the standard's codes are relative to the head)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_write_place(household.territory)
    _check_day(on, "on")
    person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
    if person.household_id != household.pk:
        raise RuleError(_("%(name)s does not live in this household") % {"name": person.name}, field="person")
    living = Person.objects.filter(pk=person.pk).on(on).exists()
    if not living:
        raise RuleError(_("%(name)s does not live in the household on %(date)s") % {"name": person.name, "date": on},
                        field="person")
    if person.relation == relations.HEAD:
        raise RuleError(_("%(name)s is the head already") % {"name": person.name}, field="person")
    former = list(Person.objects.select_for_update(of=("self",)).filter(household=household, relation=relations.HEAD,
                                                                          left_on__isnull=True))
    for old in former:
        old.relation = _relation(former_relation) if former_relation else "97"
        old.save(update_fields=["relation"])
    before = household.head_name
    person.relation = relations.HEAD
    person.save(update_fields=["relation"])
    household.head_name = person.name
    household.save(update_fields=["head_name"])
    audit.record("household.head_change", household, before={"head": before},
                 after={"head": person.name, "on": _iso(on)}, org_id=holder_id(household.territory, on))
    return household


HOUSEHOLD_FIELDS = ("building", "unit", "flat", "address", "phone", "note")
_LENGTHS = {"building": 40, "unit": 20, "flat": 20, "address": 200, "phone": 20, "note": 2000}


@transaction.atomic
def household_edit(household: Household, *, version: Any = None, **changes: Any) -> Household:
    """Change the household's address, phone or note (where it lives is `household_move`; its head,
    `head_change`)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require_write_place(household.territory)
    check_version(household, version)
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"household_edit() got unexpected arguments {sorted(unknown)}")
    changed = {}
    for key, value in changes.items():
        text = _text(value, key, max_length=_LENGTHS[key])
        if getattr(household, key) != text:
            changed[key] = text
    if not changed:
        return household
    for key, value in changed.items():
        setattr(household, key, value)
    household.save(update_fields=list(changed))
    audit.record("household.edit", household, after={"changed": sorted(changed),
                                                     **{k: v for k, v in changed.items() if k != "phone"}},
                 org_id=holder_id(household.territory))
    return household


# --- situations ------------------------------------------------------------------------------------------------

@transaction.atomic
def situation_start(household: Household, *, kind: str, started_on: dt.date, person: Person | None = None,
                    note: str = "") -> Situation:
    """The household (or one of its persons) is in situation `kind` from `started_on`."""
    from .selectors import situation_kinds_for_place

    household = Household.objects.select_for_update().get(pk=household.pk)
    require_write_place(household.territory)
    kinds = {k.code: k for k in situation_kinds_for_place(household.territory)}
    if kind not in kinds:
        raise RuleError(_("unknown situation %(kind)s") % {"kind": kind}, field="kind")
    if started_on is None:
        raise RuleError(_("this field is required"), field="started_on")
    _check_day(started_on, "started_on")
    if household.left_on is not None and started_on >= household.left_on:
        raise RuleError(_("the household left on %(date)s") % {"date": household.left_on}, field="started_on")
    if person is not None and person.household_id != household.pk:
        raise RuleError(_("%(name)s does not live in this household") % {"name": person.name}, field="person")
    open_ = Situation.objects.filter(household=household, person=person, kind=kind, ended_on__isnull=True)
    if open_.exists():
        raise RuleError(_("this situation is already recorded and not ended"), field="kind")
    situation = Situation.objects.create(household=household, person=person, kind=kind, started_on=started_on,
                                         note=_text(note, "note", max_length=300))
    audit.record("household.situation_start", situation,
                 after={"household": household.code, "kind": kind, "started_on": _iso(started_on),
                        "person": person.pk if person else None},
                 org_id=holder_id(household.territory, started_on))
    return situation


def _locked_situation(situation: Situation, version: Any) -> Situation:
    situation = (Situation.objects.select_for_update(of=("self",)).select_related("household__territory")
                 .get(pk=situation.pk))
    require_write_place(situation.household.territory)
    check_version(situation, version)
    return situation


@transaction.atomic
def situation_end(situation: Situation, *, on: dt.date, note: str = "", version: Any = None) -> Situation:
    """The situation no longer holds from `on` (left the allowance, moved in with the children...)."""
    situation = _locked_situation(situation, version)
    if situation.ended_on is not None:
        raise RuleError(_("this situation ended on %(date)s") % {"date": situation.ended_on}, field="on")
    _check_day(on, "on")
    if on <= situation.started_on:
        raise RuleError(_("the end must come after %(date)s") % {"date": situation.started_on}, field="on")
    situation.ended_on = on
    fields = ["ended_on"]
    if note:
        situation.note = _text(f"{situation.note} {note}".strip(), "note", max_length=300)
        fields.append("note")
    situation.save(update_fields=fields)
    audit.record("household.situation_end", situation, after={"kind": situation.kind, "on": _iso(on)},
                 org_id=holder_id(situation.household.territory, on))
    return situation


@transaction.atomic
def situation_review(situation: Situation, *, on: dt.date, version: Any = None) -> Situation:
    """Somebody checked on `on` that the situation still holds."""
    situation = _locked_situation(situation, version)
    if situation.ended_on is not None:
        raise RuleError(_("this situation ended on %(date)s") % {"date": situation.ended_on}, field="on")
    _check_day(on, "on")
    if on < situation.started_on:
        raise RuleError(_("the review cannot come before %(date)s") % {"date": situation.started_on}, field="on")
    situation.reviewed_on = on
    situation.save(update_fields=["reviewed_on"])
    audit.record("household.situation_review", situation, after={"kind": situation.kind, "on": _iso(on)},
                 org_id=holder_id(situation.household.territory, on))
    return situation


@transaction.atomic
def situation_kind_create(org: Organization, *, code: str, name: str, name_en: str = "",
                          reviewed: bool = False) -> SituationKind:
    """A kind of situation of `org`'s own, shown in its places and every place below them."""
    from .selectors import situation_kinds

    require_write_org(org)
    code = _text(code, "code", required=True, max_length=30)
    if not code.replace("_", "").isalnum() or not code.isascii():
        raise RuleError(_("a code is letters, digits and underscores"), field="code")
    name = _text(name, "name", required=True, max_length=50)
    taken = {value for k in situation_kinds(org) for value in (k.code, k.zh)}
    if code in taken or name in taken:
        raise RuleError(_("this kind exists already"), field="code" if code in taken else "name")
    kind = SituationKind.objects.create(org=org, code=code, name=name, name_en=_text(name_en, "name_en", max_length=80),
                                        reviewed=bool(reviewed))
    audit.record("household.situation_kind_create", kind, after={"code": code, "name": name}, org_id=org.pk)
    return kind


# --- the special fields' switch, and reveals ------------------------------------------------------------------

@transaction.atomic
def special_fields_set(org: Organization, *, enabled: bool, version: Any = None) -> SpecialFields:
    """An organizer switches the special-population and health fields on (or off) for the organization's subtree.
    Switching off hides what was recorded; nothing is deleted."""
    require_manage_org(org)
    switch, _created = SpecialFields.objects.select_for_update().get_or_create(org=org)
    if not _created:
        check_version(switch, version)
    switch.enabled = bool(enabled)
    switch.save()
    audit.record("household.special_fields", switch, after={"enabled": switch.enabled}, org_id=org.pk)
    return switch


REVEALABLE = ("id_number", "phone", *SPECIAL_FIELDS)


def _require_reveal(territory: Territory) -> None:
    if not current_scope().can_write_place(territory):
        raise PermissionDeniedError(_("you may not see the full personal information of %(place)s")
                                    % {"place": territory})


@transaction.atomic
def person_reveal(person: Person, *, field: str) -> str:
    """The full value of a masked field of a person, for a writer of the person's place; logged."""
    from .selectors import special_fields_for_place

    if field not in REVEALABLE:
        raise RuleError(_("this field cannot be revealed"), field="field")
    territory = person.household.territory
    _require_reveal(territory)
    if field in SPECIAL_FIELDS and not special_fields_for_place(territory):
        raise RuleError(_("the special-population and health fields are switched off here"), field="field")
    value = getattr(person, field)
    if field in ("special_population", "disability_grade"):
        value = getattr(person, f"get_{field}_display")()
    audit.record(f"household.reveal_{field}", person, org_id=holder_id(territory))
    return str(value or "")


@transaction.atomic
def household_reveal(household: Household, *, field: str = "phone") -> str:
    if field != "phone":
        raise RuleError(_("this field cannot be revealed"), field="field")
    _require_reveal(household.territory)
    audit.record("household.reveal_phone", household, org_id=holder_id(household.territory))
    return household.phone
