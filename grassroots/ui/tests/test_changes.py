"""ui.changes: a record's values as (field label, display value)."""

from __future__ import annotations

import pytest
from django.utils import translation

from conftest import Cast
from grassroots.access.scope import scope_for
from grassroots.members.models import Education, Member
from grassroots.ui.changes import as_text, describe, related_names
from grassroots.ui.words import rule_title

pytestmark = pytest.mark.django_db


def test_choices_booleans_dicts_and_rules_read_as_words() -> None:
    with translation.override("zh-hans"):
        described = dict(describe("members.member", {"education": "college", "mobile": False}))
        label = str(Member._meta.get_field("education").verbose_name)
        assert described[label] == str(Education.COLLEGE.label)
        assert described[str(Member._meta.get_field("mobile").verbose_name)] == translation.gettext("No")
    with translation.override("en"):
        [(attendance, counts)] = describe("meetings.meeting", {"attendance": {"present": 20, "leave": 2}})
        assert (attendance, counts) == ("Attendance", "Present 20, On leave 2")
        [(_rule, title)] = describe("recruitment.candidate", {"rule": "recruitment.talk_within@2014"})
        assert title == rule_title("recruitment.talk_within@2014") != "recruitment.talk_within@2014"
        assert as_text(describe("members.member", {"name": "李明", "converted_on": None})) == \
            "Name: 李明\nConverted on: —"


def test_related_rows_are_named_and_members_only_within_the_scope(cast: Cast) -> None:
    values = {"org": cast.branch_a.pk, "member": cast.member_c.pk}
    names = related_names([("dues.duespayment", values)], scope_for(cast.street_admin))
    described = dict(describe("dues.duespayment", values, names))
    assert cast.branch_a.name in described.values()
    assert f"#{cast.member_c.pk}" in described.values()  # outside the street admin's scope: no name
    names = related_names([("dues.duespayment", values)], scope_for(cast.outsider))
    assert cast.member_c.name in dict(describe("dues.duespayment", values, names)).values()
