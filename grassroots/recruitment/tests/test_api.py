"""Recruitment's API (`grassroots/recruitment/api.py`), tried as every role of the cast (see conftest.py).

Reads come from the user's scope (outside it: 404), writes go through the services the pages call (a refusal:
403, a broken rule: 400 naming the field) and are in the audit log; the list's query count does not grow with
the candidates; the schema lists every path.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import PASSWORD, Cast
from grassroots.core import idnumber
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry
from grassroots.recruitment import services
from grassroots.recruitment.models import Candidate, Stage
from grassroots.recruitment.tests.factories import (
    full_members,
    make_activist,
    make_applicant,
    make_development_target,
    make_probationary,
    make_ready_for_vote,
    notice_window,
    row_counts,
)

D = dt.date
LIST = "/api/candidates/"
ROLES = ("admin", "street_admin", "secretary", "auditor", "member", "outsider")


def api(cast: Cast, role: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(cast.users[role])
    return client


def detail(candidate: Candidate, action: str = "") -> str:
    return f"{LIST}{candidate.pk}/" + (f"{action}/" if action else "")


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def people(cast: Cast) -> dict[str, Candidate]:
    """Candidates of A at each stage on 2019-12-31, and one in C."""
    with acting(None, "system"):
        return {
            "applicant": make_applicant(cast.branch_a, applied_on=D(2019, 10, 8), name="申请人甲"),
            "activist": make_activist(cast.branch_a, applied_on=D(2018, 9, 3), name="积极分子乙"),
            "target": make_development_target(cast.branch_a, applied_on=D(2017, 3, 1), name="发展对象丙"),
            "probationary": make_probationary(cast.branch_a, applied_on=D(2016, 3, 1), name="预备党员丁"),
            "in_c": make_applicant(cast.branch_c, applied_on=D(2019, 11, 4), name="外街申请人"),
        }


def audited(action: str, candidate: Candidate, user: Any) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action, object_type="recruitment.candidate",
                                      object_id=str(candidate.pk)).order_by("-id").first()
    assert entry is not None, f"no {action} in the audit log"
    assert entry.actor_id == user.pk and entry.channel == "api"
    return entry


# --- reads ----------------------------------------------------------------------------------------------

IN_A = {"申请人甲", "积极分子乙", "发展对象丙", "预备党员丁"}
SEEN = {"admin": IN_A | {"外街申请人"}, "street_admin": IN_A, "secretary": IN_A, "auditor": IN_A, "member": set(),
        "outsider": {"外街申请人"}}


def test_every_role_reads_the_candidates_in_its_scope_and_404_outside(cast: Cast, people: Any) -> None:
    for role in ROLES:  # one fixture for the six roles: building the candidates is the slow part
        client = api(cast, role)
        assert names(client.get(LIST)) == SEEN[role], role
        for key, candidate in people.items():
            response = client.get(detail(candidate))
            if candidate.name in SEEN[role]:
                assert response.status_code == 200, (role, key, response.content)
                assert response.json()["name"] == candidate.name
            else:
                assert response.status_code == 404, (role, key)


def test_list_filters_by_organization_and_stage(cast: Cast, people: Any) -> None:
    client = api(cast, "street_admin")
    assert names(client.get(LIST, {"org": "A", "stage": "activist"})) == {"积极分子乙"}
    assert names(client.get(LIST, {"org": "G"})) == IN_A  # the whole subtree
    assert names(client.get(LIST, {"org": "B"})) == set()
    assert names(client.get(LIST, {"org": "C"})) == set()  # outside the scope: nothing, not C's candidates
    assert names(client.get(LIST, {"stage": "probationary"})) == {"预备党员丁"}
    # With as_of, the stage they were at that day: on 2018-01-01 today's development target was an activist,
    # and today's probationary member was one already.
    target, probationary = people["target"], people["probationary"]
    assert target.activist_on < D(2018, 1, 1) < target.target_on
    assert names(client.get(LIST, {"stage": "activist", "as_of": "2018-01-01"})) == {"发展对象丙"}
    assert probationary.admitted_on < D(2018, 1, 1)
    assert names(client.get(LIST, {"stage": "probationary", "as_of": "2018-01-01"})) == {"预备党员丁"}
    assert names(client.get(LIST, {"stage": "development_target", "as_of": "2018-01-01"})) == set()
    assert names(client.get(LIST, {"stage": "applicant", "as_of": "2019-10-07"})) == set()
    assert names(client.get(LIST, {"stage": "applicant", "as_of": "2019-10-08"})) == {"申请人甲"}
    response = client.get(LIST, {"stage": "nonsense"})
    assert response.status_code == 400 and "stage" in response.json()


def test_retrieve_has_steps_sponsors_and_votes_with_personal_data_masked(cast: Cast, people: Any) -> None:
    candidate = people["probationary"]
    body = api(cast, "secretary").get(detail(candidate)).json()
    assert body["stage"] == Stage.PROBATIONARY and body["org"] == "A" and body["org_name"] == "第一支部"
    assert body["member"] == candidate.member_id
    assert body["id_number"] == idnumber.mask(candidate.id_number) and body["id_number"] != candidate.id_number
    assert body["probation_end"] == services.probation_end(candidate).isoformat()  # type: ignore[union-attr]
    kinds = [s["kind"] for s in body["steps"]]
    assert kinds == list(candidate.steps.order_by("date", "id").values_list("kind", flat=True))
    assert kinds[0] == "applied" and "higher_approval" in kinds
    introducers = [s for s in body["sponsors"] if s["role"] == "introducer"]
    assert {s["member_name"] for s in introducers} == {cast.member.name, cast.member_a2.name}
    [vote] = body["votes"]
    assert vote["purpose"] == "admission" and vote["passed"] and vote["quorate"]
    assert sorted(vote["entitled"]) == sorted(vote["attended"]) == sorted([cast.member.pk, cast.member_a2.pk])


def test_list_queries_do_not_grow_with_the_candidates(cast: Cast, django_assert_num_queries: Any) -> None:
    """Two candidates or ten, with steps, sponsors and votes: the same number of queries."""
    client = api(cast, "street_admin")
    with acting(None, "system"):
        make_probationary(cast.branch_a, applied_on=D(2016, 3, 1))
        make_activist(cast.branch_a, applied_on=D(2018, 9, 3))
    assert len(client.get(LIST).json()["results"]) == 2  # warm the caches (rules, content types)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(LIST).json()["results"]) == 2
    with acting(None, "system"):
        for month in (4, 5):
            make_probationary(cast.branch_a, applied_on=D(2016, month, 1))
        for day in (4, 5, 6):
            make_activist(cast.branch_a, applied_on=D(2018, 9, day))
        for day in (7, 8, 9):
            make_applicant(cast.branch_b, applied_on=D(2019, 10, day))
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(client.get(LIST).json()["results"]) == 10


# --- writes ---------------------------------------------------------------------------------------------

def application(org: str = "A", **kw: Any) -> dict[str, Any]:
    birth = kw.pop("birth", D(1998, 5, 6))
    data = {"name": "新申请人", "sex": "F", "birth_date": birth.isoformat(),
            "id_number": idnumber.make("110101", birth, 321), "education": "bachelor", "occupation": "in_service",
            "org": org, "applied_on": "2019年11月2日", "phone": "13912345678"}
    data.update(kw)
    return data


def test_an_application_is_recorded_through_the_service_and_audited(cast: Cast) -> None:
    response = api(cast, "secretary").post(LIST, application(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "applicant" and body["applied_on"] == "2019-11-02" and body["org"] == "A"
    assert body["phone"] != "13912345678" and [s["kind"] for s in body["steps"]] == ["applied"]
    candidate = Candidate.objects.get(pk=body["id"])
    entry = audited("candidate.applied", candidate, cast.secretary)
    assert entry.org_id == cast.branch_a.pk


@pytest.mark.parametrize(("role", "code", "field"), [
    ("auditor", 403, None),  # reads A, may not change it
    ("member", 400, "org"),  # A is outside their scope: no such organization
    ("outsider", 400, "org"),
])
def test_an_application_refused(cast: Cast, role: str, code: int, field: str | None) -> None:
    before = row_counts()
    response = api(cast, role).post(LIST, application(), format="json")
    assert response.status_code == code, response.content
    assert response.json().get("field") == field and response.json()["detail"]
    assert row_counts() == before


def test_an_application_breaking_a_rule_names_the_field(cast: Cast) -> None:
    client = api(cast, "secretary")
    before = row_counts()
    young = client.post(LIST, application(birth=D(2003, 1, 1)), format="json")  # 16 on the day
    assert young.status_code == 400 and young.json()["field"] == "birth_date"
    group = client.post(LIST, application(org="A1"), format="json")  # a party group takes no applications
    assert group.status_code == 400 and group.json()["field"] == "org"
    bad_date = client.post(LIST, application(applied_on="soon"), format="json")
    assert bad_date.status_code == 400 and "applied_on" in bad_date.json()
    assert row_counts() == before


def test_a_step_is_recorded_and_audited(cast: Cast, people: Any) -> None:
    candidate = people["applicant"]
    response = api(cast, "secretary").post(detail(candidate, "steps"), {"kind": "talked", "on": "2019-11-20"},
                                           format="json")
    assert response.status_code == 201, response.content
    talked = [s for s in response.json()["steps"] if s["kind"] == "talked"]
    assert talked and talked[0]["date"] == "2019-11-20" and talked[0]["details"]["late"] is True
    audited("candidate.talked", candidate, cast.secretary)


def test_a_withdrawal_goes_through_its_own_service(cast: Cast, people: Any) -> None:
    candidate = people["applicant"]
    client = api(cast, "street_admin")
    no_reason = client.post(detail(candidate, "steps"), {"kind": "withdrawn", "on": "2019-12-01"}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    response = client.post(detail(candidate, "steps"), {"kind": "withdrawn", "on": "2019-12-01", "note": "moved"},
                           format="json")
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "closed" and response.json()["close_reason"] == "moved"
    audited("candidate.withdrawn", candidate, cast.street_admin)


def test_a_step_breaking_a_rule_names_the_field(cast: Cast, people: Any) -> None:
    client = api(cast, "secretary")
    before = row_counts()
    early = client.post(detail(people["applicant"], "steps"), {"kind": "activist_decided", "on": "2019-12-01"},
                        format="json")  # no talk yet
    assert early.status_code == 400 and early.json()["field"] == "kind"
    listing = client.post(detail(people["activist"], "steps"), {"kind": "target_listed", "on": "2019-01-02"},
                          format="json")  # less than a year as activist
    assert listing.status_code == 400 and listing.json()["field"] == "on"
    extension = client.post(detail(people["probationary"], "steps"),
                            {"kind": "probation_extended", "on": "2019-01-02"}, format="json")
    assert extension.status_code == 400 and extension.json()["field"] == "months"
    unknown = client.post(detail(people["applicant"], "steps"), {"kind": "notice", "on": "2019-12-01"},
                          format="json")  # the notice has its own endpoint
    assert unknown.status_code == 400 and "kind" in unknown.json()
    assert row_counts() == before


@pytest.mark.parametrize("action", ["steps", "notice", "sponsors", "votes"])
def test_writes_on_a_candidate_refused(cast: Cast, people: Any, action: str) -> None:
    """The auditor reads A but may not change it (403); A's candidates do not exist for the member and the
    outsider (404). Nothing is written."""
    candidate = people["activist"]
    payload = {
        "steps": {"kind": "assessed", "on": "2019-12-01"},
        "notice": {"start": "2019-12-02", "end": "2019-12-06"},
        "sponsors": {"role": "training_contact", "members": [cast.member.pk], "on": "2019-12-01"},
        "votes": {"purpose": "admission", "on": "2019-12-01", "attended": [], "yes": 0, "no": 0, "abstain": 0},
    }[action]
    before = row_counts()
    for role, code in (("auditor", 403), ("member", 404), ("outsider", 404)):
        response = api(cast, role).post(detail(candidate, action), payload, format="json")
        assert response.status_code == code, (role, response.content)
    assert row_counts() == before


def test_a_public_notice(cast: Cast, people: Any) -> None:
    candidate = people["activist"]
    client = api(cast, "secretary")
    short = client.post(detail(candidate, "notice"), {"start": "2019-12-02", "end": "2019-12-04"}, format="json")
    assert short.status_code == 400 and short.json()["field"] == "end"
    response = client.post(detail(candidate, "notice"), {"start": "2019-12-02", "end": "2019-12-06"},
                           format="json")
    assert response.status_code == 201, response.content
    [notice] = [s for s in response.json()["steps"] if s["kind"] == "notice"]
    assert notice["end_date"] == "2019-12-06" and notice["details"]["working_days"] == 5
    audited("candidate.notice", candidate, cast.secretary)


def test_sponsors_are_assigned_through_the_service(cast: Cast, people: Any) -> None:
    candidate = people["activist"]
    client = api(cast, "street_admin")
    outside = client.post(detail(candidate, "sponsors"),
                          {"role": "training_contact", "members": [cast.member_c.pk], "on": "2019-12-01"},
                          format="json")
    assert outside.status_code == 400 and outside.json()["field"] == "members"  # C's member: not found
    three = client.post(detail(candidate, "sponsors"),
                        {"role": "training_contact", "members": [cast.member.pk, cast.member_a2.pk, cast.member_b.pk],
                         "on": "2019-12-01"}, format="json")
    assert three.status_code == 400 and three.json()["field"] == "members"  # 1 to 2 contacts
    response = client.post(detail(candidate, "sponsors"),
                           {"role": "training_contact", "members": [cast.member_a2.pk], "on": "2019-12-01"},
                           format="json")
    assert response.status_code == 201, response.content
    current = [s for s in response.json()["sponsors"] if s["role"] == "training_contact" and s["until"] is None]
    assert [s["member"] for s in current] == [cast.member_a2.pk] and current[0]["since"] == "2019-12-01"
    audited("candidate.contacts_assigned", candidate, cast.street_admin)


def test_a_branch_vote_is_recorded_with_quorum_and_result_computed(cast: Cast) -> None:
    with acting(None, "system"):
        candidate = make_ready_for_vote(cast.branch_a, applied_on=D(2017, 3, 1))
    pre_review = candidate.steps.get(kind="pre_review").date
    on = pre_review + dt.timedelta(days=7)
    voters = [m.pk for m in full_members(cast.branch_a, on)]
    client = api(cast, "street_admin")
    payload = {"purpose": "admission", "on": on.isoformat(), "attended": voters, "yes": len(voters) + 1, "no": 0,
               "abstain": 0}
    too_many = client.post(detail(candidate, "votes"), payload, format="json")
    assert too_many.status_code == 400 and too_many.json()["field"] == "yes"
    outsider = client.post(detail(candidate, "votes"), {**payload, "attended": [cast.member_b.pk], "yes": 1},
                           format="json")
    assert outsider.status_code == 400 and outsider.json()["field"] == "attended"  # B's member has no vote in A
    response = client.post(detail(candidate, "votes"), {**payload, "yes": len(voters)}, format="json")
    assert response.status_code == 201, response.content
    [vote] = response.json()["votes"]
    assert vote["passed"] and vote["quorate"] and sorted(vote["entitled"]) == sorted(voters)
    audited("candidate.admission_vote", candidate, cast.street_admin)
    # the approval follows, through the steps endpoint
    approval = client.post(detail(candidate, "steps"),
                           {"kind": "higher_approval", "on": (on + dt.timedelta(days=20)).isoformat()}, format="json")
    assert approval.status_code == 201, approval.content
    assert approval.json()["stage"] == "probationary" and approval.json()["member"] is not None


def test_basic_authentication_names_the_user_in_the_audit_log(cast: Cast, people: Any) -> None:
    token = base64.b64encode(f"secretary:{PASSWORD}".encode()).decode()
    client = APIClient(HTTP_AUTHORIZATION=f"Basic {token}")
    candidate = people["activist"]
    start, end = notice_window(D(2019, 12, 20))
    response = client.post(detail(candidate, "notice"), {"start": start.isoformat(), "end": end.isoformat()},
                           format="json")
    assert response.status_code == 201, response.content
    audited("candidate.notice", candidate, cast.secretary)


def test_anonymous_is_refused(people: Any) -> None:
    assert APIClient().get(LIST).status_code in (401, 403)


# --- schema ---------------------------------------------------------------------------------------------

def test_the_schema_lists_the_recruitment_paths(cast: Cast) -> None:
    schema = api(cast, "street_admin").get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths[LIST]) >= {"get", "post"}
    assert "get" in paths["/api/candidates/{id}/"]
    for action in ("steps", "notice", "sponsors", "votes"):
        assert "post" in paths[f"/api/candidates/{{id}}/{action}/"], action
    names = {p["name"] for p in paths[LIST]["get"]["parameters"]}
    assert {"org", "stage", "as_of"} <= names
    steps = paths["/api/candidates/{id}/steps/"]["post"]
    assert "StepRecord" in str(steps["requestBody"]) and "Candidate" in str(steps["responses"]["201"])
