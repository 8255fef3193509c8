"""The kept findings (`rules.stored`): what the worker keeps is what the sources compute; a write queues its
organization once and the job changes what is kept; the daily refresh follows time; pages and the API read the kept
rows within the user's scope, in a number of queries that does not grow with the branches, and say when they were
computed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Cast, cast_places
from grassroots.access.scope import Scope
from grassroots.cli import main
from grassroots.core.context import acting
from grassroots.orgs.models import Organization
from grassroots.orgs.services import org_create
from grassroots.recruitment.tests.factories import make_applicant
from grassroots.rules import stored
from grassroots.rules.findings import DUE_SOON, OVERDUE, findings_for
from grassroots.rules.models import FindingsState, StoredFinding
from grassroots.ui.testing import client_as

pytestmark = pytest.mark.django_db


def keys_stored(scope: Scope, org: Organization) -> list[tuple[Any, ...]]:
    return sorted((r.rule, r.state, r.subject_type, r.subject_id, r.due) for r in stored.rows_for(scope, org))


def keys_computed(org: Organization, day: dt.date) -> list[tuple[Any, ...]]:
    return sorted((f.rule, f.state, f.subject_type, f.subject_id, f.due) for f in findings_for(org, day))


def test_what_is_kept_is_what_the_sources_compute_for_every_organization(cast: Cast) -> None:
    cast_places(cast)
    today = timezone.localdate()
    with acting(None, "system"):
        make_applicant(cast.branch_a, applied_on=today - dt.timedelta(days=50))
    kept = stored.refresh()
    assert set(kept) == {"S", "X"} and sum(kept.values()) == StoredFinding.objects.count() > 0
    system = Scope(None)
    for org in Organization.objects.order_by("path"):
        if org.kind != "party_group":
            assert keys_stored(system, org) == keys_computed(org, today), org.code
        else:  # a party group's meetings are owed by its branch: kept for the branch, shown from the branch up
            assert set(keys_stored(system, org)) <= set(keys_computed(org, today)), org.code
    assert keys_stored(system, cast.street) == keys_computed(cast.street, today)
    # Each sentence in every language of the site, as the sources word it in that language.
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            computed = {(f.rule, f.subject_type, f.subject_id): f.message for f in findings_for(cast.street, today)}
            kept_rows = {(r.rule, r.subject_type, r.subject_id): r.message for r in stored.rows_for(system, cast.street)}
        assert kept_rows == computed, lang
    row = StoredFinding.objects.filter(subject_type="candidate").get()
    assert row.messages["en"] != row.messages["zh-hans"]
    # Computing a branch again replaces its rows, and none of the street's is kept twice.
    before = StoredFinding.objects.count()
    stored.compute(cast.branch_a)
    assert StoredFinding.objects.count() == before
    assert keys_stored(system, cast.street) == keys_computed(cast.street, today)


def _after_commit() -> list[stored._AfterCommit]:
    return [fn for _sids, fn, _robust in connection.run_on_commit if isinstance(fn, stored._AfterCommit)]


def test_a_write_queues_its_organization_once_and_the_job_changes_what_is_kept(cast: Cast) -> None:
    stored.refresh()
    for waiting_before in _after_commit():  # the cast's own writes (the test's transaction never commits)
        waiting_before.orgs.clear()
    today = timezone.localdate()
    with acting(None, "system"):
        first = make_applicant(cast.branch_a, applied_on=today - dt.timedelta(days=50))
        second = make_applicant(cast.branch_a, applied_on=today - dt.timedelta(days=60))
    waiting = _after_commit()
    assert len(waiting) == 1 and waiting[0].orgs == {cast.branch_a.pk}  # one per transaction, not one per write
    kept = set(StoredFinding.objects.filter(subject_type="candidate").values_list("subject_id", flat=True))
    assert kept == set()  # nothing computed before the commit
    waiting[0]()  # the commit: queued, and the tests' queue runs the job at once
    kept = set(StoredFinding.objects.filter(subject_type="candidate").values_list("subject_id", flat=True))
    assert kept == {first.pk, second.pk}
    assert StoredFinding.objects.filter(subject_type="candidate", org=cast.branch_a, state=OVERDUE).count() == 2
    state = FindingsState.objects.get(org=cast.branch_a)
    assert not state.pending and state.as_of == today and state.computed_at is not None


def test_an_organization_already_waiting_is_not_queued_again(cast: Cast) -> None:
    FindingsState.objects.create(org=cast.branch_b, pending=True, pending_since=timezone.now())
    assert stored.request_refresh([cast.branch_b.pk, cast.branch_a.pk]) == [cast.branch_a.pk]
    assert not StoredFinding.objects.filter(computed_for=cast.branch_b).exists()
    assert FindingsState.objects.get(org=cast.branch_b).computed_at is None
    # Waiting for longer than a job can take: the job was lost (a queue emptied by hand), and it is queued again.
    FindingsState.objects.filter(org=cast.branch_b).update(pending_since=timezone.now() - dt.timedelta(days=1))
    assert stored.request_refresh([cast.branch_b.pk]) == [cast.branch_b.pk]
    assert FindingsState.objects.get(org=cast.branch_b).computed_at is not None


def test_a_transaction_touching_many_organizations_queues_their_common_ancestor(cast: Cast, settings: Any) -> None:
    settings.GRASSROOTS_FINDINGS_COLLAPSE = 1
    assert stored.request_refresh([cast.branch_a.pk, cast.branch_b.pk]) == [cast.general.pk]
    assert FindingsState.objects.get(org=cast.general).computed_at is not None
    assert not FindingsState.objects.filter(org__in=[cast.branch_a, cast.branch_b]).exists()


def test_the_daily_refresh_follows_time(cast: Cast, monkeypatch: Any) -> None:
    today = timezone.localdate()
    with acting(None, "system"):
        c = make_applicant(cast.branch_a, applied_on=today - dt.timedelta(days=20))  # to be talked to within a month
    stored.refresh()
    assert StoredFinding.objects.get(subject_type="candidate", subject_id=c.pk).state == DUE_SOON
    later = today + dt.timedelta(days=30)
    monkeypatch.setattr(stored.timezone, "localdate", lambda *a: later)
    kept = stored.daily()  # no write in between: time alone made it overdue
    assert set(kept) == {"S", "X"}
    assert StoredFinding.objects.get(subject_type="candidate", subject_id=c.pk).state == OVERDUE
    assert FindingsState.objects.get(org=cast.street).as_of == later


def test_the_daily_refresh_queues_itself_once_for_the_next_night(cast: Cast, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    assert not stored.ensure_daily()  # the tests' queue runs tasks at once: it cannot wait for the night
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert stored.ensure_daily() and not stored.ensure_daily()
    waiting = DBTaskResult.objects.get(task_path="grassroots.rules.tasks.refresh_findings_daily")
    assert waiting.run_after == stored.next_daily_run()
    assert timezone.localtime(waiting.run_after).hour == 2 and waiting.run_after > timezone.now()


def _branches(parent: Organization, n: int, start: int) -> None:
    with acting(None, "system"):
        for i in range(start, start + n):
            org_create(code=f"N{i}", name=f"新支部{i}", kind="branch", founded_on=dt.date(2015, 1, 1), parent=parent)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_read_the_kept_rows_in_queries_that_do_not_grow_with_the_branches(cast: Cast, settings: Any
                                                                                    ) -> None:
    settings.GRASSROOTS_KEPT_PAGES = False  # the page as built on every view (not served again from ui.kept)
    client = client_as(cast, "street_admin")
    page, listed = reverse("org-detail", args=["S"]), reverse("org-findings", args=["S"])
    _branches(cast.general, 2, 0)
    stored.refresh()
    client.get(page)
    few, few_listed = _queries(client, page), _queries(client, listed)
    _branches(cast.general, 12, 10)
    stored.refresh()
    assert StoredFinding.objects.filter(org__code__startswith="N").values("org").distinct().count() == 14
    many, many_listed = _queries(client, page), _queries(client, listed)
    assert (many, many_listed) == (few, few_listed)
    html = client.get(page).content.decode()
    for i in (0, 1, 10, 21):
        assert f'data-code="N{i}"' in html


def test_a_user_reads_only_the_kept_findings_of_the_organizations_in_scope(cast: Cast) -> None:
    stored.refresh()
    secretary = Scope(cast.secretary)
    everything = list(stored.rows_for(Scope(None), cast.street))
    seen = list(stored.rows_for(secretary, cast.street))
    assert seen and len(seen) < len(everything)
    assert {r.org.path[:len(cast.branch_a.path)] for r in seen} == {cast.branch_a.path}
    client = client_as(cast, "secretary")
    assert client.get(reverse("org-detail", args=["S"])).status_code == 404
    assert client.get("/api/orgs/S/findings/").status_code == 404
    data = client.get("/api/orgs/A/findings/").json()
    assert {row["code"] for row in data["counts"]} <= {"A", "A1"} and data["count"] == len(seen)
    outsider = client_as(cast, "outsider")
    assert outsider.get(reverse("org-findings", args=["A"])).status_code == 404


def test_the_page_says_when_the_findings_were_computed_and_whether_a_computation_waits(cast: Cast) -> None:
    client = client_as(cast, "street_admin")
    stored.refresh()
    state = FindingsState.objects.get(org=cast.street)
    html = client.get(reverse("org-detail", args=["S"])).content.decode()
    at = timezone.localtime(state.computed_at)
    assert f"Computed at {at:%Y-%m-%d %H:%M}" in html and "data-pending" not in html
    FindingsState.objects.update_or_create(org=cast.branch_a, defaults={"pending": True})
    for url in (reverse("org-detail", args=["S"]), reverse("org-findings", args=["S"])):
        html = client.get(url).content.decode()
        assert 'data-pending="1"' in html and "A new computation is waiting for the background worker." in html
    api = client.get("/api/orgs/S/findings/?limit=2").json()
    assert api["computed_at"] == state.computed_at.isoformat() and api["pending"] == 1
    assert len(api["findings"]) == min(2, api["count"]) and api["count"] == StoredFinding.objects.filter(
        org__path__startswith=cast.street.path).count()


def test_another_day_is_computed_live_only_for_a_small_subtree(cast: Cast, settings: Any) -> None:
    settings.GRASSROOTS_FINDINGS_LIVE_ORGS = 2
    client = client_as(cast, "street_admin")
    day = "2025-04-20"
    big = client.get(reverse("org-detail", args=["S"]), {"as_of": day}).content.decode()
    assert 'id="findings-too-big"' in big and f"grassroots check --org S --as-of {day}" in big
    listed = client.get(reverse("org-findings", args=["S"]), {"as_of": day}).content.decode()
    assert 'id="findings-too-big"' in listed and 'id="findings-table"' not in listed
    refused = client.get(f"/api/orgs/S/findings/?as_of={day}")
    assert refused.status_code == 400 and "grassroots check --org S" in refused.json()["as_of"][0]
    small = client.get(reverse("org-detail", args=["A"]), {"as_of": day}).content.decode()  # A and its group
    assert 'data-live="1"' in small and 'id="findings-too-big"' not in small
    assert client.get(f"/api/orgs/A/findings/?as_of={day}").status_code == 200


def test_the_command_line_refreshes_or_queues(cast: Cast, capsys: Any) -> None:
    assert main(["findings", "refresh", "--org", "G"]) == 0
    out = capsys.readouterr().out
    n = StoredFinding.objects.count()
    assert re.search(rf"^G: {n} open findings kept$", out, re.M) and "computed in" in out
    assert FindingsState.objects.get(org=cast.general).computed_at is not None
    assert main(["findings", "refresh", "--queue"]) == 0
    assert "2 computations queued" in capsys.readouterr().out
    assert FindingsState.objects.get(org=cast.street).computed_at is not None
    with pytest.raises(SystemExit):
        main(["findings", "refresh", "--org", "NOPE"])
