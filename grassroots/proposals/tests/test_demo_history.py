"""The demo builder on a small town of its own (Party members as proposers: no congress seats here): proposals
each year from 2019, most accepted, answered on time and rated satisfied; one a year turned into an opinion of
the station; one merged; one unsatisfied, reopened and answered again; the latest still open; findings few; a
second run adds nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from grassroots.core.context import acting
from grassroots.proposals.demo import demo_history
from grassroots.proposals.findings import proposal_findings
from grassroots.proposals.models import Proposal, ProposalAnswer, ProposalState


def test_history(db: Any) -> None:
    from grassroots.core.idnumber import make as make_id
    from grassroots.members.services import member_create
    from grassroots.opinions import services as opinion_services
    from grassroots.orgs.services import org_create

    today = dt.date(2022, 4, 20)
    with acting(None, "system"):
        town = org_create(code="HS", name="和顺镇党委", kind="committee", founded_on=dt.date(1950, 1, 1))
        branch = org_create(code="HS-JG", name="机关党支部", kind="branch", founded_on=dt.date(1956, 1, 1),
                            parent=town)
        for i, name in enumerate(("寸代表", "李代表", "尹代表", "杨代表")):
            member_create(name=name, sex="M", birth_date=dt.date(1970, 1, 1 + i),
                          id_number=make_id("530522", dt.date(1970, 1, 1 + i), 2 * i + 1), education="college",
                          occupation="farmer", status="full", joined_on=dt.date(2000, 1, 1), org=branch)
        opinion_services.category_create(town, code="other", name="其他", deadline_workdays=5)
        demo_history(io.StringIO(), today=today, recent_years=1)
        count = Proposal.objects.count()
        demo_history(io.StringIO(), today=today, recent_years=1)
    assert Proposal.objects.count() == count
    years = sorted({p.received_on.year for p in Proposal.objects.all()})
    assert years == [2019, 2020, 2021, 2022]
    states = [p.state for p in Proposal.objects.all()]
    assert states.count(ProposalState.MERGED) == 1
    assert states.count(ProposalState.CONVERTED) == 2  # 2020-2021 (2019's opinions are the seed's); 2022's are recent
    assert states.count(ProposalState.CLOSED) > count / 2
    assert all(p.opinion.from_proposal == p for p in Proposal.objects.filter(opinion__isnull=False))
    reopened = Proposal.objects.get(round=2)
    assert list(reopened.answers.values_list("round", "satisfaction")) == [(1, "unsatisfied"),
                                                                            (2, reopened.satisfaction)]
    assert all(a.on_time for a in ProposalAnswer.objects.all())
    recent = Proposal.objects.filter(received_on__year=2022)
    assert {p.state for p in recent} <= {ProposalState.ACCEPTED, ProposalState.RECEIVED}
    assert all(p.answer_due is None or p.answer_due > today for p in recent)
    assert len(list(proposal_findings(town, today))) <= 3
