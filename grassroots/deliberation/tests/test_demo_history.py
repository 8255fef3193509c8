"""The demo builder on a small town of its own (a town committee with two communities, members and committee seats
made here): the congress body with 55 seats and its 2019 congress vote that passes with quorum (found by kind
congress, the town's organization and the year, as the congress demo finds it), path cases decided and published
but the recent one, topics answered by briefings; a second run adds nothing; findings few."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from conftest import make_member
from grassroots.core.context import acting
from grassroots.deliberation.demo import CONGRESS_QUESTION, demo_history
from grassroots.deliberation.findings import deliberation_findings
from grassroots.deliberation.models import Body, PathCase, Seat, Topic, Vote
from grassroots.meetings.models import CommitteeSeat, Meeting

MODELS = (Body, Seat, Vote, PathCase, Topic, Meeting)


def test_history(db: Any) -> None:
    from grassroots.orgs.services import org_create

    today = dt.date(2023, 9, 20)
    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        szl = org_create(code="HS-SZL", name="十字路社区党总支", kind="general_branch",
                         founded_on=dt.date(1956, 1, 1), parent=town)
        dz = org_create(code="HS-DZ", name="大庄社区党总支", kind="general_branch", founded_on=dt.date(1956, 1, 1),
                        parent=town)
        for org, names in ((szl, "甲乙丙丁戊"), (dz, "己庚辛")):
            people = [make_member(org, name=f"党员{n}") for n in names]
            CommitteeSeat.objects.create(org=org, member=people[0], role="secretary", since=dt.date(2015, 1, 1))
            CommitteeSeat.objects.create(org=org, member=people[1], role="member", since=dt.date(2015, 1, 1))
        demo_history(io.StringIO(), today=today, recent_years=1)
        counts = {m.__name__: m.objects.count() for m in MODELS}
        demo_history(io.StringIO(), today=today, recent_years=1)
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    congress = Body.objects.get(org=town, kind="party_congress")
    assert congress.seats.count() == 55 and congress.seats.filter(member__isnull=False).count() == 8
    vote = Vote.objects.get(meeting__kind="congress", meeting__org=town, meeting__date__year=2019)
    assert vote.question == CONGRESS_QUESTION and vote.quorate and vote.passed and vote.entitled == 55
    cases = list(PathCase.objects.filter(org=szl).order_by("opened_on"))
    assert len(cases) >= 2
    assert all(set(c.steps.values_list("step", flat=True)) >= {1, 2, 3, 4, 5} for c in cases[:-1])
    assert set(cases[-1].steps.values_list("step", flat=True)) == {1, 2, 3}  # still in progress
    topics = Topic.objects.filter(org=szl)
    assert topics.count() == 5 and all(t.opinions.exists() for t in topics)
    assert sum(1 for t in topics if t.meetings.exists()) >= 4
    assert len(list(deliberation_findings(town, today))) <= 3
