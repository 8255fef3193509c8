"""Writes to household honours. Each is one function, in a transaction, permission-checked, audited.

Who may do what: whoever writes the household's place proposes (`require_write_place`: its grid workers, the
writers of the organizations that hold it); the writers of the organization that holds the place, or of one above
it, approve, publish or decline (with a reason). A household holds one honour of a kind in a year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_place
from grassroots.core import audit
from grassroots.core.context import current_actor
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.versions import check_version
from grassroots.households.models import Household
from grassroots.households.services import holder_id
from grassroots.orgs.models import Organization

from . import selectors
from .models import Honour, HonourKind, State

FIELDS = ("household", "year", "kind", "local_kind", "reason", "state", "proposed_on", "approved_on",
          "approved_by", "published_on", "published_by", "declined_on", "declined_by", "decline_reason")


def today() -> dt.date:
    return timezone.localdate()


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


def _kind(value: Any, household: Household) -> tuple[str, HonourKind | None]:
    from grassroots.assistance.selectors import in_places_of

    text = str(value or "").strip()
    if text.startswith(selectors.LOCAL_PREFIX):
        pk = text[len(selectors.LOCAL_PREFIX):]
        local = HonourKind.objects.select_related("org").filter(pk=int(pk) if pk.isdigit() else 0,
                                                                active=True).first()
        if local is None or not in_places_of(household, local.org):
            raise RuleError(_("unknown kind of honour %(kind)s") % {"kind": text[:30]}, field="kind")
        return "", local
    if text not in dict(selectors.model_kinds()):
        raise RuleError(_("unknown kind of honour %(kind)s") % {"kind": text[:30]}, field="kind")
    return text, None


def _audit(action: str, honour: Honour, before: dict[str, Any] | None) -> None:
    after = audit.snapshot(honour, FIELDS)
    changes = audit.diff(before, after) if before is not None else {"after": after}
    audit.record(f"honours.{action}", honour, **changes, org_id=holder_id(honour.household.territory))


@transaction.atomic
def kind_add(org: Organization, *, name: Any) -> HonourKind:
    if not current_scope().can_write_org(org):
        raise PermissionDeniedError(_("you may not add kinds of honour to %(org)s") % {"org": org.name})
    name = _text(name, "name", 50, required=True)
    if name in dict(selectors.model_kinds()).values() or selectors.local_kinds_for(org).filter(name=name).exists():
        raise RuleError(_("there is already a kind called %(name)s") % {"name": name}, field="name")
    kind = HonourKind.objects.create(org=org, name=name)
    audit.record("honours.kind_add", kind, after={"name": name}, org_id=org.pk)
    return kind


@transaction.atomic
def propose(*, household: Household, year: Any, kind: Any, reason: Any, on: Any = None) -> Honour:
    household = Household.objects.select_related("territory").get(pk=household.pk)
    require_write_place(household.territory)
    day = _day(on, "on")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise RuleError(_("write the year"), field="year") from None
    if not 2000 <= year <= day.year:
        raise RuleError(_("the year must be between 2000 and %(y)s") % {"y": day.year}, field="year")
    if household.left_on is not None and household.left_on <= day:
        raise RuleError(_("the household left on %(day)s") % {"day": household.left_on.isoformat()},
                        field="household")
    code, local = _kind(kind, household)
    same = Honour.objects.filter(household=household, year=year, kind=code, local_kind=local).exclude(
        state=State.DECLINED)
    if same.exists():
        raise RuleError(_("the household already holds or awaits this honour for %(y)s") % {"y": year}, field="kind")
    honour = Honour.objects.create(household=household, year=year, kind=code, local_kind=local,
                                   reason=_text(reason, "reason", 500, required=True), proposed_on=day)
    _audit("propose", honour, None)
    return honour


def _locked(honour: Honour, version: Any) -> Honour:
    locked = Honour.objects.select_for_update(of=("self",)).select_related("household__territory").get(pk=honour.pk)
    check_version(locked, version)
    if not selectors.can_decide(current_scope(), locked.household.territory):
        raise PermissionDeniedError(_("only the organization that holds %(place)s decides its honours")
                                    % {"place": locked.household.territory.name})
    return locked


def _state(honour: Honour, *allowed: str) -> None:
    if honour.state not in allowed:
        raise RuleError(_("the honour is %(state)s: this cannot be done now") % {"state": honour.get_state_display()},
                        field="state")


def _user() -> Any:
    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def approve(honour: Honour, *, on: Any = None, version: Any = None) -> Honour:
    honour = _locked(honour, version)
    _state(honour, State.PROPOSED)
    before = audit.snapshot(honour, FIELDS)
    honour.state, honour.approved_on, honour.approved_by = State.APPROVED, _day(on, "on", not_before=honour.proposed_on), _user()
    honour.save()
    honour.refresh_from_db()
    _audit("approve", honour, before)
    return honour


@transaction.atomic
def publish(honour: Honour, *, on: Any = None, version: Any = None) -> Honour:
    honour = _locked(honour, version)
    _state(honour, State.APPROVED)
    before = audit.snapshot(honour, FIELDS)
    honour.state, honour.published_on, honour.published_by = (State.PUBLISHED,
                                                               _day(on, "on", not_before=honour.approved_on), _user())
    honour.save()
    honour.refresh_from_db()
    _audit("publish", honour, before)
    return honour


@transaction.atomic
def decline(honour: Honour, *, reason: Any, on: Any = None, version: Any = None) -> Honour:
    honour = _locked(honour, version)
    _state(honour, State.PROPOSED, State.APPROVED)
    reason = _text(reason, "reason", 300, required=True)
    before = audit.snapshot(honour, FIELDS)
    honour.state, honour.declined_on, honour.declined_by = (State.DECLINED,
                                                            _day(on, "on", not_before=honour.proposed_on), _user())
    honour.decline_reason = reason
    honour.save()
    honour.refresh_from_db()
    _audit("decline", honour, before)
    return honour
