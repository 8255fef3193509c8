"""The demo town's dues and organizational life in 2019: assessed, collected and remitted; the meetings of
every branch with their attendance; a to-do list on 2019-12-31 that is not empty; the structure statistics
and the recruitment untouched; building again adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from grassroots.core.money import yuan
from grassroots.demo import data
from grassroots.demo import lifework as demo_lifework

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)
START_2019 = dt.date(2019, 1, 1)


def _members_of_2019(town: Any) -> set[int]:
    from django.db.models import Q

    from grassroots.members.models import MemberPeriod
    from grassroots.orgs.models import Organization

    orgs = Organization.objects.filter(path__startswith=town.path).values("pk")
    return set(MemberPeriod.objects.filter(org_id__in=orgs, start__lte=END_2019)
               .filter(Q(end__isnull=True) | Q(end__gt=START_2019)).values_list("member_id", flat=True))


def test_every_member_of_2019_is_assessed_by_category(demo: Any, db: Any) -> None:
    from grassroots.dues.models import DuesAssessment
    from grassroots.dues.services import monthly_amount

    members = _members_of_2019(demo["town"])
    assessments = list(DuesAssessment.objects.filter(year=2019).select_related("member"))
    assert {a.member_id for a in assessments} == members
    assert len(members) > data.TARGETS["total"]  # those who died or left during 2019 owed their months too
    categories = Counter(a.category for a in assessments)
    assert categories["in_service"] > 0 and categories["retired"] > 0 and categories["farmer"] > 0
    for a in assessments:
        if a.category == "farmer":
            assert a.monthly_amount == Decimal("0.50") and a.base is None
        elif a.category in ("in_service", "retired"):
            assert a.base is not None and a.base > 0
            assert (a.monthly_amount, a.rule) == monthly_amount(category=a.category, base=a.base, on=a.assessed_on)


def test_collected_against_assessed_in_2019(demo: Any, db: Any) -> None:
    from django.db.models import Sum

    from grassroots.dues.models import DuesAssessment, DuesMonth, DuesPayment, Remittance
    from grassroots.dues.selectors import totals

    figures = totals(demo["town"], START_2019, END_2019)
    collected = DuesPayment.objects.filter(paid_on__year=2019).aggregate(s=Sum("amount"))["s"]
    assert figures["collected"] == collected > 0
    # Most of what was assessed was collected, not all of it: some members are in arrears.
    assert Decimal("0.85") * figures["assessed"] < figures["collected"] < figures["assessed"]
    # Each payment covers months paid at the assessed amount.
    assessed = dict(DuesAssessment.objects.filter(year=2019).values_list("member_id", "monthly_amount"))
    for member_id, amount in DuesMonth.objects.filter(month__year=2019).values_list("member_id", "amount")[:500]:
        assert amount == assessed[member_id]
    kinds = Counter(DuesPayment.objects.filter(paid_on__year=2019).values_list("kind", flat=True))
    assert kinds["regular"] > 1000 and kinds["back"] >= demo_lifework.BACK_PAYERS
    # The branches remitted every quarter's collections to the town committee.
    remitted = Remittance.objects.filter(to_org=demo["town"], remitted_on__year=2019).aggregate(s=Sum("amount"))["s"]
    assert remitted == collected
    assert f"{yuan(figures['collected'])} collected" in demo["output"]


def test_the_dues_to_do_list_at_the_end_of_2019_is_not_empty(demo: Any, db: Any) -> None:
    from grassroots.dues.selectors import consecutive_unpaid
    from grassroots.members.models import Member
    from grassroots.rules.findings import findings_for

    found = findings_for(demo["town"], END_2019, only=["dues"])
    assert len(found) >= len(demo_lifework.ARREARS)
    assert all(f.rule_id == "dues.arrears" and f.subject_type == "member" for f in found)
    for f in found:
        assert consecutive_unpaid(Member.objects.get(pk=f.subject_id), END_2019) >= 3


def test_every_branch_held_its_meetings_with_attendance(demo: Any, db: Any) -> None:
    from grassroots.meetings.models import Appraisal, Attendance, CommitteeSeat, Meeting

    town = demo["town"]
    meetings = Meeting.objects.filter(org__path__startswith=town.path, date__year=2019)
    by_kind = Counter(meetings.values_list("kind", flat=True))
    branches = [o for o in town.get_descendants() if o.kind == "branch"]
    assert by_kind["theme_day"] >= 11 * (len(branches) - 1)
    assert by_kind["committee_meeting"] >= 10 * (len(branches) - 1)
    assert by_kind["general_meeting"] >= 3 * len(branches) + 4 * 3  # the general branches' too
    assert by_kind["group_meeting"] >= 12 * 3
    # One missed, one branch silent since November, the cooperative's branch revoked in May.
    assert by_kind["life_meeting"] == len(branches) - 3
    theme_days = meetings.filter(kind="theme_day").values_list("date", flat=True)
    assert all(d.weekday() == 3 and d.day <= 7 for d in theme_days)  # the first Thursday of the month
    presence = Counter(Attendance.objects.filter(meeting__in=meetings).values_list("presence", flat=True))
    total = sum(presence.values())
    assert presence["present"] > 0.75 * total
    assert presence["leave"] > 0 and presence["absent"] > 0 and presence["remote"] > 0
    assert not Attendance.objects.filter(presence="leave", reason="").exists()
    seated = set(CommitteeSeat.objects.filter(role="secretary").values_list("org_id", flat=True))
    assert seated == {b.pk for b in branches if b.revoked_on is None}
    ratings = Counter(Appraisal.objects.filter(year=2019).values_list("rating", flat=True))
    assert ratings["excellent"] > 0 and ratings["qualified"] > ratings["excellent"]
    assert meetings.filter(kind="general_meeting", quorate=True).count() >= by_kind["general_meeting"] - 1


def test_the_meetings_to_do_list_at_the_end_of_2019_is_not_empty(demo: Any, db: Any) -> None:
    from grassroots.rules.findings import findings_for

    found = findings_for(demo["town"], END_2019, only=["meetings"])
    rules = Counter(f.rule_id for f in found)
    assert rules["meetings.general_meeting"] >= 1  # HS-QY's third quarter
    assert rules["meetings.committee_meeting"] >= 1
    assert rules["meetings.theme_day"] >= 1
    assert rules["meetings.life_meeting"] >= 1
    assert rules["meetings.silence"] >= 1  # HS-SY-2 since 20 November
    assert rules["meetings.member_absence"] >= len(demo_lifework.ABSENT)
    silent = [f for f in found if f.rule_id == "meetings.silence"]
    assert {f.org_name for f in silent} == {"水碓社区第二党支部"}


def test_members_and_recruitment_are_unchanged(demo: Any, db: Any) -> None:
    from grassroots.members.stats import structure_stats
    from grassroots.orgs.selectors import subtree_org_ids
    from grassroots.recruitment.models import Candidate

    stats = structure_stats(demo["town"], END_2019)
    assert stats["total"]["count"] == data.TARGETS["total"] == 391
    assert stats["probationary"]["count"] == data.TARGETS["probationary"]
    assert stats["mobile"]["count"] == data.TARGETS["mobile"]
    in_town = Candidate.objects.filter(org_id__in=subtree_org_ids(demo["town"], END_2019))
    assert in_town.stage_on("activist", END_2019).count() == 71
    assert in_town.stage_on("development_target", END_2019).count() == 9


def test_building_again_adds_nothing(demo: Any, db: Any) -> None:
    assert demo["rows"] == demo["rows_again"]
    assert demo["rows"]["meetings.Meeting"] > 0 and demo["rows"]["dues.DuesPayment"] > 0
    line = next(x for x in demo["output"].splitlines() if x.startswith("Dues in 2019"))
    assert line in demo["again"].splitlines()

