"""Writes to responsibility posts: kinds (and their presets), the organization's setting, posts, and claims.

Each write is one function, keyword-only, in a transaction, permission-checked, audited, raising `RuleError`
naming the field with nothing written when the request breaks a rule. Edits carry the `version` read.

Who may:
- kinds, the setting and posts: whoever writes the organization (its secretary or organizer, or one above);
- claim: the member themself (their own account: the member role), or whoever writes the member (the secretary
  of the member's branch, or above), recorded as made on the member's behalf;
- approve, decline, end: whoever writes the post's organization (the branch that set the post up, or above);
- withdraw: the member themself, or whoever writes the member (on their behalf).

Claims: only a member on the roster of the post organization's subtree (active standing) claims it, within the
post's term, while a seat is free; a member holds at most the organization's number of open claims (pending or
approved, of posts whose term has not ended: `posts.claims_per_member`, one by default); a post's approved claims
never exceed its seats (the post row is locked while a claim is approved).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.access.scope import current_scope, require_write_org
from grassroots.core import audit
from grassroots.core.errors import PermissionDeniedError, RuleError
from grassroots.core.values import text as _text
from grassroots.core.versions import check_version
from grassroots.members.models import Member, Standing
from grassroots.orgs.models import Organization, Territory
from grassroots.rules.registry import in_force

from .models import ACTIVE_STATES, ClaimState, Post, PostClaim, PostKind, PostSetting
from .presets import PRESETS

KIND_FIELDS = ("org", "name", "name_en", "description", "preset", "active")
POST_FIELDS = ("org", "kind", "title", "duties", "seats", "term_start", "term_end", "territory", "place")
CLAIM_FIELDS = ("post", "member", "state", "claimed_on", "on_behalf", "note", "decided_on", "approved_on", "reason",
                "ended_on")
MAX_SEATS = 999
MAX_CLAIMS_SETTING = 20


def today() -> dt.date:
    return timezone.localdate()




def _date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise RuleError(_("a date is required"), field=field)
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise RuleError(_("a date is required"), field=field)
    return value


def _not_future(day: dt.date, field: str) -> dt.date:
    if day > today():
        raise RuleError(_("the date %(date)s is in the future") % {"date": day}, field=field)
    return day


def _open_org(org: Organization) -> None:
    require_write_org(org)
    if org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": org.name}, field="org")


# --- kinds -----------------------------------------------------------------------------------------------------

def usable_kinds(org: Organization) -> Any:
    """The active kinds an organization may use: its own and those of the organizations above it."""
    return PostKind.objects.filter(org__in=[*org.get_ancestors(), org], active=True).order_by("org__path", "name")


@transaction.atomic
def kind_create(*, org: Organization, name: Any, name_en: Any = "", description: Any = "") -> PostKind:
    _open_org(org)
    kind = PostKind(org=org, name=_text(name, "name", 50, required=True), name_en=_text(name_en, "name_en", 100),
                    description=_text(description, "description", 300))
    if PostKind.objects.filter(org=org, name=kind.name).exists():
        raise RuleError(_("%(org)s already has a kind named %(name)s") % {"org": org.name, "name": kind.name},
                        field="name")
    kind.save()
    audit.record("posts.kind_create", kind, after=audit.snapshot(kind, KIND_FIELDS), org_id=org.pk)
    return kind


@transaction.atomic
def kind_update(kind: PostKind, *, version: Any, name: Any, name_en: Any = "", description: Any = "") -> PostKind:
    kind = PostKind.objects.select_for_update(of=("self",)).select_related("org").get(pk=kind.pk)
    _open_org(kind.org)
    check_version(kind, version)
    before = audit.snapshot(kind, KIND_FIELDS)
    kind.name = _text(name, "name", 50, required=True)
    kind.name_en = _text(name_en, "name_en", 100)
    kind.description = _text(description, "description", 300)
    if PostKind.objects.filter(org=kind.org, name=kind.name).exclude(pk=kind.pk).exists():
        raise RuleError(_("%(org)s already has a kind named %(name)s") % {"org": kind.org.name, "name": kind.name},
                        field="name")
    kind.save()
    kind.refresh_from_db()
    audit.record("posts.kind_update", kind, before=before, after=audit.snapshot(kind, KIND_FIELDS),
                 org_id=kind.org_id)
    return kind


@transaction.atomic
def kind_set_active(kind: PostKind, *, active: bool, version: Any) -> PostKind:
    """Deactivate a kind (no new post takes it; its posts stay) or bring it back. Kinds are never deleted."""
    kind = PostKind.objects.select_for_update(of=("self",)).select_related("org").get(pk=kind.pk)
    _open_org(kind.org)
    check_version(kind, version)
    if kind.active == bool(active):
        raise RuleError(_("the kind is already active") if active else _("the kind is already inactive"),
                        field="active")
    before = audit.snapshot(kind, KIND_FIELDS)
    kind.active = bool(active)
    kind.save()
    kind.refresh_from_db()
    audit.record("posts.kind_activate" if active else "posts.kind_deactivate", kind, before=before,
                 after=audit.snapshot(kind, KIND_FIELDS), org_id=kind.org_id)
    return kind


@transaction.atomic
def kinds_load_presets(*, org: Organization, preset: str) -> list[PostKind]:
    """Add a preset's kinds to the organization (one action); those it already has by name are left as they are.
    Returns the kinds added."""
    _open_org(org)
    if preset not in PRESETS:
        raise RuleError(_("unknown preset %(preset)s") % {"preset": str(preset)[:40]}, field="preset")
    have = set(PostKind.objects.filter(org=org).values_list("name", flat=True))
    added = []
    for p in PRESETS[preset]:
        if p.name in have:
            continue
        kind = PostKind.objects.create(org=org, name=p.name, name_en=p.name_en, description=p.description,
                                       preset=preset)
        audit.record("posts.kind_create", kind, after=audit.snapshot(kind, KIND_FIELDS), org_id=org.pk,
                     extra={"preset": preset})
        added.append(kind)
    return added


# --- the organization's setting --------------------------------------------------------------------------------

def claims_limit(org: Organization, day: dt.date) -> int:
    """How many open claims a member may hold under `org`: the nearest setting from `org` up the tree, else the
    rule `posts.claims_per_member`."""
    chain = [*org.get_ancestors(), org]
    settings = {s.org_id: s.max_active_claims for s in PostSetting.objects.filter(org__in=chain)}
    for o in reversed(chain):
        if o.pk in settings:
            return settings[o.pk]
    return int(in_force("posts.claims_per_member", day)["max_active"])


@transaction.atomic
def setting_save(*, org: Organization, max_active_claims: Any, version: Any = None) -> PostSetting:
    """Set how many posts a member may hold at once in the organization's subtree (1 to 20). Changing a setting
    already made needs the `version` read (a blank one is stale)."""
    _open_org(org)
    try:
        number = int(max_active_claims)
    except (TypeError, ValueError):
        raise RuleError(_("give a whole number"), field="max_active_claims") from None
    if isinstance(max_active_claims, bool) or not 1 <= number <= MAX_CLAIMS_SETTING:
        raise RuleError(_("give a number from 1 to %(n)d") % {"n": MAX_CLAIMS_SETTING}, field="max_active_claims")
    setting = PostSetting.objects.select_for_update().filter(org=org).first()
    if setting is None:
        setting = PostSetting.objects.create(org=org, max_active_claims=number)
        audit.record("posts.setting", setting, after={"max_active_claims": number}, org_id=org.pk)
        return setting
    check_version(setting, "" if version is None else version)
    before = {"max_active_claims": setting.max_active_claims}
    setting.max_active_claims = number
    setting.save()
    setting.refresh_from_db()
    audit.record("posts.setting", setting, before=before, after={"max_active_claims": number}, org_id=org.pk)
    return setting


# --- posts -----------------------------------------------------------------------------------------------------

def _post_values(org: Organization, *, kind: Any, title: Any, duties: Any, seats: Any, term_start: Any,
                 term_end: Any, territory: Any, place: Any) -> dict[str, Any]:
    if not isinstance(kind, PostKind):
        raise RuleError(_("choose a kind of post"), field="kind")
    if not kind.active:
        raise RuleError(_("the kind %(kind)s is inactive") % {"kind": kind.name}, field="kind")
    if not org.path.startswith(kind.org.path):
        raise RuleError(_("the kind %(kind)s belongs to %(org)s and cannot be used here")
                        % {"kind": kind.name, "org": kind.org.name}, field="kind")
    try:
        number = int(seats)
    except (TypeError, ValueError):
        raise RuleError(_("give a whole number"), field="seats") from None
    if isinstance(seats, bool) or not 1 <= number <= MAX_SEATS:
        raise RuleError(_("give a number from 1 to %(n)d") % {"n": MAX_SEATS}, field="seats")
    start = _date(term_start, "term_start")
    end = _date(term_end, "term_end", required=False)
    assert start is not None
    if end is not None and end < start:
        raise RuleError(_("the term ends before it starts"), field="term_end")
    if start < org.founded_on:
        raise RuleError(_("%(org)s was founded on %(date)s") % {"org": org.name, "date": org.founded_on},
                        field="term_start")
    if territory is not None:
        if not isinstance(territory, Territory):
            raise RuleError(_("choose a place"), field="territory")
        if not current_scope().can_read_territory(territory):
            raise RuleError(_("choose a place your organization holds"), field="territory")
    return {"kind": kind, "title": _text(title, "title", 100, required=True), "duties": _text(duties, "duties", 2000),
            "seats": number, "term_start": start, "term_end": end, "territory": territory,
            "place": _text(place, "place", 200)}


@transaction.atomic
def post_create(*, org: Organization, kind: Any, title: Any, duties: Any = "", seats: Any = 1, term_start: Any,
                term_end: Any = None, territory: Any = None, place: Any = "") -> Post:
    _open_org(org)
    values = _post_values(org, kind=kind, title=title, duties=duties, seats=seats, term_start=term_start,
                          term_end=term_end, territory=territory, place=place)
    post = Post.objects.create(org=org, **values)
    audit.record("posts.post_create", post, after=audit.snapshot(post, POST_FIELDS), org_id=org.pk)
    return post


def _approved_count(post: Post) -> int:
    return PostClaim.objects.filter(post=post, state=ClaimState.APPROVED).count()


@transaction.atomic
def post_update(post: Post, *, version: Any, kind: Any, title: Any, duties: Any = "", seats: Any = 1,
                term_start: Any, term_end: Any = None, territory: Any = None, place: Any = "") -> Post:
    post = Post.objects.select_for_update(of=("self",)).select_related("org").get(pk=post.pk)
    _open_org(post.org)
    check_version(post, version)
    values = _post_values(post.org, kind=kind, title=title, duties=duties, seats=seats, term_start=term_start,
                          term_end=term_end, territory=territory, place=place)
    if kind.pk != post.kind_id and not kind.active:
        raise RuleError(_("the kind %(kind)s is inactive") % {"kind": kind.name}, field="kind")
    if values["seats"] < _approved_count(post):
        raise RuleError(_("%(n)d members hold this post: end claims before reducing the seats")
                        % {"n": _approved_count(post)}, field="seats")
    first = PostClaim.objects.filter(post=post).order_by("claimed_on").values_list("claimed_on", flat=True).first()
    if first is not None and values["term_start"] > first:
        raise RuleError(_("a claim was made on %(date)s: the term cannot start after it") % {"date": first},
                        field="term_start")
    before = audit.snapshot(post, POST_FIELDS)
    for name, value in values.items():
        setattr(post, name, value)
    post.save()
    post.refresh_from_db()
    audit.record("posts.post_update", post, before=before, after=audit.snapshot(post, POST_FIELDS),
                 org_id=post.org_id)
    return post


# --- claims ----------------------------------------------------------------------------------------------------

def _is_own(member: Member) -> bool:
    return member.pk in current_scope().own_member_ids


def open_claims(member: Member, day: dt.date) -> Any:
    """The member's open claims (pending or approved) of posts whose term has not ended on `day`."""
    return PostClaim.objects.filter(member=member, state__in=ACTIVE_STATES).filter(
        Q(post__term_end__isnull=True) | Q(post__term_end__gte=day))


@transaction.atomic
def claim_post(*, post: Post, member: Member, claimed_on: Any = None, note: Any = "") -> PostClaim:
    """A member claims a post: themself (their own account), or the secretary on their behalf."""
    post = Post.objects.select_for_update(of=("self",)).select_related("org", "kind").get(pk=post.pk)
    member = Member.objects.select_related("org").get(pk=member.pk)
    scope = current_scope()
    own = _is_own(member)
    if not own and not scope.can_write_member(member):
        raise PermissionDeniedError(_("you may not claim a post for %(name)s") % {"name": member.name})
    day = _not_future(_date(claimed_on or today(), "claimed_on") or today(), "claimed_on")
    if post.org.revoked_on is not None:
        raise RuleError(_("%(org)s has been revoked") % {"org": post.org.name}, field="post")
    if member.org is None or not member.org.path.startswith(post.org.path) or member.standing != Standing.ACTIVE:
        raise RuleError(_("%(name)s is not a member of %(org)s and cannot claim its posts")
                        % {"name": member.name, "org": post.org.name}, field="member")
    if not post.open_on(day):
        raise RuleError(_("the post's term does not cover %(date)s") % {"date": day}, field="claimed_on")
    if PostClaim.objects.filter(post=post, member=member, state__in=ACTIVE_STATES).exists():
        raise RuleError(_("%(name)s has already claimed this post") % {"name": member.name}, field="member")
    if _approved_count(post) >= post.seats:
        raise RuleError(_("every seat of this post is taken"), field="post")
    limit = claims_limit(post.org, day)
    if open_claims(member, day).count() >= limit:
        raise RuleError(_("%(name)s already holds %(n)d post(s), the most allowed here")
                        % {"name": member.name, "n": limit}, field="member")
    claim = PostClaim(post=post, member=member, claimed_on=day, on_behalf=not own, note=_text(note, "note", 300))
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise RuleError(_("%(name)s has already claimed this post") % {"name": member.name}, field="member") from None
    audit.record("posts.claim", claim, after=audit.snapshot(claim, CLAIM_FIELDS), org_id=post.org_id,
                 extra={"on_behalf": not own})
    return claim


def _locked_claim(claim: PostClaim, version: Any) -> PostClaim:
    claim = PostClaim.objects.select_for_update(of=("self",)).select_related("post__org", "member__org").get(pk=claim.pk)
    check_version(claim, version)
    return claim


def _decision_day(claim: PostClaim, on: Any, field: str = "on") -> dt.date:
    day = _not_future(_date(on or today(), field) or today(), field)
    if day < claim.claimed_on:
        raise RuleError(_("the date is before the claim (%(date)s)") % {"date": claim.claimed_on}, field=field)
    return day


def _save_change(claim: PostClaim, action: str, before: dict[str, Any]) -> PostClaim:
    claim.save()
    claim.refresh_from_db()
    audit.record(action, claim, before=before, after=audit.snapshot(claim, CLAIM_FIELDS), org_id=claim.post.org_id)
    return claim


@transaction.atomic
def claim_approve(claim: PostClaim, *, version: Any, on: Any = None) -> PostClaim:
    """The branch approves a pending claim: the member holds a seat from `on`. Refused when the seats are full."""
    claim = _locked_claim(claim, version)
    require_write_org(claim.post.org)
    if claim.state != ClaimState.PENDING:
        raise RuleError(_("only a claim awaiting approval can be approved"), field="state")
    Post.objects.select_for_update().filter(pk=claim.post_id).first()  # seats are counted under the post's lock
    if _approved_count(claim.post) >= claim.post.seats:
        raise RuleError(_("every seat of this post is taken"), field="post")
    day = _decision_day(claim, on)
    before = audit.snapshot(claim, CLAIM_FIELDS)
    claim.state, claim.decided_on, claim.approved_on = ClaimState.APPROVED, day, day
    return _save_change(claim, "posts.claim_approve", before)


@transaction.atomic
def claim_decline(claim: PostClaim, *, version: Any, reason: Any, on: Any = None) -> PostClaim:
    """The branch declines a pending claim, with a reason the member sees."""
    claim = _locked_claim(claim, version)
    require_write_org(claim.post.org)
    if claim.state != ClaimState.PENDING:
        raise RuleError(_("only a claim awaiting approval can be declined"), field="state")
    text = _text(reason, "reason", 300, required=True)
    day = _decision_day(claim, on)
    before = audit.snapshot(claim, CLAIM_FIELDS)
    claim.state, claim.decided_on, claim.reason = ClaimState.DECLINED, day, text
    return _save_change(claim, "posts.claim_decline", before)


@transaction.atomic
def claim_withdraw(claim: PostClaim, *, version: Any, on: Any = None, reason: Any = "") -> PostClaim:
    """The member withdraws a pending or approved claim (the secretary may on their behalf)."""
    claim = _locked_claim(claim, version)
    if not _is_own(claim.member) and not current_scope().can_write_member(claim.member):
        raise PermissionDeniedError(_("you may not withdraw %(name)s's claim") % {"name": claim.member.name})
    if claim.state not in ACTIVE_STATES:
        raise RuleError(_("only a claim awaiting approval or approved can be withdrawn"), field="state")
    day = _decision_day(claim, on)
    if claim.approved_on is not None and day < claim.approved_on:
        raise RuleError(_("the date is before the approval (%(date)s)") % {"date": claim.approved_on}, field="on")
    before = audit.snapshot(claim, CLAIM_FIELDS)
    if claim.state == ClaimState.APPROVED:
        claim.ended_on = day
    claim.state, claim.reason = ClaimState.WITHDRAWN, _text(reason, "reason", 300)
    return _save_change(claim, "posts.claim_withdraw", before)


@transaction.atomic
def claim_end(claim: PostClaim, *, version: Any, on: Any, reason: Any = "") -> PostClaim:
    """The branch ends an approved claim on a date (the last day the member held the post)."""
    claim = _locked_claim(claim, version)
    require_write_org(claim.post.org)
    if claim.state != ClaimState.APPROVED:
        raise RuleError(_("only an approved claim can be ended"), field="state")
    day = _date(on, "ended_on")
    assert day is not None
    _not_future(day, "ended_on")
    if claim.approved_on is not None and day < claim.approved_on:
        raise RuleError(_("the date is before the approval (%(date)s)") % {"date": claim.approved_on},
                        field="ended_on")
    before = audit.snapshot(claim, CLAIM_FIELDS)
    claim.state, claim.ended_on, claim.reason = ClaimState.ENDED, day, _text(reason, "reason", 300)
    return _save_change(claim, "posts.claim_end", before)
