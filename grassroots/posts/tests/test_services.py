"""Kinds, settings, posts and claims: every state change allowed and refused (wrong state, wrong role, outside
scope), seats, the one-open-claim limit and its per-organization setting, no lost edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import make_member
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.posts import services
from grassroots.posts.models import ClaimState, PostKind
from grassroots.posts.presets import PRESETS

from .conftest import TERM_START, as_user

DAY = dt.date(2024, 3, 1)


def claim(user: Any, post: Any, member: Any, day: dt.date = DAY) -> Any:
    return as_user(user, lambda: services.claim_post(post=post, member=member, claimed_on=day))


# --- kinds ------------------------------------------------------------------------------------------------------

def test_presets_load_once_and_keep_what_is_there(cast: Any) -> None:
    added = as_user(cast.street_admin, lambda: services.kinds_load_presets(org=cast.street, preset="wulan"))
    assert [k.name for k in added] == [p.name for p in PRESETS["wulan"]]
    assert as_user(cast.street_admin, lambda: services.kinds_load_presets(org=cast.street, preset="wulan")) == []
    both = as_user(cast.street_admin, lambda: services.kinds_load_presets(org=cast.street, preset="seed004"))
    assert len(both) == 8
    assert PostKind.objects.filter(org=cast.street).count() == 18
    assert AuditEntry.objects.filter(action="posts.kind_create").count() == 18


@pytest.mark.parametrize("who", ["auditor", "member_user", "outsider"])
def test_presets_refused_to_readers_and_outsiders(cast: Any, who: str) -> None:
    with pytest.raises(PermissionDeniedError):
        as_user(getattr(cast, who), lambda: services.kinds_load_presets(org=cast.street, preset="seed004"))
    assert not PostKind.objects.exists()


def test_unknown_preset_names_the_field(cast: Any) -> None:
    with pytest.raises(RuleError) as err:
        as_user(cast.street_admin, lambda: services.kinds_load_presets(org=cast.street, preset="nope"))
    assert err.value.field == "preset"


def test_kind_create_update_deactivate(cast: Any) -> None:
    kind = as_user(cast.secretary, lambda: services.kind_create(org=cast.branch_a, name="老兵帮扶岗"))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.kind_create(org=cast.branch_a, name="老兵帮扶岗"))
    assert err.value.field == "name"
    kind = as_user(cast.secretary, lambda: services.kind_update(kind, version=kind.version, name="退役军人帮扶岗",
                                                                 name_en="Veterans' support"))
    assert kind.name == "退役军人帮扶岗" and kind.version == 2
    with pytest.raises(StaleVersionError):
        as_user(cast.secretary, lambda: services.kind_update(kind, version=1, name="x"))
    kind = as_user(cast.secretary, lambda: services.kind_set_active(kind, active=False, version=kind.version))
    assert not kind.active
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.kind_set_active(kind, active=False, version=kind.version))
    assert err.value.field == "active"
    kind = as_user(cast.secretary, lambda: services.kind_set_active(kind, active=True, version=kind.version))
    assert kind.active


def test_kind_of_another_branch_refused(cast: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        as_user(cast.secretary, lambda: services.kind_create(org=cast.branch_b, name="x"))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.kind_create(org=cast.branch_a, name=" "))
    assert err.value.field == "name"


# --- posts ------------------------------------------------------------------------------------------------------

def test_post_uses_kinds_from_above_only(cast: Any, kinds: dict[str, Any]) -> None:
    b_kind = as_user(cast.street_admin, lambda: services.kind_create(org=cast.branch_b, name="B岗"))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.post_create(org=cast.branch_a, kind=b_kind, title="x",
                                                             term_start=TERM_START))
    assert err.value.field == "kind"
    post = as_user(cast.secretary, lambda: services.post_create(org=cast.branch_a, kind=kinds["便民服务岗"],
                                                                title="代办代缴", seats=3, term_start=TERM_START))
    assert post.org == cast.branch_a and post.seats == 3


@pytest.mark.parametrize("field,values", [
    ("seats", {"seats": 0}), ("seats", {"seats": "many"}), ("title", {"title": ""}),
    ("term_end", {"term_end": dt.date(2023, 1, 1)}), ("term_start", {"term_start": None}),
])
def test_post_bad_input_names_the_field(cast: Any, kinds: dict[str, Any], field: str, values: dict[str, Any]) -> None:
    args: dict[str, Any] = {"org": cast.branch_a, "kind": kinds["便民服务岗"], "title": "代办", "seats": 1,
                            "term_start": TERM_START, **values}
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.post_create(**args))
    assert err.value.field == field


def test_post_with_inactive_kind_refused(cast: Any, kinds: dict[str, Any]) -> None:
    kind = kinds["便民服务岗"]
    as_user(cast.street_admin, lambda: services.kind_set_active(kind, active=False, version=kind.version))
    kind.refresh_from_db()
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.post_create(org=cast.branch_a, kind=kind, title="x",
                                                             term_start=TERM_START))
    assert err.value.field == "kind"


def test_post_refused_outside_scope(cast: Any, kinds: dict[str, Any]) -> None:
    for who in (cast.auditor, cast.member_user, cast.outsider):
        with pytest.raises(PermissionDeniedError):
            as_user(who, lambda: services.post_create(org=cast.branch_a, kind=kinds["便民服务岗"], title="x",
                                                      term_start=TERM_START))


def test_post_update_keeps_seats_held_and_refuses_stale(cast: Any, post: Any) -> None:
    c1 = claim(cast.secretary, post, cast.member)
    c2 = claim(cast.secretary, post, cast.member_a2)
    for c in (c1, c2):
        as_user(cast.secretary, lambda c=c: services.claim_approve(c, version=c.version, on=DAY))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.post_update(post, version=post.version, kind=post.kind,
                                                             title=post.title, seats=1, term_start=TERM_START))
    assert err.value.field == "seats"
    updated = as_user(cast.secretary, lambda: services.post_update(post, version=post.version, kind=post.kind,
                                                                   title="夜巡", seats=4, term_start=TERM_START))
    assert updated.title == "夜巡" and updated.seats == 4
    with pytest.raises(StaleVersionError):
        as_user(cast.secretary, lambda: services.post_update(post, version=post.version, kind=post.kind,
                                                             title="again", seats=4, term_start=TERM_START))


# --- claims -----------------------------------------------------------------------------------------------------

def test_member_claims_for_themself(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    assert c.state == ClaimState.PENDING and not c.on_behalf and c.recorded_by == cast.member_user


def test_secretary_claims_on_behalf(cast: Any, post: Any) -> None:
    c = claim(cast.secretary, post, cast.member_a2)
    assert c.on_behalf
    entry = AuditEntry.objects.get(action="posts.claim")
    assert entry.changes["extra"]["on_behalf"] is True


def test_member_cannot_claim_for_another(cast: Any, post: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        claim(cast.member_user, post, cast.member_a2)


def test_claim_outside_the_post_subtree_refused(cast: Any, post: Any) -> None:
    with pytest.raises(RuleError) as err:
        claim(cast.street_admin, post, cast.member_b)  # B is beside A, not under it
    assert err.value.field == "member"
    with pytest.raises(RuleError) as err:  # the outsider writes C's member, who is not under A
        claim(cast.outsider, post, cast.member_c)
    assert err.value.field == "member"
    with pytest.raises(PermissionDeniedError):  # and may not claim for A's member
        claim(cast.outsider, post, cast.member)


def test_claim_outside_the_term_refused(cast: Any, post: Any) -> None:
    with pytest.raises(RuleError) as err:
        claim(cast.secretary, post, cast.member, dt.date(2023, 12, 31))
    assert err.value.field == "claimed_on"


def test_claim_twice_refused(cast: Any, post: Any) -> None:
    claim(cast.member_user, post, cast.member)
    with pytest.raises(RuleError) as err:
        claim(cast.secretary, post, cast.member)
    assert err.value.field == "member"


def test_one_open_claim_by_default_and_the_setting_allows_more(cast: Any, post: Any, kinds: dict[str, Any]) -> None:
    second = as_user(cast.street_admin, lambda: services.post_create(org=cast.general, kind=kinds["便民服务岗"],
                                                                     title="代办", term_start=TERM_START))
    claim(cast.member_user, post, cast.member)
    with pytest.raises(RuleError) as err:
        claim(cast.member_user, second, cast.member)
    assert err.value.field == "member"
    as_user(cast.street_admin, lambda: services.setting_save(org=cast.general, max_active_claims=2))
    assert services.claims_limit(cast.branch_a, DAY) == 2
    assert claim(cast.member_user, second, cast.member).state == ClaimState.PENDING


def test_setting_bad_number_and_refused_role(cast: Any) -> None:
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.setting_save(org=cast.branch_a, max_active_claims=0))
    assert err.value.field == "max_active_claims"
    with pytest.raises(PermissionDeniedError):
        as_user(cast.auditor, lambda: services.setting_save(org=cast.branch_a, max_active_claims=2))


def test_seats_respected(cast: Any, kinds: dict[str, Any]) -> None:
    one = as_user(cast.secretary, lambda: services.post_create(org=cast.branch_a, kind=kinds["便民服务岗"],
                                                               title="一人岗", seats=1, term_start=TERM_START))
    c1 = claim(cast.member_user, one, cast.member)
    c2 = claim(cast.secretary, one, cast.member_a2)  # a second claim may wait while the seat is not yet given
    as_user(cast.secretary, lambda: services.claim_approve(c1, version=c1.version, on=DAY))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_approve(c2, version=c2.version, on=DAY))
    assert err.value.field == "post"
    third = as_user(cast.street_admin, lambda: services.post_create(org=cast.branch_b, kind=kinds["便民服务岗"],
                                                                    title="B一人岗", term_start=TERM_START))
    held = claim(cast.street_admin, third, cast.member_b)
    as_user(cast.street_admin, lambda: services.claim_approve(held, version=held.version, on=DAY))
    # a full post takes no new claim
    with acting(None, "system"):
        other_b = make_member(cast.branch_b, name="钱多")
    with pytest.raises(RuleError) as err:
        claim(cast.street_admin, third, other_b)
    assert err.value.field == "post"


def test_approve_decline_by_the_branch_only(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    for who in (cast.member_user, cast.auditor, cast.outsider):
        with pytest.raises(PermissionDeniedError):
            as_user(who, lambda: services.claim_approve(c, version=c.version, on=DAY))
        with pytest.raises(PermissionDeniedError):
            as_user(who, lambda: services.claim_decline(c, version=c.version, reason="no", on=DAY))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_decline(c, version=c.version, reason="  ", on=DAY))
    assert err.value.field == "reason"
    declined = as_user(cast.secretary, lambda: services.claim_decline(c, version=c.version, reason="名额已满",
                                                                      on=DAY))
    assert declined.state == ClaimState.DECLINED and declined.reason == "名额已满"
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_approve(declined, version=declined.version, on=DAY))
    assert err.value.field == "state"
    with pytest.raises(RuleError):
        as_user(cast.member_user, lambda: services.claim_withdraw(declined, version=declined.version, on=DAY))


def test_the_level_above_approves(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    approved = as_user(cast.street_admin, lambda: services.claim_approve(c, version=c.version, on=DAY))
    assert approved.state == ClaimState.APPROVED and approved.approved_on == DAY


def test_stale_approval_refused(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    as_user(cast.member_user, lambda: services.claim_withdraw(c, version=c.version, on=DAY))
    with pytest.raises(StaleVersionError):
        as_user(cast.secretary, lambda: services.claim_approve(c, version=c.version, on=DAY))


def test_approval_before_the_claim_or_in_the_future_refused(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_approve(c, version=c.version, on=DAY - dt.timedelta(days=1)))
    assert err.value.field == "on"
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_approve(c, version=c.version, on=dt.date(2999, 1, 1)))
    assert err.value.field == "on"


def test_withdraw_pending_and_approved(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    w = as_user(cast.member_user, lambda: services.claim_withdraw(c, version=c.version, on=DAY))
    assert w.state == ClaimState.WITHDRAWN and w.ended_on is None
    c2 = claim(cast.member_user, post, cast.member)  # a withdrawn claim frees the member to claim again
    c2 = as_user(cast.secretary, lambda: services.claim_approve(c2, version=c2.version, on=DAY))
    later = DAY + dt.timedelta(days=30)
    w2 = as_user(cast.secretary, lambda: services.claim_withdraw(c2, version=c2.version, on=later))  # on behalf
    assert w2.state == ClaimState.WITHDRAWN and w2.ended_on == later


def test_withdraw_refused_to_others(cast: Any, post: Any) -> None:
    c = claim(cast.secretary, post, cast.member_a2)
    for who in (cast.member_user, cast.auditor, cast.outsider):
        with pytest.raises(PermissionDeniedError):
            as_user(who, lambda: services.claim_withdraw(c, version=c.version, on=DAY))


def test_end_approved_only(cast: Any, post: Any) -> None:
    c = claim(cast.member_user, post, cast.member)
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_end(c, version=c.version, on=DAY))
    assert err.value.field == "state"
    c = as_user(cast.secretary, lambda: services.claim_approve(c, version=c.version, on=DAY))
    with pytest.raises(PermissionDeniedError):
        as_user(cast.member_user, lambda: services.claim_end(c, version=c.version, on=DAY))
    with pytest.raises(RuleError) as err:
        as_user(cast.secretary, lambda: services.claim_end(c, version=c.version, on=DAY - dt.timedelta(days=1)))
    assert err.value.field == "ended_on"
    ended = as_user(cast.secretary, lambda: services.claim_end(c, version=c.version, on=DAY, reason="外出务工"))
    assert ended.state == ClaimState.ENDED and ended.ended_on == DAY
    with pytest.raises(RuleError):
        as_user(cast.secretary, lambda: services.claim_withdraw(ended, version=ended.version, on=DAY))


def test_member_not_active_cannot_claim(cast: Any, post: Any) -> None:
    from grassroots.members.models import Member, Standing

    Member.objects.filter(pk=cast.member_a2.pk).update(standing=Standing.SUSPENDED)
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.claim_post(post=post, member=cast.member_a2, claimed_on=DAY)
    assert err.value.field == "member"


@pytest.mark.parametrize("who", ["auditor", "member_user", "outsider"])
def test_every_write_refused_to_readers_members_and_outsiders(cast: Any, post: Any, who: str) -> None:
    user = getattr(cast, who)
    kind = post.kind
    c = claim(cast.secretary, post, cast.member_a2)
    approved = claim(cast.secretary, post, cast.member)
    approved = as_user(cast.secretary, lambda: services.claim_approve(approved, version=approved.version, on=DAY))
    writes = [
        lambda: services.kind_update(kind, version=kind.version, name="x"),
        lambda: services.kind_set_active(kind, active=False, version=kind.version),
        lambda: services.post_update(post, version=post.version, kind=kind, title="x", term_start=TERM_START),
        lambda: services.setting_save(org=cast.branch_a, max_active_claims=2),
        lambda: services.claim_approve(c, version=c.version, on=DAY),
        lambda: services.claim_decline(c, version=c.version, reason="x", on=DAY),
        lambda: services.claim_withdraw(c, version=c.version, on=DAY),
        lambda: services.claim_end(approved, version=approved.version, on=DAY),
    ]
    for write in writes:
        with pytest.raises(PermissionDeniedError):
            as_user(user, write)
    c.refresh_from_db()
    assert c.state == ClaimState.PENDING
