"""`Recorded`: who typed a record in and when, one spelling in every app, filled from the acting user."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from grassroots.core.context import acting
from grassroots.core.models import Recorded
from grassroots.members.models import MemberEvent
from grassroots.members.services import member_record_event

pytestmark = pytest.mark.django_db


def test_no_model_spells_it_another_way() -> None:
    for model in apps.get_models():
        if not model.__module__.startswith("grassroots."):
            continue
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"entered_by", "entered_at", "created_by"}, model
        if "recorded_at" in names:
            assert issubclass(model, Recorded), f"{model.__name__} has recorded_at but is not Recorded"


def _event(cast: Any, actor: Any) -> MemberEvent:
    with acting(actor, "web"):
        member_record_event(cast.member_a2, kind="mobile_out", on=dt.date(2019, 5, 1))
    return MemberEvent.objects.filter(member=cast.member_a2).latest("id")


def test_the_acting_user_is_who_recorded_it(cast: Any) -> None:
    event = _event(cast, cast.secretary)
    assert event.recorded_by == cast.secretary and event.recorded_at is not None


def test_the_system_is_nobody(cast: Any) -> None:
    assert _event(cast, None).recorded_by is None


def test_a_resident_without_an_account_is_nobody(cast: Any) -> None:
    from grassroots.orgs.models import OrgChange

    with acting(AnonymousUser(), "web"):
        change = OrgChange.objects.create(org=cast.branch_a, kind="rename", date=dt.date(2019, 1, 1))
    assert change.recorded_by is None


def test_a_later_save_keeps_the_first_recorder(cast: Any) -> None:
    event = _event(cast, cast.secretary)
    with acting(cast.street_admin, "web"):
        event.note = "typo fixed"
        event.save()
    event.refresh_from_db()
    assert event.recorded_by == cast.secretary
