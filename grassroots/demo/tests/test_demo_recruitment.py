"""The demo town's recruitment: the seed's 71 activists and 9 development targets at the end of 2019, with
histories the findings engine can judge, and the structure statistics untouched."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from grassroots.demo import data
from grassroots.demo import recruitment as demo_recruitment

pytestmark = pytest.mark.xdist_group("demo")  # one worker builds the demo (conftest)

END_2019 = dt.date(2019, 12, 31)


def _in_town(town: Any) -> Any:
    from grassroots.orgs.selectors import subtree_org_ids
    from grassroots.recruitment.models import Candidate

    return Candidate.objects.filter(org_id__in=subtree_org_ids(town, END_2019))


def test_the_seed_counts_at_the_end_of_2019(demo: Any, db: Any) -> None:
    town = demo["town"]
    assert _in_town(town).stage_on("activist", END_2019).count() == 71
    assert _in_town(town).stage_on("development_target", END_2019).count() == 9
    assert _in_town(town).stage_on("applicant", END_2019).count() == demo_recruitment.APPLICANTS
    assert "71 activists, 9 development targets" in demo["output"]
    assert "as of 2019-12-31" in demo["output"]


def test_building_again_changes_nothing(demo: Any, db: Any) -> None:
    from grassroots.recruitment.models import Candidate

    assert demo["rows"] == demo["rows_again"]
    assert Candidate.objects.filter(applied_on__lte=END_2019).count() == 71 + 9 + demo_recruitment.APPLICANTS
    assert "71 activists, 9 development targets" in demo["again"]


def test_structure_statistics_are_unchanged(demo: Any, db: Any) -> None:
    from grassroots.members.stats import structure_stats
    from grassroots.recruitment.models import Candidate

    stats = structure_stats(demo["town"], END_2019)
    assert stats["total"]["count"] == data.TARGETS["total"] == 391
    assert stats["probationary"]["count"] == data.TARGETS["probationary"] == 12
    assert stats["female"]["count"] == data.TARGETS["female"]
    assert stats["age_35_or_under"]["count"] == data.TARGETS["age_35_or_under"]
    # Nobody was admitted in 2019 by the demo (the 12 probationary members come from the roster).
    assert not Candidate.objects.filter(member__isnull=False, admitted_on__lte=END_2019).exists()


def test_spread_over_the_village_branches_with_believable_histories(demo: Any, db: Any) -> None:
    from grassroots.recruitment.models import Sponsor

    town = demo["town"]
    activists = list(_in_town(town).stage_on("activist", END_2019).prefetch_related("steps", "sponsors"))
    targets = list(_in_town(town).stage_on("development_target", END_2019).prefetch_related("steps", "sponsors"))
    branches = Counter(c.org.code for c in activists + targets)
    village = {s.code for s in data.ORGS if s.sector == "village"}
    assert set(branches) <= village and len(branches) >= 6
    years = {c.applied_on.year for c in activists + targets}
    assert min(years) <= 2015 and max(years) == 2019
    for c in activists + targets:
        kinds = [s.kind for s in c.steps.all()]
        assert kinds[:1] == ["applied"] and "talked" in kinds and "activist_decided" in kinds, c
        assert 1 <= sum(s.role == "training_contact" for s in c.sponsors.all()) <= 2
        assert c.activist_on is not None and c.activist_on >= c.applied_on
    for c in targets:
        assert c.target_on is not None and (c.target_on - c.activist_on).days >= 365
        assert sum(s.role == "introducer" for s in c.sponsors.all()) == 2
        assert "assessed" in [s.kind for s in c.steps.all()]
    # Some targets are further on: reviewed, trained, their notice published.
    kinds = Counter(s.kind for c in targets for s in c.steps.all())
    assert kinds["political_review"] >= 3 and kinds["training"] >= 2 and kinds["notice"] >= 1
    # Introducers were full members of the branch on the day they were assigned.
    for sponsor in Sponsor.objects.filter(candidate__in=targets, role="introducer").select_related("member"):
        assert sponsor.member.joined_on < sponsor.since
        assert sponsor.member.converted_on is not None and sponsor.member.converted_on <= sponsor.since


def test_the_to_do_list_at_the_end_of_2019_is_not_empty(demo: Any, db: Any) -> None:
    from grassroots.rules.findings import OVERDUE, findings_for

    found = findings_for(demo["town"], END_2019, only=["recruitment"])
    overdue = Counter(f.rule_id for f in found if f.state == OVERDUE)
    assert overdue["recruitment.talk_within"] >= demo_recruitment.MISSED_TALKS
    assert overdue["recruitment.activist_assessment"] >= demo_recruitment.MISSED_ASSESSMENTS
    assert all(f.subject_type == "candidate" and f.url.startswith("/candidates/") for f in found)
