"""Writes to co-construction: units, their reports, agreements and their files, needs, resources, projects and
their evidence, contributions.

Each write is one function, keyword-only, in a transaction, permission-checked (whoever writes the organization
that keeps the record: its secretary or organizer, or one above), audited, raising `RuleError` naming the field
with nothing written when the request breaks a rule. Edits carry the `version` read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import require_write_org
from grassroots.core import audit
from grassroots.core.dates import DateError, parse_date
from grassroots.core.errors import RuleError
from grassroots.orgs.models import Organization

from .models import Agreement, Need, Project, ProjectSource, ProjectState, ResidentUnit

PROJECT_FIELDS = ("org", "title", "detail", "source", "agreement", "need", "unit", "owner", "started_on", "due_on",
                  "state", "done_on", "outcome")


def today() -> dt.date:
    return timezone.localdate()


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > max_length:
        raise RuleError(_("longer than %(n)d characters") % {"n": max_length}, field=field)
    return text


def _day(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    """A date as typed (any day, ahead too), or None when empty and not required."""
    try:
        day = parse_date(value)
    except DateError as exc:
        raise RuleError(str(exc), field=field) from exc
    if day is None and required:
        raise RuleError(_("this field is required"), field=field)
    return day


def _date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    """A day that has come (not after today)."""
    day = _day(value, field, required=required)
    if day is not None and day > today():
        raise RuleError(_("%(date)s is in the future") % {"date": day}, field=field)
    return day


def _open_org(org: Organization) -> None:
    require_write_org(org)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s was revoked on %(date)s") % {"org": org, "date": org.revoked_on}, field="org")


@transaction.atomic
def project_create(*, org: Organization, title: Any, detail: Any = "", source: str = ProjectSource.OTHER,
                   agreement: Agreement | None = None, need: Need | None = None, unit: ResidentUnit | None = None,
                   owner: Any = "", started_on: Any, due_on: Any = None) -> Project:
    """A project of `org`'s, planned from `started_on` and due by `due_on` (a deadline may lie ahead), owned by
    `unit` and/or the person named `owner`. Its agreement, need and unit are the organization's own."""
    _open_org(org)
    if source not in ProjectSource.values:
        raise RuleError(_("unknown source: %(value)s") % {"value": source}, field="source")
    started = _date(started_on, "started_on")
    assert started is not None
    due = _day(due_on, "due_on", required=False)
    if due is not None:
        if due < started:
            raise RuleError(_("the deadline %(due)s is before the start %(start)s") % {"due": due, "start": started},
                            field="due_on")
    for name, record in (("agreement", agreement), ("need", need), ("unit", unit)):
        if record is not None and record.org_id != org.pk:
            raise RuleError(_("%(record)s is not %(org)s's") % {"record": record, "org": org}, field=name)
    project = Project.objects.create(
        org=org, title=_text(title, "title", 200, required=True), detail=_text(detail, "detail", 2000),
        source=source, agreement=agreement, need=need, unit=unit, owner=_text(owner, "owner", 50),
        started_on=started, due_on=due, state=ProjectState.PLANNED)
    audit.record("cobuild.project_create", project, after=audit.snapshot(project, PROJECT_FIELDS), org_id=org.pk)
    return project
