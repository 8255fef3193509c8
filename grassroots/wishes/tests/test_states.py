"""Every change of a wish's state, allowed and refused: wrong state, a second claimant, outside the scope, a member
claiming for someone else, a secretary acting for a member (recorded as such), the resident's confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry
from grassroots.wishes import selectors, services
from grassroots.wishes.models import State, Wish, WishEvent

from .fixtures import DAY, intake_on, make_wish

pytestmark = pytest.mark.django_db
NEXT = DAY + dt.timedelta(days=1)


def as_(user: Any) -> Any:
    return acting(user, "web")


def states() -> list[str]:
    return list(Wish.objects.order_by("pk").values_list("state", flat=True))


# --- taking in ------------------------------------------------------------------------------------------------

def test_public_submission_needs_the_intake_switched_on(cast: Any) -> None:
    with pytest.raises(RuleError) as exc:
        services.submit_wish(cast.branch_a, text="一本字典", resident_name="张三", resident_phone="13900001111")
    assert exc.value.field == "org" and not Wish.objects.exists()
    intake_on(cast.branch_a)
    wish = services.submit_wish(cast.branch_a, text="一本字典", resident_name="张三", resident_phone="13900001111",
                                via_qr=True)
    assert wish.state == State.COLLECTED and wish.channel == "qr" and wish.number.startswith("A-W")
    assert len(wish.tracking_code) == services.TRACKING_LENGTH
    assert list(wish.events.values_list("action", flat=True)) == ["collected"]


def test_intake_is_switched_by_an_organizer_not_a_secretary(cast: Any) -> None:
    with as_(cast.secretary), pytest.raises(PermissionDeniedError):
        services.set_intake(cast.branch_a, enabled=True)
    with as_(cast.street_admin):
        intake = services.set_intake(cast.branch_a, enabled=True)
        assert selectors.intake_open(cast.branch_a)
        with pytest.raises(StaleVersionError):
            services.set_intake(cast.branch_a, enabled=False, version=intake.version + 1)
        services.set_intake(cast.branch_a, enabled=False, version=intake.version)
    assert not selectors.intake_open(cast.branch_a)
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        services.set_intake(cast.branch_a, enabled=True)


def test_staff_entry_names_the_field_and_stays_in_scope(cast: Any) -> None:
    with as_(cast.secretary):
        with pytest.raises(RuleError) as exc:
            services.record_wish(cast.branch_a, text="", resident_name="张三")
        assert exc.value.field == "text"
        with pytest.raises(RuleError) as exc:
            services.record_wish(cast.branch_a, text="字典", resident_name="张三", resident_phone="电话")
        assert exc.value.field == "resident_phone"
        with pytest.raises(RuleError) as exc:
            services.record_wish(cast.branch_a, text="字典", resident_name="张三",
                                 collected_on=dt.date.today() + dt.timedelta(days=2))
        assert exc.value.field == "collected_on"
        with pytest.raises(PermissionDeniedError):
            services.record_wish(cast.branch_b, text="字典", resident_name="张三")
        wish = services.record_wish(cast.branch_a, text="字典", resident_name="张三", collected_on=DAY)
    assert wish.channel == "staff" and wish.recorded_by == cast.secretary
    with as_(cast.member_user), pytest.raises(PermissionDeniedError):
        services.record_wish(cast.branch_a, text="字典", resident_name="张三")


def test_a_wish_from_a_visit(cast: Any) -> None:
    with as_(cast.secretary):
        wish = services.wish_from_visit(cast.branch_a, resident_name="王奶奶", text="修一修门锁", visited_on=DAY,
                                        visit_ref="household:17")
    assert (wish.channel, wish.collected_on, wish.visit_ref) == ("visit", DAY, "household:17")
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        services.wish_from_visit(cast.branch_a, resident_name="王奶奶", text="修门锁", visited_on=DAY)


def test_no_resident_contact_in_the_audit_log(cast: Any) -> None:
    make_wish(cast.branch_a, state="confirmed", member=cast.member)
    entries = " ".join(str(e.changes) for e in AuditEntry.objects.filter(action__startswith="wishes."))
    assert "wishes.collected" in AuditEntry.objects.values_list("action", flat=True)
    assert "13912345678" not in entries and "张阿姨" not in entries


# --- review -----------------------------------------------------------------------------------------------------

def test_publish_and_decline(cast: Any) -> None:
    one, two = make_wish(cast.branch_a), make_wish(cast.branch_a)
    with as_(cast.secretary):
        services.publish(one, on=DAY)
        with pytest.raises(RuleError) as exc:
            services.publish(one, on=DAY)  # published already
        assert exc.value.field == "state"
        with pytest.raises(RuleError) as exc:
            services.decline(two, reason="  ", on=DAY)
        assert exc.value.field == "reason"
        services.decline(two, reason="需由民政部门办理", on=DAY)
        with pytest.raises(RuleError):
            services.publish(two, on=DAY)  # declined
        with pytest.raises(RuleError) as exc:
            services.publish(make_wish(cast.branch_a), on=DAY - dt.timedelta(days=1))  # before it was collected
        assert exc.value.field == "on"
    assert states()[:2] == ["published", "declined"]
    assert Wish.objects.get(pk=two.pk).decline_reason == "需由民政部门办理"


def test_review_is_refused_outside_the_scope_and_to_the_auditor_and_member(cast: Any) -> None:
    wish = make_wish(cast.branch_a)
    for user in (cast.outsider, cast.auditor, cast.member_user):
        with as_(user), pytest.raises(PermissionDeniedError):
            services.publish(wish, on=DAY)
        with as_(user), pytest.raises(PermissionDeniedError):
            services.decline(wish, reason="x", on=DAY)
    assert states() == ["collected"]


def test_a_stale_version_is_refused(cast: Any) -> None:
    wish = make_wish(cast.branch_a)
    with as_(cast.secretary), pytest.raises(StaleVersionError):
        services.publish(wish, on=DAY, version=wish.version + 1)
    assert states() == ["collected"]


# --- claims -------------------------------------------------------------------------------------------------

def test_a_member_claims_for_themselves(cast: Any) -> None:
    wish = make_wish(cast.street, state="published")  # the street's wish: members below it may claim
    with as_(cast.member_user):
        services.claim(wish, member=cast.member, on=NEXT)
    wish.refresh_from_db()
    assert (wish.state, wish.claimant_member, wish.claimed_on) == (State.CLAIMED, cast.member, NEXT)
    event = wish.events.get(action="claimed")
    assert event.member == cast.member and not event.on_behalf and event.by_name == "member"


def test_a_member_may_not_claim_for_someone_else(cast: Any) -> None:
    wish = make_wish(cast.branch_a, state="published")
    with as_(cast.member_user), pytest.raises(PermissionDeniedError):
        services.claim(wish, member=cast.member_a2, on=NEXT)
    with as_(cast.member_user), pytest.raises(PermissionDeniedError):
        services.claim(wish, unit="某物业公司", on=NEXT)  # a unit is claimed for by the staff
    assert states() == ["published"]


def test_a_member_outside_the_collecting_organization_may_not_claim(cast: Any) -> None:
    wish = make_wish(cast.branch_b, state="published")
    with as_(cast.member_user), pytest.raises(RuleError) as exc:
        services.claim(wish, member=cast.member, on=NEXT)
    assert exc.value.field == "member" and states() == ["published"]


def test_the_secretary_claims_for_a_member_recorded_on_their_behalf(cast: Any) -> None:
    wish = make_wish(cast.street, state="published")
    with as_(cast.secretary):
        services.claim(wish, member=cast.member_a2, on=NEXT)
    event = WishEvent.objects.get(wish=wish, action="claimed")
    assert event.on_behalf and event.member == cast.member_a2 and event.by_name == "secretary"
    assert AuditEntry.objects.filter(action="wishes.claimed").last().changes["extra"]["on_behalf"] is True


def test_the_secretary_may_not_act_for_a_member_of_another_branch(cast: Any) -> None:
    wish = make_wish(cast.street, state="published")
    with as_(cast.secretary), pytest.raises(PermissionDeniedError):
        services.claim(wish, member=cast.member_b, on=NEXT)
    with as_(cast.outsider), pytest.raises(PermissionDeniedError):
        services.claim(wish, member=cast.member, on=NEXT)
    assert states() == ["published"]


def test_a_second_claimant_is_refused_until_the_claim_is_released(cast: Any) -> None:
    wish = make_wish(cast.street, state="published")
    with as_(cast.member_user):
        services.claim(wish, member=cast.member, on=NEXT)
    with as_(cast.street_admin), pytest.raises(RuleError) as exc:
        services.claim(wish, unit="和顺物业", on=NEXT)
    assert exc.value.field == "state" and "李明" in exc.value.message
    with as_(cast.street_admin), pytest.raises(RuleError):
        services.claim(wish, member=cast.member_b, on=NEXT)
    with as_(cast.member_user):
        services.release(wish, on=NEXT, reason="出差")
    wish.refresh_from_db()
    assert wish.state == State.PUBLISHED and wish.claimant_member is None
    with as_(cast.street_admin):
        services.claim(wish, member=cast.member_b, on=NEXT)
    wish.refresh_from_db()
    assert wish.claimant_member == cast.member_b
    assert list(wish.events.values_list("action", "claimant")) == [
        ("collected", ""), ("published", ""), ("claimed", "李明"), ("released", "李明"), ("claimed", "赵刚")]


def test_units_claim_one_at_a_time(cast: Any) -> None:
    wish = make_wish(cast.street, state="published")
    with as_(cast.street_admin):
        with pytest.raises(RuleError) as exc:
            services.claim(wish, member=cast.member, unit="和顺物业", on=NEXT)  # two claimants
        assert exc.value.field == "member"
        services.claim(wish, org=cast.branch_b, on=NEXT)
    wish.refresh_from_db()
    assert wish.claimant_name == "第二支部"
    with as_(cast.street_admin):
        services.release(wish, on=NEXT)
        services.claim(wish, unit="和顺物业", on=NEXT)
    wish.refresh_from_db()
    assert wish.claimant_name == "和顺物业" and wish.claimant_org is None


def test_claims_need_a_published_wish(cast: Any) -> None:
    for state in ("collected", "declined"):
        wish = make_wish(cast.branch_a, state=state)
        with as_(cast.member_user), pytest.raises(RuleError) as exc:
            services.claim(wish, member=cast.member, on=NEXT)
        assert exc.value.field == "state"
    with as_(cast.secretary), pytest.raises(RuleError):
        services.release(make_wish(cast.branch_a, state="published"), on=NEXT)


def test_a_release_by_someone_else_is_refused(cast: Any) -> None:
    wish = make_wish(cast.street, state="claimed", member=cast.member_b)
    for user in (cast.member_user, cast.secretary, cast.outsider):
        with as_(user), pytest.raises(PermissionDeniedError):
            services.release(wish, on=NEXT)
    assert states() == ["claimed"]


# --- fulfilment and confirmation --------------------------------------------------------------------------------

def test_the_member_fulfils_with_a_note_and_no_photo(cast: Any) -> None:
    wish = make_wish(cast.branch_a, state="claimed", member=cast.member)
    with as_(cast.member_user):
        with pytest.raises(RuleError) as exc:
            services.fulfil(wish, note="", on=DAY + dt.timedelta(days=5))
        assert exc.value.field == "note"
        with pytest.raises(RuleError) as exc:
            services.fulfil(wish, note="送到了", on=DAY - dt.timedelta(days=5))  # before the claim
        assert exc.value.field == "on"
        services.fulfil(wish, note="送到了", on=DAY + dt.timedelta(days=5))
    wish.refresh_from_db()
    assert (wish.state, wish.fulfilled_on, wish.photo.name) == (State.FULFILLED, DAY + dt.timedelta(days=5), "")
    assert not wish.events.get(action="fulfilled").on_behalf


def test_the_secretary_marks_it_fulfilled_on_the_members_behalf(cast: Any) -> None:
    wish = make_wish(cast.street, state="claimed", member=cast.member)
    with as_(cast.secretary):
        services.fulfil(wish, note="代李明登记：已送达", on=DAY + dt.timedelta(days=2))
    event = wish.events.get(action="fulfilled")
    assert event.on_behalf and event.member == cast.member and event.by_name == "secretary"


def test_fulfilment_is_refused_to_others_and_in_the_wrong_state(cast: Any) -> None:
    wish = make_wish(cast.street, state="claimed", member=cast.member)
    for user in (cast.auditor, cast.outsider):
        with as_(user), pytest.raises(PermissionDeniedError):
            services.fulfil(wish, note="x", on=NEXT)
    other = make_wish(cast.street, state="claimed", member=cast.member_b)
    with as_(cast.member_user), pytest.raises(PermissionDeniedError):
        services.fulfil(other, note="x", on=NEXT)  # someone else's claim
    with as_(cast.member_user), pytest.raises(RuleError) as exc:
        services.fulfil(make_wish(cast.branch_a, state="published"), note="x", on=NEXT)
    assert exc.value.field == "state"
    assert states() == ["claimed", "claimed", "published"]


def test_the_resident_confirms_by_the_tracking_code(cast: Any) -> None:
    wish = make_wish(cast.branch_a, state="claimed", member=cast.member)
    with pytest.raises(RuleError):
        services.confirm_by_resident(wish.tracking_code)  # not fulfilled yet
    with pytest.raises(RuleError) as exc:
        services.confirm_by_resident("WRONG")
    assert exc.value.field == "code"
    with as_(cast.member_user):
        services.fulfil(wish, note="送到了", on=NEXT + dt.timedelta(days=1))
    services.confirm_by_resident(wish.tracking_code.lower())
    wish.refresh_from_db()
    assert wish.state == State.CONFIRMED and wish.confirmed_by_resident
    assert wish.events.get(action="confirmed").by_resident
    with pytest.raises(RuleError):
        services.confirm_by_resident(wish.tracking_code)  # confirmed already


def test_staff_confirm_on_the_residents_behalf(cast: Any) -> None:
    wish = make_wish(cast.branch_a, state="fulfilled", member=cast.member)
    with as_(cast.member_user), pytest.raises(PermissionDeniedError):
        services.confirm_for_resident(wish, on=DAY + dt.timedelta(days=5))
    with as_(cast.secretary):
        services.confirm_for_resident(wish, on=DAY + dt.timedelta(days=5), note="电话回访")
    wish.refresh_from_db()
    assert wish.state == State.CONFIRMED and not wish.confirmed_by_resident
    with as_(cast.secretary), pytest.raises(RuleError):
        services.confirm_for_resident(wish, on=DAY + dt.timedelta(days=5))


def test_reveal_is_for_the_staff_and_logged(cast: Any) -> None:
    wish = make_wish(cast.branch_a)
    with as_(cast.secretary):
        assert services.reveal_contact(wish, field="resident_phone") == "13912345678"
        with pytest.raises(RuleError):
            services.reveal_contact(wish, field="text")
    assert AuditEntry.objects.filter(action="wishes.reveal_resident_phone").count() == 1
    for user in (cast.auditor, cast.member_user, cast.outsider):
        with as_(user), pytest.raises(PermissionDeniedError):
            services.reveal_contact(wish, field="resident_name")


def test_the_channels_each_way_in_takes(cast: Any) -> None:
    intake_on(cast.branch_a)
    with as_(cast.secretary):
        with pytest.raises(RuleError) as exc:
            services.record_wish(cast.branch_a, text="字典", resident_name="张三", channel="public")
        assert exc.value.field == "channel"
        with pytest.raises(PermissionDeniedError):  # only the system back-dates a form's wish (the demo)
            services.submit_wish(cast.branch_a, text="字典", resident_name="张三", sent_on=DAY)
    with acting(None, "system"):
        wish = services.submit_wish(cast.branch_a, text="字典", resident_name="张三", sent_on=DAY)
    assert (wish.channel, wish.collected_on) == ("public", DAY)


def test_the_secretary_gives_a_claim_back_for_the_member(cast: Any) -> None:
    wish = make_wish(cast.street, state="claimed", member=cast.member)
    with as_(cast.secretary):
        services.release(wish, on=NEXT, reason="李明住院，代为放弃")
    event = WishEvent.objects.get(wish=wish, action="released")
    assert event.on_behalf and event.member == cast.member and event.claimant == "李明"
    assert Wish.objects.get(pk=wish.pk).state == State.PUBLISHED
