"""Writes to commitments: make (the member, or a secretary on their behalf), edit, add progress, set the year-end
result, withdraw. Each is one function, in a transaction, permission-checked, audited, raising `RuleError` naming
the field with nothing written when the request breaks a rule. Edits, results and withdrawals carry the `version`
the page or client read (`core.versions.check_version`): a stale one is refused.

Who may:
- make, edit, add progress, withdraw: the member themselves (their own account) or whoever may write the member
  (the branch's secretary or organizer, acting on the member's behalf: recorded as such);
- set or change the result: the branch alone (whoever may write the commitment's organization), after review.
States: open -> kept / partly kept / not kept (the result may be changed again); open -> withdrawn (before the
deadline, with a reason). A withdrawn commitment takes nothing more; one with a result takes no edit, progress or
withdrawal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_org
from grassroots.core import audit
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.files import check_attachment
from grassroots.core.sheets import has_control
from grassroots.core.versions import check_version
from grassroots.members.models import Member, MemberPeriod
from grassroots.orgs.models import Organization

from .models import Commitment, Level, Progress, Result, Theme

FIELDS = ("member", "org", "year", "level", "theme", "text", "deadline", "made_on", "on_behalf")
RESULT_FIELDS = ("result", "result_note", "result_on")
TEXT_MAX = 1000


def today() -> dt.date:
    return timezone.localdate()


# --- checks -------------------------------------------------------------------------------------------------

def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise RuleError(_("this field is required"), field=field)
    if len(text) > limit:
        raise RuleError(_("at most %(n)s characters") % {"n": limit}, field=field)
    if has_control(text.replace("\n", "").replace("\r", "")):
        raise RuleError(_("contains invisible control characters"), field=field)
    return text


def _date(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(_("a date is required"), field=field)
    if value > today():
        raise RuleError(_("%(day)s is in the future") % {"day": value.isoformat()}, field=field)
    return value


def _level_theme(level: Any, theme: Any) -> tuple[str, str]:
    if level not in Level.values:
        raise RuleError(_("unknown level %(v)s") % {"v": str(level)[:40]}, field="level")
    theme = str(theme or "")
    if level != Level.PRACTICAL:
        return level, ""
    if not theme:
        raise RuleError(_("a practical commitment names its theme"), field="theme")
    if theme not in Theme.values:
        raise RuleError(_("unknown theme %(v)s") % {"v": theme[:40]}, field="theme")
    return level, theme


def _deadline(deadline: Any, year: int, made_on: dt.date) -> dt.date:
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        raise RuleError(_("a deadline is required"), field="deadline")
    if deadline < made_on:
        raise RuleError(_("the deadline is before the commitment was made"), field="deadline")
    if deadline.year not in (year, year + 1):
        raise RuleError(_("the deadline must fall in %(year)s or early the year after") % {"year": year},
                        field="deadline")
    return deadline


def branch_of(member: Member, day: dt.date) -> Organization:
    """The organization (branch) the member belonged to on `day`, else a RuleError."""
    period = MemberPeriod.objects.on(day).filter(member=member).select_related("org").first()
    if period is None:
        raise RuleError(_("%(name)s was not a member on %(day)s") % {"name": member.name, "day": day.isoformat()},
                        field="made_on")
    return period.org


def acts_for_self(member: Member) -> bool:
    """Whether the acting user is the member themselves (their own account)."""
    return member.pk in current_scope().own_member_ids


def require_member_or_writer(member: Member) -> None:
    """The member themselves, or whoever may write the member (a secretary acting on their behalf)."""
    scope = current_scope()
    if member.pk in scope.own_member_ids or scope.can_write_member(member):
        return
    raise PermissionDeniedError(_("you may not change %(name)s's commitments") % {"name": member.name})


def _locked(commitment: Commitment) -> Commitment:
    return Commitment.objects.select_for_update(of=("self",)).select_related("member__org", "org").get(pk=commitment.pk)


def _require_open(c: Commitment) -> None:
    if c.withdrawn_on is not None:
        raise RuleError(_("this commitment was withdrawn on %(day)s") % {"day": c.withdrawn_on.isoformat()},
                        field="state")
    if c.result:
        raise RuleError(_("this commitment already has its result (%(result)s)") % {
            "result": c.get_result_display()}, field="state")


# --- writes -------------------------------------------------------------------------------------------------

@transaction.atomic
def commitment_make(member: Member, *, year: int, level: str, text: str, deadline: dt.date,
                    made_on: dt.date | None = None, theme: str = "") -> Commitment:
    """A commitment of `member` for `year`, entered by the member or on their behalf (recorded as such)."""
    require_member_or_writer(member)
    if not isinstance(year, int) or isinstance(year, bool) or not 1921 <= year <= today().year + 1:
        raise RuleError(_("the year must be between 1921 and next year"), field="year")
    made_on = _date(made_on or today(), "made_on")
    if made_on.year not in (year - 1, year):
        raise RuleError(_("a commitment for %(year)s is made that year or late the year before") % {"year": year},
                        field="made_on")
    level, theme = _level_theme(level, theme)
    text = _text(text, "text", TEXT_MAX, required=True)
    deadline = _deadline(deadline, year, made_on)
    org = branch_of(member, made_on)
    c = Commitment.objects.create(member=member, org=org, year=year, level=level, theme=theme, text=text,
                                  deadline=deadline, made_on=made_on, on_behalf=not acts_for_self(member))
    audit.record("commitment.make", c, after=audit.snapshot(c, FIELDS), org_id=org.pk)
    return c


@transaction.atomic
def commitment_edit(commitment: Commitment, *, version: Any, level: str, text: str, deadline: dt.date,
                    theme: str = "") -> Commitment:
    """Change an open commitment's level, theme, text or deadline (from the version the editor read)."""
    c = _locked(commitment)
    require_member_or_writer(c.member)
    check_version(c, version)
    _require_open(c)
    level, theme = _level_theme(level, theme)
    text = _text(text, "text", TEXT_MAX, required=True)
    deadline = _deadline(deadline, c.year, c.made_on)
    before = audit.snapshot(c, FIELDS)
    c.level, c.theme, c.text, c.deadline = level, theme, text, deadline
    c.save(update_fields=["level", "theme", "text", "deadline"])
    c.refresh_from_db()
    audit.record("commitment.edit", c, before=before, after=audit.snapshot(c, FIELDS), org_id=c.org_id)
    return c


@transaction.atomic
def progress_add(commitment: Commitment, *, date: dt.date, text: str, photo: Any = None) -> Progress:
    """A progress entry on an open commitment; a photo may be added (never required)."""
    c = _locked(commitment)
    require_member_or_writer(c.member)
    _require_open(c)
    date = _date(date, "date")
    if date < c.made_on:
        raise RuleError(_("the entry is dated before the commitment was made"), field="date")
    text = _text(text, "text", TEXT_MAX, required=True)
    entry = Progress(commitment=c, date=date, text=text)
    if photo:
        name, _size = check_attachment(photo)
        entry.photo.save(name, photo, save=False)
    entry.save()
    audit.record("commitment.progress", c, org_id=c.org_id,
                 extra={"progress": entry.pk, "date": date.isoformat(), "text": text,
                        "photo": entry.photo.name if entry.photo else ""})
    return entry


@transaction.atomic
def result_set(commitment: Commitment, *, version: Any, result: str, note: str = "",
               on: dt.date | None = None) -> Commitment:
    """The branch's year-end result after review: kept, partly kept or not kept, with a note. May be changed
    again later (from the version read)."""
    c = _locked(commitment)
    require_write_org(c.org)
    check_version(c, version)
    if c.withdrawn_on is not None:
        raise RuleError(_("this commitment was withdrawn on %(day)s") % {"day": c.withdrawn_on.isoformat()},
                        field="state")
    if result not in Result.values:
        raise RuleError(_("unknown result %(v)s") % {"v": str(result)[:40]}, field="result")
    on = _date(on or today(), "on")
    if on < c.made_on:
        raise RuleError(_("the review is dated before the commitment was made"), field="on")
    note = _text(note, "note", 500)
    if result != Result.KEPT and not note:
        raise RuleError(_("say in a note what was and was not done"), field="note")
    before = audit.snapshot(c, RESULT_FIELDS)
    c.result, c.result_note, c.result_on = result, note, on
    c.result_by = _user()
    c.save(update_fields=["result", "result_note", "result_on", "result_by"])
    c.refresh_from_db()
    audit.record("commitment.result", c, before=before, after=audit.snapshot(c, RESULT_FIELDS), org_id=c.org_id)
    return c


@transaction.atomic
def commitment_withdraw(commitment: Commitment, *, version: Any, reason: str,
                        on: dt.date | None = None) -> Commitment:
    """Withdraw an open commitment before its deadline, with the reason."""
    c = _locked(commitment)
    require_member_or_writer(c.member)
    check_version(c, version)
    _require_open(c)
    on = _date(on or today(), "on")
    if on > c.deadline:
        raise RuleError(_("the deadline (%(day)s) has passed: the branch reviews it instead") % {
            "day": c.deadline.isoformat()}, field="on")
    if on < c.made_on:
        raise RuleError(_("the withdrawal is dated before the commitment was made"), field="on")
    reason = _text(reason, "reason", 300, required=True)
    before = audit.snapshot(c, ("withdrawn_on", "withdraw_reason"))
    c.withdrawn_on, c.withdraw_reason = on, reason
    c.save(update_fields=["withdrawn_on", "withdraw_reason"])
    c.refresh_from_db()
    audit.record("commitment.withdraw", c, before=before,
                 after=audit.snapshot(c, ("withdrawn_on", "withdraw_reason")), org_id=c.org_id)
    return c


def _user() -> Any:
    from grassroots.core.context import current_actor

    actor = current_actor()
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
