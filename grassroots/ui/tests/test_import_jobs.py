"""The web import as a background job, tried on the member import: upload -> the job's dry run (its progress
on the page) -> the dry run with its errors a page at a time -> confirm -> the job's write -> done. The worker
is driven directly (`jobs.run`), so no test waits for it; elsewhere the tests' tasks run at once."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import Cast
from grassroots.core import idnumber
from grassroots.members import importer
from grassroots.members.models import Member
from grassroots.ui import imports, jobs, uploads
from grassroots.ui.models import ImportJob, ImportJobLine, JobStatus
from grassroots.ui.testing import client_as, import_job_of, import_upload

URL = "/import/members/"
HEADER = ["name", "sex", "birth_date", "id_number", "education", "occupation", "status", "joined_on",
          "converted_on", "org_code"]


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    return tmp_path


def roster(n: int, *, sex: str = "男", name: str = "roster.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for i in range(n):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=i)
        sheet.append([f"成员{i:03d}", sex, birth.isoformat(), idnumber.make("110101", birth, 500 + i % 100), "本科",
                      "在岗职工", "正式党员", "2012-07-01", "2013-07-01", "A"])
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[ImportJob]:
    """Jobs are only queued (as for a worker that has not come round yet): the test runs them itself."""
    started: list[ImportJob] = []
    monkeypatch.setattr(imports, "start", lambda job, new=False: started.append(job))
    return started


def test_the_flow_upload_job_status_preview_confirm_job_done(cast: Cast, queued: list[ImportJob],
                                                              data_dir: Any) -> None:
    client = client_as(cast, "secretary")
    response = client.post(URL, {"file": roster(3)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-job", args=[job.pk])
    assert queued == [job] and job.status == JobStatus.QUEUED and job.user == cast.secretary
    assert job.kind == "grassroots.members.views.imports.FLOW" and job.params == {"default_org_code": ""}
    assert (data_dir / "uploads" / job.stored).is_file()

    # the request did no work: the page shows the progress bar, polled by HTMX, with a plain link to refresh
    page = text(client.get(response["Location"]))
    status_url = reverse("import-job-status", args=[job.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page and 'id="import-progress"' in page
    assert 'id="import-refresh"' in page and "Waiting for the worker" in page and 'id="confirm-import"' not in page
    partial = client.get(status_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and 'id="import-status"' in text(partial) and "<html" not in text(partial)

    # the worker runs the dry run; the next poll reloads the page, which shows the preview
    assert jobs.run(job.pk) == JobStatus.CHECKED
    assert client.get(status_url, headers={"HX-Request": "true"}).headers["HX-Refresh"] == "true"
    page = text(client.get(reverse("import-job", args=[job.pk])))
    assert page.count('<tr data-action="create">') == 3 and 'id="confirm-import"' in page
    assert 'hx-get="' + status_url not in page
    assert not Member.objects.filter(name__startswith="成员").exists()  # nothing written before confirming

    # confirm: queued again; the worker plans again from the kept file and writes every row
    response = client.post(reverse("import-job-confirm", args=[job.pk]))
    assert response.status_code == 302 and queued[-1].pk == job.pk
    job.refresh_from_db()
    assert job.status == JobStatus.CONFIRMED and not Member.objects.filter(name__startswith="成员").exists()
    assert "Waiting for the worker" in text(client.get(reverse("import-job", args=[job.pk])))
    assert jobs.run(job.pk) == JobStatus.DONE
    assert Member.objects.filter(name__startswith="成员", org=cast.branch_a).count() == 3
    job.refresh_from_db()
    assert job.applied and job.counts["create"] == 3 and not job.lines.exists()
    assert job.stored == "" and list((data_dir / "uploads").iterdir()) == []  # the file is deleted
    page = text(client.get(reverse("import-job", args=[job.pk])))
    assert "Imported: 3 created, 0 updated, 0 unchanged." in page
    # running it again, or confirming again, writes nothing more
    assert jobs.run(job.pk) == JobStatus.DONE
    client.post(reverse("import-job-confirm", args=[job.pk]))
    assert Member.objects.filter(name__startswith="成员").count() == 3


def test_the_progress_the_page_shows_is_the_worker_s(cast: Cast, queued: list[ImportJob]) -> None:
    client = client_as(cast, "secretary")
    client.post(URL, {"file": roster(2)})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    job.refresh_from_db()
    report = jobs.Reporter(job, ["Checking the rows"])
    report(40, 120)
    report(120, 120)  # the end of a pass is always put, however soon
    partial = text(client.get(reverse("import-job-status", args=[job.pk])))
    assert "120 of 120 rows (100%)" in partial and 'value="120"' in partial and 'max="120"' in partial


def test_the_reporter_counts_the_passes_of_a_write(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "REPORT_EVERY", 0)  # every report put (else at most one each half second)
    job = ImportJob.objects.create(kind="x", user=cast.secretary, filename="f.csv", status=JobStatus.APPLYING)
    report = jobs.Reporter(job, ["check", "check again", "write"])
    for done, total in ((0, 10), (10, 10), (0, 10), (10, 10), (0, 8), (5, 8)):
        report(done, total)
    found = jobs.progress_of(job)
    assert (found["label"], found["step"], found["steps"], found["done"], found["total"]) == ("write", 3, 3, 5, 8)


def test_the_planners_report_progress_without_changing_their_result(cast: Cast) -> None:
    from grassroots.core.context import acting

    data = roster(250).read()
    heard: list[tuple[int, int]] = []
    with acting(cast.secretary, "web"):
        quiet = importer.plan_import(io.BytesIO(data), "roster.xlsx")
        told = importer.plan_import(io.BytesIO(data), "roster.xlsx", progress=lambda d, t: heard.append((d, t)))
    assert [(r.row, r.action, r.name) for r in told.rows] == [(r.row, r.action, r.name) for r in quiet.rows]
    assert told.errors == quiet.errors and len(told.rows) == 250
    assert heard == [(0, 250), (100, 250), (200, 250), (250, 250)]


def test_the_errors_are_paged_and_all_of_them_download(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    response = import_upload(client, URL, roster(60, sex="火星人"))
    job = import_job_of(response)
    assert job.status == JobStatus.CHECKED and job.error_count == 60 and not job.ok
    page = text(response)
    assert page.count('<tr><td class="num">') == 50 and 'id="confirm-import"' not in page
    assert "60 errors" in page and "Page 1 of 2 (60 rows)" in page
    second = text(client.get(reverse("import-job", args=[job.pk]) + "?page=2"))
    assert second.count('<tr><td class="num">') == 10 and "<td>sex</td>" in second and "火星人" in second
    download = client.get(reverse("import-job-errors", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "Problem") and len(rows) == 61
    assert {r[0] for r in rows[1:]} == set(range(2, 62)) and {r[1] for r in rows[1:]} == {"sex"}


def test_the_preview_rows_are_paged(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    response = import_upload(client, URL, roster(55))
    assert text(response).count('<tr data-action="create">') == 50 and 'id="confirm-import"' in text(response)
    second = text(client.get(reverse("import-job", args=[import_job_of(response).pk]) + "?page=2"))
    assert second.count('<tr data-action="create">') == 5


def test_a_file_over_the_cap_is_refused_before_it_is_read(cast: Cast, settings: Any, data_dir: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client = client_as(cast, "secretary")
    big = SimpleUploadedFile("roster.csv", b"x" * (1024 * 1024 + 200 * 1024))
    response = client.post(URL, {"file": big})
    assert response.status_code == 400 and "The file is larger than 1 MB: split it into smaller files." in text(
        response)
    assert "At most 1 MB." in text(response)  # the form says the cap before anyone uploads
    assert not ImportJob.objects.exists() and not (data_dir / "uploads").exists()


def test_the_form_checks_the_size_too(cast: Cast, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = 0  # every file is too big, even one the request's length lets through
    response = client_as(cast, "secretary").post(URL, {"file": roster(1)})
    assert response.status_code == 400 and response.context["form"].errors["file"] == [
        "The file is larger than 0 MB: split it into smaller files."]
    assert not ImportJob.objects.exists()


def test_abandoned_uploads_are_removed_after_a_day(cast: Cast, queued: list[ImportJob], data_dir: Any) -> None:
    from grassroots import cli

    client = client_as(cast, "secretary")
    for _i in range(3):
        client.post(URL, {"file": roster(1)})
    old, running, fresh = ImportJob.objects.order_by("created_at")
    jobs.run(old.pk)
    jobs.run(fresh.pk)
    assert old.lines.exists()
    two_days_ago = time.time() - 2 * 24 * 3600
    for job in (old, running):
        os.utime(data_dir / "uploads" / job.stored, (two_days_ago, two_days_ago))
    stray = data_dir / "uploads" / "members-stray.xlsx"
    stray.write_bytes(b"left over")
    os.utime(stray, (two_days_ago, two_days_ago))

    assert cli.main(["cleanup"]) == 0  # the CLI verb; the worker runs the same at each new upload
    left = {p.name for p in (data_dir / "uploads").iterdir()}
    assert left - {running.stored, fresh.stored} == {fresh.stored + uploads.PLAN_SUFFIX}  # its kept dry run
    left -= {fresh.stored + uploads.PLAN_SUFFIX}
    old.refresh_from_db()
    running.refresh_from_db()
    fresh.refresh_from_db()
    assert left == {running.stored, fresh.stored}  # the queued job's file stays however old, as does a new one
    assert old.stored == "" and not old.lines.exists()
    page = text(client.get(reverse("import-job", args=[old.pk])))
    assert "That upload is no longer available; please upload the file again." in page
    assert 'id="confirm-import"' not in page


def test_a_new_upload_queues_the_cleanup(cast: Cast, data_dir: Any) -> None:
    stale = uploads.upload_dir() / "dues-stale.csv"
    stale.write_bytes(b"x")
    os.utime(stale, (time.time() - 3 * 24 * 3600,) * 2)
    import_upload(client_as(cast, "secretary"), URL, roster(1))
    assert not stale.exists()


def test_a_job_is_its_uploader_s_alone(cast: Cast) -> None:
    response = import_upload(client_as(cast, "secretary"), URL, roster(2))
    job = import_job_of(response)
    pages = [reverse(name, args=[job.pk]) for name in ("import-job", "import-job-status", "import-job-errors")]
    for role in ("street_admin", "auditor", "member", "outsider"):
        client = client_as(cast, role)
        for url in pages:
            assert client.get(url).status_code == 404, (role, url)
        assert client.post(reverse("import-job-confirm", args=[job.pk])).status_code == 404, role
    assert client_as(cast, "anonymous").get(pages[0]).status_code == 302  # to the login page
    admin = client_as(cast, "admin")
    seen = admin.get(pages[0])
    assert seen.status_code == 200 and 'id="confirm-import"' not in text(seen)  # the administrator only looks
    assert admin.post(reverse("import-job-confirm", args=[job.pk])).status_code == 404
    assert not Member.objects.filter(name__startswith="成员").exists()


def test_the_upload_page_lists_the_reader_s_recent_imports_there(cast: Cast) -> None:
    client = client_as(cast, "secretary")
    job = import_job_of(import_upload(client, URL, roster(1, name="五月名册.xlsx")))
    page = text(client.get(URL))
    assert 'id="recent-imports"' in page and reverse("import-job", args=[job.pk]) in page and "五月名册.xlsx" in page
    assert 'id="recent-imports"' not in text(client_as(cast, "street_admin").get(URL))


def test_a_job_that_breaks_says_so_and_writes_nothing(cast: Cast, queued: list[ImportJob],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_as(cast, "secretary")
    client.post(URL, {"file": roster(2)})
    job = ImportJob.objects.get()
    jobs.run(job.pk)
    client.post(reverse("import-job-confirm", args=[job.pk]))

    def broken(plan: Any, progress: Any) -> Any:
        raise ValueError("disk on fire")

    monkeypatch.setattr(jobs, "flow_of", lambda j: _with_apply(j, broken))
    assert jobs.run(job.pk) == JobStatus.FAILED
    page = text(client.get(reverse("import-job", args=[job.pk])))
    assert "The import stopped on an unexpected error; nothing was written." in page and "disk on fire" not in page
    assert not Member.objects.filter(name__startswith="成员").exists()


def _with_apply(job: ImportJob, apply: Any) -> Any:
    import dataclasses

    from django.utils.module_loading import import_string

    return dataclasses.replace(import_string(job.kind), apply=apply)


def test_every_flow_is_found_by_its_path() -> None:
    from django.utils.module_loading import import_string

    from grassroots.dues.views import IMPORT
    from grassroots.members.views.imports import FLOW as MEMBERS
    from grassroots.opinions.views.imports import FLOW as OPINIONS

    for flow in (IMPORT, MEMBERS, OPINIONS):
        assert import_string(flow.path) is flow


def test_lines_keep_dates_and_money_as_text(cast: Cast) -> None:
    job = ImportJob.objects.create(kind="x", user=cast.secretary, filename="f.csv")
    from decimal import Decimal

    ImportJobLine.objects.create(job=job, kind=ImportJobLine.ROW, seq=0, row=2,
                                 data={"paid_on": dt.date(2024, 5, 6), "amount": Decimal("40.00")})
    assert job.lines.get().data == {"paid_on": "2024-05-06", "amount": "40.00"}


def test_jobs_a_stopped_worker_left_half_done_start_over(cast: Cast, queued: list[ImportJob]) -> None:
    client = client_as(cast, "secretary")
    for _i in range(2):
        client.post(URL, {"file": roster(2)})
    checking, applying = ImportJob.objects.order_by("created_at")
    jobs.run(applying.pk)
    client.post(reverse("import-job-confirm", args=[applying.pk]))
    ImportJob.objects.filter(pk=checking.pk).update(status=JobStatus.CHECKING)  # the worker stopped in the middle
    ImportJob.objects.filter(pk=applying.pk).update(status=JobStatus.APPLYING)
    assert jobs.resume_interrupted() == 2  # the tasks run at once here, as the worker would run them
    checking.refresh_from_db()
    applying.refresh_from_db()
    assert checking.status == JobStatus.CHECKED and applying.status == JobStatus.DONE
    assert Member.objects.filter(name__startswith="成员").count() == 2


def test_the_upload_page_still_checks_csrf(cast: Cast) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(cast.secretary)
    assert client.post(URL, {"file": roster(1)}).status_code == 403 and not ImportJob.objects.exists()
    token = client.get(URL).context["csrf_token"]
    assert client.post(URL, {"csrfmiddlewaretoken": str(token), "file": roster(1)}).status_code == 302
    assert ImportJob.objects.count() == 1
