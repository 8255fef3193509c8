"""The recruitment pages: the pipeline board, a candidate's timeline and forms, the printable notice and vote."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import Cast, make_member
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.workdays import workdays_between
from grassroots.recruitment import services
from grassroots.recruitment.models import BranchVote, Candidate, Sponsor, StepKind
from grassroots.recruitment.tests.factories import (
    full_members,
    make_activist,
    make_applicant,
    make_development_target,
    make_probationary,
    make_ready_for_vote,
    row_counts,
)

D = dt.date


@pytest.fixture
def english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client: Any, cast: Cast, role: str) -> Any:
    client.force_login(cast.users[role])
    return client


def page(response: Any) -> str:
    return response.content.decode()


def column(html: str, stage: str) -> str:
    m = re.search(rf'<section class="board-column" data-stage="{stage}".*?</section>', html, re.S)
    assert m, f"no {stage} column"
    return m.group(0)


@pytest.fixture
def people(cast: Cast) -> dict[str, Candidate]:
    """One candidate of A at each stage on 2019-12-31, and one in C."""
    with acting(None, "system"):
        return {
            "late_applicant": make_applicant(cast.branch_a, applied_on=D(2019, 10, 8), name="申请人甲"),
            "activist": make_activist(cast.branch_a, applied_on=D(2018, 9, 3), name="积极分子乙"),
            "target": make_development_target(cast.branch_a, applied_on=D(2017, 3, 1), name="发展对象丙"),
            "probationary": make_probationary(cast.branch_a, applied_on=D(2016, 3, 1), name="预备党员丁"),
            "in_c": make_applicant(cast.branch_c, applied_on=D(2019, 11, 4), name="外街申请人"),
        }


# --- the pipeline board ---------------------------------------------------------------------------

def test_pipeline_puts_each_candidate_in_its_column_as_of_a_date(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    html = page(english.get(reverse("pipeline", args=["A"]) + "?as_of=2019-12-31"))
    assert "申请人甲" in column(html, "applicant")
    assert "积极分子乙" in column(html, "activist")
    assert "发展对象丙" in column(html, "development_target")
    probation = column(html, "probationary")
    assert "预备党员丁" in probation
    end = services.probation_end(people["probationary"])
    assert end is not None and f"probation ends {end.isoformat()}" in probation
    assert "外街申请人" not in html  # C is not under A
    # The talk is overdue (applied 2019-10-08, one month): the card is coloured and says so.
    card = re.search(rf'<li class="board-card (\w+)" data-candidate="{people["late_applicant"].pk}" '
                     r'data-state="(\w+)">(.*?)</li>', html, re.S)
    assert card and card.group(1) == "danger" and card.group(2) == "overdue"
    assert "The talk with the applicant was due by 2019-11-08" in card.group(3)
    # Earlier, the same people stood elsewhere: on 2018-01-31 the activist had not applied yet.
    earlier = page(english.get(reverse("pipeline", args=["A"]) + "?as_of=2018-01-31"))
    assert "积极分子乙" not in earlier and "申请人甲" not in earlier
    assert "发展对象丙" in column(earlier, "activist") and "预备党员丁" in column(earlier, "probationary")


def test_pipeline_of_a_committee_shows_its_subtree(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "street_admin")
    html = page(english.get(reverse("pipeline", args=["S"]) + "?as_of=2019-12-31"))
    assert "积极分子乙" in column(html, "activist") and cast.branch_a.name in html
    assert "外街申请人" not in html


@pytest.mark.parametrize(("role", "code", "status"), [
    ("secretary", "B", 404), ("outsider", "A", 404), ("member", "A", 404), ("auditor", "A", 200),
    ("outsider", "X", 200),
])
def test_pipeline_scope(cast: Cast, client: Any, people: Any, role: str, code: str, status: int) -> None:
    login(client, cast, role)
    assert client.get(reverse("pipeline", args=[code])).status_code == status


def application(**kw: Any) -> dict[str, Any]:
    data = {"name": "新申请人", "sex": "F", "birth_date": "2000-05-06",
            "id_number": idnumber.make("110101", D(2000, 5, 6), 42), "ethnicity": "汉族", "education": "bachelor",
            "occupation": "student", "phone": "", "org": "A", "applied_on": "2020-03-02"}
    data.update(kw)
    return data


def test_new_application_from_the_board(cast: Cast, english: Any) -> None:
    login(english, cast, "secretary")
    response = english.post(reverse("pipeline", args=["A"]), application())
    candidate = Candidate.objects.get(name="新申请人")
    assert response.status_code == 302 and response["Location"] == reverse("candidate-detail", args=[candidate.pk])
    assert candidate.org == cast.branch_a and candidate.applied_on == D(2020, 3, 2)
    assert candidate.steps.get().kind == StepKind.APPLIED


def test_an_under_age_application_is_refused_on_the_form(cast: Cast, english: Any) -> None:
    login(english, cast, "secretary")
    before = row_counts()
    response = english.post(reverse("pipeline", args=["A"]), application(applied_on="2018-05-05"))
    assert response.status_code == 400
    assert "the applicant was under 18 on 2018-05-05" in page(response)
    assert row_counts() == before
    # On the eighteenth birthday the application is received.
    assert english.post(reverse("pipeline", args=["A"]), application(applied_on="2018-05-06")).status_code == 302


def test_readers_get_no_application_form_and_may_not_post(cast: Cast, english: Any) -> None:
    login(english, cast, "auditor")
    assert "New application" not in page(english.get(reverse("pipeline", args=["A"])))
    assert english.post(reverse("pipeline", args=["A"]), application()).status_code == 403
    assert not Candidate.objects.exists()


# --- the candidate page ---------------------------------------------------------------------------

def test_candidate_page_shows_timeline_rules_and_what_is_due(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    target = people["target"]
    html = page(english.get(reverse("candidate-detail", args=[target.pk]) + "?as_of=2019-12-31"))
    for kind in ("applied", "talked", "recommended", "activist_decided", "contacts_assigned", "assessed",
                 "target_listed"):
        assert f'<tr data-kind="{kind}">' in html
    assert "recruitment.activist_min_period@2014" in html and "recruitment.talk_within@2014" in html
    # Listed 2018-04-01 without introducers: overdue on 2019-12-31, as the findings engine says.
    assert re.search(r'data-rule="recruitment.introducers" data-state="overdue"', html)
    assert 'id="next-steps"' in html and 'data-kind="political_review"' in html
    contact = Sponsor.objects.get(candidate=target, role="training_contact").member
    assert contact.name in html
    assert 'id="record-step"' in html and 'id="record-vote"' in html


@pytest.mark.parametrize(("role", "status"), [
    ("secretary", 200), ("auditor", 200), ("street_admin", 200), ("outsider", 404), ("member", 404),
])
def test_candidate_page_scope(cast: Cast, client: Any, people: Any, role: str, status: int) -> None:
    login(client, cast, role)
    assert client.get(reverse("candidate-detail", args=[people["activist"].pk])).status_code == status


def test_auditor_sees_no_forms_and_may_not_post(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "auditor")
    url = reverse("candidate-detail", args=[people["late_applicant"].pk])
    assert 'id="record-step"' not in page(english.get(url))
    before = row_counts()
    response = english.post(url, {"action": "step", "step-kind": "talked", "step-on": "2019-12-01"})
    assert response.status_code == 403 and row_counts() == before


def test_record_the_next_step(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    applicant = people["late_applicant"]
    url = reverse("candidate-detail", args=[applicant.pk])
    html = page(english.get(url))
    offered = re.findall(r'<option value="(\w+)"', re.search(r'name="step-kind".*?</select>', html, re.S).group(0))
    assert offered == ["talked", "recommended", "activist_decided", "withdrawn"]
    response = english.post(url, {"action": "step", "step-kind": "talked", "step-on": "2019-12-02",
                                  "step-note": "secretary talked"})
    assert response.status_code == 302
    step = applicant.steps.get(kind="talked")
    assert step.date == D(2019, 12, 2) and step.details["late"] is True
    # Late but recorded: the timeline says so, and the talk is no longer offered.
    html = page(english.get(url))
    assert re.search(r'<tr data-kind="talked">.*?Late', html, re.S)
    assert '<option value="talked"' not in html


def test_a_step_dated_before_the_previous_one_changes_nothing(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    applicant = people["late_applicant"]
    before = row_counts()
    response = english.post(reverse("candidate-detail", args=[applicant.pk]),
                            {"action": "step", "step-kind": "talked", "step-on": "2019-10-01"})
    assert response.status_code == 400
    assert "is dated before Application received on 2019-10-08" in page(response)
    assert row_counts() == before


def test_withdrawal_needs_a_reason(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    applicant = people["late_applicant"]
    url = reverse("candidate-detail", args=[applicant.pk])
    response = english.post(url, {"action": "step", "step-kind": "withdrawn", "step-on": "2019-12-20"})
    assert response.status_code == 400 and "a reason is required" in page(response)
    response = english.post(url, {"action": "step", "step-kind": "withdrawn", "step-on": "2019-12-20",
                                  "step-note": "moved to Kunming"})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.closed_on == D(2019, 12, 20) and applicant.close_reason == "moved to Kunming"


def test_assign_introducers_refuses_a_probationary_member(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    target = people["target"]
    url = reverse("candidate-detail", args=[target.pk])
    probationer = people["probationary"].member
    before = row_counts()
    response = english.post(url, {"action": "sponsor", "sponsor-role": "introducer", "sponsor-on": "2019-12-02",
                                  "sponsor-members": [cast.member.pk, probationer.pk]})
    assert response.status_code == 400 and row_counts() == before
    # The choice is among the branch's full members: the probationary one is not even offered.
    assert "Select a valid choice" in page(response)
    response = english.post(url, {"action": "sponsor", "sponsor-role": "introducer", "sponsor-on": "2019-12-02",
                                  "sponsor-members": [cast.member.pk]})
    assert response.status_code == 400 and "exactly 2 members are needed" in page(response)
    response = english.post(url, {"action": "sponsor", "sponsor-role": "introducer", "sponsor-on": "2019-12-02",
                                  "sponsor-members": [cast.member.pk, cast.member_a2.pk]})
    assert response.status_code == 302
    assert set(target.sponsors.filter(role="introducer").values_list("member_id", flat=True)) == {
        cast.member.pk, cast.member_a2.pk}


def test_notice_counts_working_days_on_the_official_calendar(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    activist = people["activist"]
    url = reverse("candidate-detail", args=[activist.pk])
    # National Day 2019: 1-7 October off; Sunday 29 September and Saturday 12 October were make-up workdays.
    start, end = D(2019, 9, 29), D(2019, 10, 9)
    expected = workdays_between(start, end)
    assert expected == 4  # 29 and 30 September, 8 and 9 October
    response = english.post(url, {"action": "notice", "notice-start": start.isoformat(),
                                  "notice-end": end.isoformat(), "preview": "1"})
    assert response.status_code == 200 and f"{expected} working days" in page(response)
    before = row_counts()
    response = english.post(url, {"action": "notice", "notice-start": start.isoformat(),
                                  "notice-end": end.isoformat()})
    assert response.status_code == 400 and "the notice lasts 4 working days, fewer than 5" in page(response)
    assert row_counts() == before
    response = english.post(url, {"action": "notice", "notice-start": start.isoformat(), "notice-end": "2019-10-10"})
    assert response.status_code == 302
    notice = activist.steps.get(kind="notice")
    assert (notice.date, notice.end_date) == (start, D(2019, 10, 10))
    printed = page(english.get(reverse("candidate-notice-print", args=[activist.pk])))
    assert "积极分子乙" in printed and "2019-09-29" in printed and "2019-10-10" in printed
    assert "(5 working days)" in printed and "recruitment.public_notice@2014" in printed
    assert 'data-print' in printed


def test_notice_print_without_a_notice(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    response = english.get(reverse("candidate-notice-print", args=[people["activist"].pk]))
    assert response.status_code == 200 and "No public notice has been recorded" in page(response)


def test_record_a_vote_and_print_it(cast: Cast, english: Any) -> None:
    with acting(None, "system"):
        extra = make_member(cast.branch_a, name="张三")  # A: three full members with voting rights
        candidate = make_ready_for_vote(cast.branch_a, applied_on=D(2016, 5, 3), name="待表决人")
    login(english, cast, "secretary")
    on = candidate.steps.get(kind="pre_review").date + dt.timedelta(days=7)
    url = reverse("candidate-detail", args=[candidate.pk])
    html = page(english.get(url + f"?vote_on={on.isoformat()}"))
    entitled = full_members(cast.branch_a, on)
    assert len(entitled) == 3 and f"3 full members with voting rights on {on.isoformat()}" in html
    for m in entitled:
        assert f'name="vote-attended" value="{m.pk}"' in html
    base = {"action": "vote", "vote-purpose": "admission", "vote-on": on.isoformat(), "vote-minutes": "secret ballot"}
    before = row_counts()
    response = english.post(url, {**base, "vote-attended": [cast.member.pk, cast.member_a2.pk], "vote-yes": "3",
                                  "vote-no": "0", "vote-abstain": "0"})
    assert response.status_code == 400
    assert "3 ballots, more than the 2 members who attended or gave a written opinion" in page(response)
    assert row_counts() == before
    response = english.post(url, {**base, "vote-attended": [cast.member.pk, cast.member_a2.pk],
                                  "vote-written": [extra.pk], "vote-yes": "2", "vote-no": "1", "vote-abstain": "0"})
    assert response.status_code == 302
    vote = BranchVote.objects.get(candidate=candidate)
    assert vote.quorate and vote.passed and vote.yes == 2
    printed = page(english.get(reverse("candidate-vote-print", args=[candidate.pk, vote.pk])))
    for key, value in (("entitled", 3), ("attended", 2), ("written", 1), ("ballots", 3), ("yes", 2)):
        assert re.search(rf'data-key="{key}">{value}<', printed), key
    assert 'data-key="passed">Passed' in printed and vote.rule in printed
    assert vote.rule == "recruitment.vote@2014"
    # Another candidate's vote is not reachable through this candidate.
    other = make_probationary_vote(cast)
    assert english.get(reverse("candidate-vote-print", args=[candidate.pk, other.pk])).status_code == 404


def make_probationary_vote(cast: Cast) -> BranchVote:
    with acting(None, "system"):
        someone = make_probationary(cast.branch_a, applied_on=D(2015, 9, 1), name="另一人")
    return someone.votes.get()


def test_a_vote_without_quorum_is_recorded_and_admits_nobody(cast: Cast, english: Any) -> None:
    with acting(None, "system"):
        make_member(cast.branch_a, name="张三")
        candidate = make_ready_for_vote(cast.branch_a, applied_on=D(2016, 5, 3), name="待表决人")
    login(english, cast, "secretary")
    on = candidate.steps.get(kind="pre_review").date + dt.timedelta(days=7)
    url = reverse("candidate-detail", args=[candidate.pk])
    response = english.post(url, {"action": "vote", "vote-purpose": "admission", "vote-on": on.isoformat(),
                                  "vote-attended": [cast.member.pk], "vote-yes": "1", "vote-no": "0",
                                  "vote-abstain": "0"})
    assert response.status_code == 302
    vote = BranchVote.objects.get(candidate=candidate)
    assert not vote.quorate and not vote.passed
    html = page(english.get(url))
    assert "No quorum" in html
    assert '<option value="higher_approval"' not in html  # nothing to approve
    printed = page(english.get(reverse("candidate-vote-print", args=[candidate.pk, vote.pk])))
    assert "No quorum: the vote cannot admit anyone" in printed


def test_approval_from_the_step_form_admits_the_candidate(cast: Cast, english: Any) -> None:
    with acting(None, "system"):
        candidate = make_ready_for_vote(cast.branch_a, applied_on=D(2016, 5, 3), name="待批准人")
        on = candidate.steps.get(kind="pre_review").date + dt.timedelta(days=7)
        voters = full_members(cast.branch_a, on)
        services.branch_vote_record(candidate, purpose="admission", on=on, attended=voters, yes=len(voters), no=0,
                                    abstain=0)
    login(english, cast, "secretary")
    url = reverse("candidate-detail", args=[candidate.pk])
    assert '<option value="higher_approval"' in page(english.get(url))
    response = english.post(url, {"action": "step", "step-kind": "higher_approval",
                                  "step-on": (on + dt.timedelta(days=20)).isoformat()})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == "probationary" and candidate.member is not None
    assert candidate.member.joined_on == on
    html = page(english.get(url))
    assert reverse("member-detail", args=[candidate.member.pk]) in html


def test_pages_are_chinese_by_default(cast: Cast, client: Any, people: Any) -> None:
    login(client, cast, "secretary")
    html = page(client.get(reverse("pipeline", args=["A"])))
    assert 'lang="zh-hans"' in html



def test_pipeline_queries_do_not_grow_with_candidates(cast: Cast, english: Any, people: Any,
                                                      django_assert_max_num_queries: Any) -> None:
    """The board's query count is the same for one probationary candidate and for several (no N+1)."""
    login(english, cast, "secretary")
    url = reverse("pipeline", args=["A"]) + "?as_of=2019-12-31"
    english.get(url)  # warm caches (rules, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert english.get(url).status_code == 200
    with acting(None, "system"):
        for i, applied in enumerate((D(2016, 4, 1), D(2016, 5, 2), D(2016, 6, 1))):
            make_probationary(cast.branch_a, applied_on=applied, name=f"预备党员{i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = page(english.get(url))
    assert "预备党员2" in column(html, "probationary")


def test_org_page_shows_the_stage_counts_beside_the_structure(cast: Cast, english: Any, people: Any) -> None:
    login(english, cast, "secretary")
    html = page(english.get(reverse("org-detail", args=["A"]) + "?as_of=2019-12-31"))
    table = re.search(r'<table class="compact" id="recruitment-table">.*?</table>', html, re.S)
    assert table, "no recruitment table"
    rows = dict(re.findall(r'data-key="(\w+)"><td>[^<]*</td><td class="num">(\d+)</td>', table.group(0)))
    assert rows == {"applicants": "1", "activists": "1", "development_targets": "1"}
    assert "There were 1 activist and 1 development target for Party membership." in html
