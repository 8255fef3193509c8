"""The member import's confirmation writes from the dry run kept beside the file (issue 16): the file is not read
and planned again; what can have changed since the dry run is checked again in bulk, and a change that makes a
row wrong fails the confirmation with the row's errors, writing nothing. And a new member's periods, built
without the general replay, are the replay's."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cast
from grassroots.core import audit, bulk, idnumber
from grassroots.core.bulk import new
from grassroots.core.context import acting
from grassroots.members import importer
from grassroots.members import services as member_services
from grassroots.members.models import Education, EventKind, Member, MemberEvent, Occupation, Status
from grassroots.orgs.models import Organization
from grassroots.ui import imports, jobs, uploads
from grassroots.ui.models import ImportJob, JobStatus
from grassroots.ui.testing import client_as

URL = "/import/members/"
HEADER = ["name", "sex", "birth_date", "id_number", "education", "occupation", "status", "joined_on",
          "converted_on", "org_code", "phone"]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[ImportJob]:
    started: list[ImportJob] = []
    monkeypatch.setattr(imports, "start", lambda job, new=False: started.append(job))
    return started


def number(i: int) -> str:
    return idnumber.make("110101", dt.date(1971, 1, 1) + dt.timedelta(days=i), 700 + i % 100)


def roster(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile("roster.xlsx", buf.getvalue())


def line(i: int, *, org: str = "A", phone: str = "") -> list[Any]:
    birth = dt.date(1971, 1, 1) + dt.timedelta(days=i)
    return [f"留存{i:03d}", "男", birth.isoformat(), number(i), "本科", "在岗职工", "正式党员", "2012-07-01",
            "2013-07-01", org, phone]


def dry_run(cast: Cast, rows: list[list[Any]]) -> ImportJob:
    client = client_as(cast, "secretary")
    client.post(URL, {"file": roster(rows)})
    job = ImportJob.objects.latest("created_at")
    assert jobs.run(job.pk) == JobStatus.CHECKED
    job.refresh_from_db()
    assert job.ok, (job.message, list(job.lines.values_list("message", flat=True)))
    client.post(reverse("import-job-confirm", args=[job.pk]))
    return job


@pytest.fixture
def no_replanning(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record any reading or planning of the file (the confirmation should do neither)."""
    calls: list[str] = []
    real_plan, real_read = importer.plan_import, importer.read_rows

    def plan(*args: Any, **kwargs: Any) -> Any:
        calls.append("plan")
        return real_plan(*args, **kwargs)

    def read(*args: Any, **kwargs: Any) -> Any:
        calls.append("read")
        return real_read(*args, **kwargs)

    monkeypatch.setattr(importer, "plan_import", plan)
    monkeypatch.setattr(importer, "read_rows", read)
    return calls


def test_the_confirmation_writes_from_the_kept_dry_run(cast: Cast, queued: list[ImportJob], data_dir: Any,
                                                       no_replanning: list[str]) -> None:
    job = dry_run(cast, [line(i) for i in range(4)])
    kept = json.loads(uploads.plan_path(job.stored).read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert kept["job"] == str(job.pk) and kept["kind"] == job.kind and len(kept["sha256"]) == 64
    assert dt.datetime.fromisoformat(kept["planned_at"]) <= dt.datetime.now(dt.UTC)
    assert [r[0] for r in kept["plan"]["creates"]] == [2, 3, 4, 5]
    assert kept["plan"]["creates"][0][5] == number(0)  # the normalized values, as checked
    no_replanning.clear()
    since = audit.verify().count
    assert jobs.run(job.pk) == JobStatus.DONE
    assert no_replanning == []  # neither read nor planned again
    made = Member.objects.filter(name__startswith="留存").order_by("name")
    assert [m.id_number for m in made] == [number(i) for i in range(4)]
    assert {m.org_id for m in made} == {cast.branch_a.pk}
    assert all(m.status == Status.FULL and m.converted_on == dt.date(2013, 7, 1) for m in made)
    assert audit.verify().ok and audit.verify().count == since + 4
    job.refresh_from_db()
    assert job.applied and job.counts["create"] == 4 and job.total == 4
    assert list((data_dir / "uploads").iterdir()) == []  # the file and its kept dry run are deleted


def test_a_number_taken_since_the_dry_run_fails_the_row_and_writes_nothing(
        cast: Cast, queued: list[ImportJob], no_replanning: list[str]) -> None:
    """Someone entered one of the rows' people meanwhile, with another joining date: that row is checked again
    in full (the kept file read for it) and its error named; nothing of the others is written."""
    job = dry_run(cast, [line(i) for i in range(3)])
    with acting(None, "system"):
        member_services.member_create(name="留存001", sex="M", birth_date=dt.date(1971, 1, 2), id_number=number(1),
                                      education="bachelor", occupation="in_service", org=cast.branch_a,
                                      joined_on=dt.date(2014, 7, 1), status="probationary")
    no_replanning.clear()
    assert jobs.run(job.pk) == JobStatus.CHECKED
    assert "plan" not in no_replanning and no_replanning == ["read"]  # the file read for that row only
    job.refresh_from_db()
    assert not job.applied and job.error_count >= 1 and "nothing was imported" in job.message
    errors = list(job.lines.values_list("row", "column", "message"))
    assert {(r, c) for r, c, _m in errors} >= {(3, "joined_on")}
    assert Member.objects.filter(name__startswith="留存").count() == 1  # only the one entered meanwhile


def test_an_organization_closed_since_the_dry_run_fails_its_rows(cast: Cast, queued: list[ImportJob]) -> None:
    job = dry_run(cast, [line(10), line(11)])
    Organization.objects.filter(pk=cast.branch_a.pk).update(revoked_on=dt.date(2020, 1, 1))
    assert jobs.run(job.pk) == JobStatus.CHECKED
    job.refresh_from_db()
    errors = list(job.lines.values_list("row", "column"))
    assert errors == [(2, "org_code"), (3, "org_code")]
    assert not Member.objects.filter(name__startswith="留存").exists()


def test_an_organization_moved_out_of_the_user_s_scope_fails_its_rows(cast: Cast, queued: list[ImportJob]) -> None:
    """The user's roles changed since the dry run: the organization is no longer theirs to change."""
    job = dry_run(cast, [line(20)])
    cast.secretary.roles.all().delete()
    assert jobs.run(job.pk) == JobStatus.CHECKED
    job.refresh_from_db()
    assert job.error_count >= 1 and not job.applied
    assert not Member.objects.filter(name__startswith="留存").exists()


def test_a_kept_dry_run_of_another_file_is_not_used(cast: Cast, queued: list[ImportJob],
                                                    no_replanning: list[str]) -> None:
    """The file beside the kept dry run is not the one it was made from (its SHA-256 differs): the confirmation
    reads and plans the file again, as without a kept dry run."""
    job = dry_run(cast, [line(30)])
    saved = uploads.path_of(job.stored)
    assert saved is not None
    other = roster([line(31)]).read()
    saved.write_bytes(other)
    no_replanning.clear()
    assert jobs.run(job.pk) == JobStatus.DONE
    assert "plan" in no_replanning
    assert list(Member.objects.filter(name__startswith="留存").values_list("id_number", flat=True)) == [number(31)]


def test_updates_in_a_kept_dry_run_are_checked_again_in_full(cast: Cast, queued: list[ImportJob]) -> None:
    """A row that updates a member is checked again as the dry run checks it (from the kept file): the member's
    phone as the row says, the new row written as kept."""
    with acting(None, "system"):
        member_services.member_create(name="留存040", sex="M", birth_date=dt.date(1971, 2, 10), id_number=number(40),
                                      education="bachelor", occupation="in_service", org=cast.branch_a,
                                      joined_on=dt.date(2012, 7, 1), status="full", converted_on=dt.date(2013, 7, 1))
    job = dry_run(cast, [line(40, phone="13700000000"), line(41)])
    assert jobs.run(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.counts == {"create": 1, "update": 1, "unchanged": 0}
    assert Member.objects.get(id_number=number(40)).phone == "13700000000"
    assert Member.objects.filter(id_number=number(41)).exists()


def test_a_kept_plan_of_another_layout_is_not_resumed() -> None:
    assert importer.resume_plan({"format": importer.KEPT_FORMAT + 1}, None, "f.xlsx") is None
    assert importer.resume_plan(["not", "a", "plan"], None, "f.xlsx") is None


# --- a new member's periods without the replay ------------------------------------------------------------------

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # (a loaded machine is slow to draw)
@given(joined=days, gap=st.one_of(st.none(), st.integers(min_value=1, max_value=20_000)),
       status=st.sampled_from(Status.values), education=st.sampled_from(Education.values),
       occupation=st.sampled_from(Occupation.values), org_id=st.integers(min_value=1, max_value=10**6))
def test_a_new_member_s_periods_are_the_replay_s(joined: dt.date, gap: int | None, status: str, education: str,
                                                 occupation: str, org_id: int) -> None:
    converted = joined + dt.timedelta(days=gap) if gap is not None else None
    if converted is not None:
        status = Status.FULL  # a conversion date goes with a full member (`_check_join`)
    first_status = Status.PROBATIONARY if converted is not None else status
    member = new(Member, name="x", sex="M", ethnicity="汉族", birth_date=dt.date(1930, 1, 1), id_number="",
                 education=education, occupation=occupation, status=status, joined_on=joined,
                 converted_on=converted, org_id=org_id)
    events = [new(MemberEvent, kind=EventKind.JOINED, date=joined, org_id=org_id,
                  details={"status": first_status, "education": education, "occupation": occupation})]
    if converted is not None:
        events.append(new(MemberEvent, kind=EventKind.CONVERTED, date=converted))
    direct = member_services.new_member_periods(member, first_status=first_status)
    fields = ("org_id", "start", "end", "status", "mobile", "suspended", "education", "occupation")
    before = {f: getattr(member, f) for f in ("standing", "joined_on", "converted_on", "status", "mobile",
                                              "education", "occupation", "org_id")}
    replayed = member_services._replayed(member, events)  # sets the cached fields as the replay finds them
    assert [tuple(getattr(p, f) for f in fields) for p in direct] == \
        [tuple(getattr(p, f) for f in fields) for p in replayed]
    assert before == {f: getattr(member, f) for f in before}  # the fields set at creation are the replay's


# --- the collector paused during the write ----------------------------------------------------------------------


def test_the_write_runs_with_the_collector_paused(cast: Cast, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from grassroots.members.tests.test_importer import apply_as, plan_as, row, write_csv

    seen: list[bool] = []
    real = importer.member_create

    def create(**values: Any) -> Any:
        seen.append(gc.isenabled())
        return real(**values)

    monkeypatch.setattr(importer, "member_create", create)
    plan = plan_as(cast.street_admin, write_csv(tmp_path / "m.csv", [row(900), row(901)]))
    assert gc.isenabled()
    assert apply_as(cast.street_admin, plan).applied
    assert seen == [False, False] and gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), bulk.gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("stop")
    assert gc.isenabled()
    gc.disable()
    try:  # paused by someone else: left as it was
        with bulk.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
