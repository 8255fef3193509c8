"""Every state change of a commitment, allowed and refused (wrong state, wrong role, outside the scope), and no
lost edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grassroots.commitments import services
from grassroots.commitments.models import Commitment
from grassroots.core.context import acting
from grassroots.core.errors import PermissionDeniedError, RuleError, StaleVersionError
from grassroots.core.models import AuditEntry

from .conftest import YEAR, D, make, set_result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# --- making ----------------------------------------------------------------------------------------------

def test_a_member_makes_their_own_commitment(cast: Any) -> None:
    c = make(cast.member, user=cast.member_user, level="practical", theme="environment", text="每月清理楼道一次")
    assert (c.org, c.year, c.level, c.theme, c.on_behalf, c.recorded_by) == (
        cast.branch_a, YEAR, "practical", "environment", False, cast.member_user)
    assert c.state == "open"
    entry = AuditEntry.objects.get(action="commitment.make", object_id=str(c.pk))
    assert entry.org_id == cast.branch_a.pk and entry.actor_id == cast.member_user.pk


def test_a_secretary_enters_one_on_the_members_behalf_recorded_as_such(cast: Any) -> None:
    c = make(cast.member, user=cast.secretary)
    assert c.on_behalf is True and c.recorded_by == cast.secretary


@pytest.mark.parametrize("role", ["auditor", "outsider"])
def test_making_refused_to_a_role_that_may_not_write_the_member(cast: Any, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        make(cast.member, user=cast.users[role])
    assert not Commitment.objects.exists()


def test_a_member_may_not_make_one_for_another_member(cast: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        make(cast.member_a2, user=cast.member_user)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"level": "loud"}, "level"),
    ({"level": "practical"}, "theme"),
    ({"level": "practical", "theme": "weather"}, "theme"),
    ({"text": "  "}, "text"),
    ({"text": "x" * 1001}, "text"),
    ({"deadline": D(YEAR, 2, 1)}, "deadline"),
    ({"deadline": D(YEAR + 2, 1, 1)}, "deadline"),
    ({"made_on": D(YEAR - 2, 1, 1)}, "made_on"),
    ({"made_on": timezone.localdate() + dt.timedelta(days=2)}, "made_on"),
    ({"year": 1900}, "year"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast: Any, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleError) as err:
        make(cast.member, **kwargs)
    assert err.value.field == field
    assert not Commitment.objects.exists()


def test_a_theme_is_dropped_from_a_commitment_that_is_not_practical(cast: Any) -> None:
    assert make(cast.member, level="post", theme="culture").theme == ""


def test_not_a_member_on_the_day(cast: Any) -> None:
    with pytest.raises(RuleError) as err:
        make(cast.member, year=2001, made_on=D(2001, 1, 5), deadline=D(2001, 12, 31))
    assert err.value.field == "made_on"


# --- progress -----------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_progress_by_the_member_without_a_photo_and_by_the_secretary_with_one(cast: Any) -> None:
    c = make(cast.member)
    with acting(cast.member_user, "web"):
        first = services.progress_add(c, date=D(YEAR, 4, 1), text="打扫了楼道")
    with acting(cast.secretary, "web"):
        second = services.progress_add(c, date=D(YEAR, 5, 1), text="组织了清洁日",
                                       photo=SimpleUploadedFile("day.png", PNG))
    assert not first.photo and second.photo
    assert list(c.progress.values_list("text", flat=True)) == ["打扫了楼道", "组织了清洁日"]


def test_progress_refused_outside_the_scope_before_the_commitment_and_once_it_has_a_result(cast: Any) -> None:
    c = make(cast.member)
    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        services.progress_add(c, date=D(YEAR, 4, 1), text="x")
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        services.progress_add(c, date=D(YEAR, 4, 1), text="x")
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.progress_add(c, date=D(YEAR, 2, 1), text="x")
    assert err.value.field == "date"
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.progress_add(c, date=D(YEAR, 4, 1), text="x", photo=SimpleUploadedFile("a.exe", b"MZ"))
    assert err.value.field == "file"
    set_result(c)
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.progress_add(c, date=D(YEAR, 4, 1), text="x")
    assert err.value.field == "state"
    assert not c.progress.exists()


# --- the result ----------------------------------------------------------------------------------------------

def test_the_branch_sets_the_result_and_changes_it_later(cast: Any) -> None:
    c = make(cast.member)
    kept = set_result(c, "kept", user=cast.secretary)
    assert (kept.result, kept.result_on, kept.result_by, kept.state) == ("kept", D(YEAR + 1, 1, 10), cast.secretary,
                                                                         "kept")
    partly = set_result(kept, "partly", note="完成了一半", user=cast.street_admin)
    assert (partly.result, partly.result_note, partly.version) == ("partly", "完成了一半", kept.version + 1)
    assert AuditEntry.objects.filter(action="commitment.result", object_id=str(c.pk)).count() == 2


@pytest.mark.parametrize("role", ["member", "auditor", "outsider"])
def test_the_result_refused_to_anyone_but_the_branch(cast: Any, role: str) -> None:
    c = make(cast.member)
    with pytest.raises(PermissionDeniedError):
        set_result(c, user=cast.users[role])
    c.refresh_from_db()
    assert c.result == ""


def test_the_result_needs_a_note_unless_kept_and_a_known_value(cast: Any) -> None:
    c = make(cast.member)
    with acting(None, "system"):
        with pytest.raises(RuleError) as err:
            services.result_set(c, version=c.version, result="not_kept", note="", on=D(YEAR + 1, 1, 5))
        assert err.value.field == "note"
        with pytest.raises(RuleError) as err:
            services.result_set(c, version=c.version, result="maybe", on=D(YEAR + 1, 1, 5))
        assert err.value.field == "result"
        with pytest.raises(RuleError) as err:
            services.result_set(c, version=c.version, result="kept", on=D(YEAR, 1, 5))
        assert err.value.field == "on"


def test_a_stale_result_is_refused(cast: Any) -> None:
    c = make(cast.member)
    old = c.version
    set_result(c, "kept", user=cast.secretary)
    with acting(cast.street_admin, "web"), pytest.raises(StaleVersionError) as err:
        services.result_set(c, version=old, result="not_kept", note="没做", on=D(YEAR + 1, 1, 12))
    assert err.value.field == "version" and "secretary" in err.value.message
    c.refresh_from_db()
    assert c.result == "kept"


# --- edit ------------------------------------------------------------------------------------------------------

def test_the_member_edits_an_open_commitment_and_a_stale_edit_is_refused(cast: Any) -> None:
    c = make(cast.member)
    with acting(cast.member_user, "web"):
        edited = services.commitment_edit(c, version=c.version, level="practical", theme="culture",
                                          text="组织一次广场舞活动", deadline=D(YEAR, 10, 1))
    assert (edited.level, edited.theme, edited.text, edited.version) == ("practical", "culture", "组织一次广场舞活动", 2)
    with acting(cast.secretary, "web"), pytest.raises(StaleVersionError):
        services.commitment_edit(c, version=1, level="common", text="别的", deadline=D(YEAR, 10, 1))
    with acting(cast.outsider, "web"), pytest.raises(PermissionDeniedError):
        services.commitment_edit(c, version=2, level="common", text="别的", deadline=D(YEAR, 10, 1))
    set_result(edited)
    edited.refresh_from_db()
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.commitment_edit(edited, version=edited.version, level="common", text="别的", deadline=D(YEAR, 10, 1))
    assert err.value.field == "state"


# --- withdrawal ------------------------------------------------------------------------------------------------

def test_the_member_withdraws_before_the_deadline_with_a_reason(cast: Any) -> None:
    c = make(cast.member)
    with acting(cast.member_user, "web"):
        w = services.commitment_withdraw(c, version=c.version, reason="因病住院", on=D(YEAR, 6, 1))
    assert (w.state, w.withdrawn_on, w.withdraw_reason) == ("withdrawn", D(YEAR, 6, 1), "因病住院")
    with acting(None, "system"):
        with pytest.raises(RuleError) as err:
            services.result_set(w, version=w.version, result="kept", on=D(YEAR + 1, 1, 5))
        assert err.value.field == "state"
        with pytest.raises(RuleError) as err:
            services.commitment_withdraw(w, version=w.version, reason="again", on=D(YEAR, 6, 2))
        assert err.value.field == "state"


def test_withdrawal_refused_after_the_deadline_without_a_reason_with_a_result_stale_or_by_another(cast: Any) -> None:
    c = make(cast.member, deadline=D(YEAR, 6, 30))
    with acting(None, "system"):
        with pytest.raises(RuleError) as err:
            services.commitment_withdraw(c, version=c.version, reason="晚了", on=D(YEAR, 7, 1))
        assert err.value.field == "on"
        with pytest.raises(RuleError) as err:
            services.commitment_withdraw(c, version=c.version, reason=" ", on=D(YEAR, 6, 1))
        assert err.value.field == "reason"
        with pytest.raises(StaleVersionError):
            services.commitment_withdraw(c, version=c.version + 5, reason="x", on=D(YEAR, 6, 1))
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        services.commitment_withdraw(c, version=c.version, reason="x", on=D(YEAR, 6, 1))
    kept = set_result(c)
    with acting(None, "system"), pytest.raises(RuleError) as err:
        services.commitment_withdraw(kept, version=kept.version, reason="x", on=D(YEAR, 6, 1))
    assert err.value.field == "state"
    c.refresh_from_db()
    assert c.withdrawn_on is None
