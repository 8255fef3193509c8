"""The member import's write at scale (issue 16): new members, events, periods and audit entries written in bulk
(COPY on PostgreSQL), the rows re-checked in bulk inside the transaction, the audit head left free for other
writers until the batch's end, and a row the database refuses named."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from conftest import build_cast
from grassroots.core import audit, bulk, sheets
from grassroots.core.context import acting
from grassroots.core.models import AuditEntry, AuditHead
from grassroots.members import importer
from grassroots.members import services as member_services
from grassroots.members.models import Member, MemberEvent, MemberPeriod
from grassroots.members.tests.test_importer import apply_as, new_id, plan_as, row, totals, write_csv

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="another connection writing while the import runs: PostgreSQL only")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_many_rows_are_written_in_several_batches_on_one_chain(cast: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """More rows than a bulk's batch and the audit's batch (made small here, not with a giant file): every
    member with its events and periods, one entry each, the chain whole; COPY on PostgreSQL."""
    monkeypatch.setattr(audit, "BATCH_SIZE", 4)
    real = member_services.creating_in_bulk
    monkeypatch.setattr(importer, "creating_in_bulk", lambda **kw: real(size=3, **kw))
    rows = [row(200 + i, 转正时间="" if i % 3 == 0 else "2016-07-01") for i in range(10)]
    plan = plan_as(cast.street_admin, write_csv(tmp_path / "m.csv", rows))
    since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = apply_as(cast.street_admin, plan)
    assert result.applied and result.counts["create"] == 10
    made = {m.id_number: m for m in Member.objects.filter(id_number__in=[new_id(200 + i) for i in range(10)])}
    assert len(made) == 10
    for i in range(10):
        member = made[new_id(200 + i)]
        kinds = sorted(MemberEvent.objects.filter(member=member).values_list("kind", flat=True))
        assert kinds == (["joined"] if i % 3 == 0 else ["converted", "joined"])
        assert MemberPeriod.objects.filter(member=member).count() == len(kinds)
        assert member.created_at is not None and member.version == 1
    entries = list(AuditEntry.objects.filter(id__gt=since).order_by("id"))
    assert [e.action for e in entries] == ["member.create"] * 10
    assert [e.object_id for e in entries] == [str(made[new_id(200 + i)].pk) for i in range(10)]
    assert audit.verify_chain() is None
    assert bulk.uses_copy() == (connection.vendor == "postgresql")


def test_the_write_takes_a_bounded_number_of_queries(cast: Any, tmp_path: Path,
                                                     django_assert_max_num_queries: Any) -> None:
    """Re-checking and writing 40 new rows takes no more queries than writing 5 (none a row)."""
    counts = []
    for start, n in ((300, 5), (400, 40)):
        plan = plan_as(cast.street_admin, write_csv(tmp_path / f"m{n}.csv", [row(start + i) for i in range(n)]))
        with acting(cast.street_admin, "web"), django_assert_max_num_queries(40) as captured:
            assert importer.apply_import(plan).applied
        counts.append(len(captured))
    assert counts[1] <= counts[0], counts


def test_a_number_taken_after_the_recheck_is_named_on_its_row(cast: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A number another writer commits between the bulk re-check and the COPY: the database refuses the batch,
    the import finds the row it refused and names it; nothing is written."""
    rows = [row(500 + i) for i in range(5)]
    plan = plan_as(cast.street_admin, write_csv(tmp_path / "m.csv", rows))
    real = importer._recheck

    def then_taken(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        taken = Member.objects.get(pk=cast.member_b.pk)  # someone else's record, given row 5's number
        Member.objects.filter(pk=taken.pk).update(id_number=new_id(503))

    monkeypatch.setattr(importer, "_recheck", then_taken)
    before = totals()
    result = apply_as(cast.street_admin, plan)
    assert not result.applied
    assert [(e.row, e.column) for e in result.errors] == [(5, "")]
    assert "refused" in result.errors[0].message
    assert totals() == before
    assert audit.verify_chain() is None


def test_a_row_taken_meanwhile_is_checked_again_in_full(cast: Any, tmp_path: Path) -> None:
    """An ID number entered for a member of the user's own branch between the dry run and the write: the row is
    checked again as the dry run checks it (an update now), and the rest stand as planned."""
    rows = [row(600), row(601, 所在党组织="A")]
    plan = plan_as(cast.street_admin, write_csv(tmp_path / "m.csv", rows))
    assert plan.counts["create"] == 2
    with acting(None, "system"):
        member_services.member_create(name="张601", sex="M", birth_date=dt.date(1990, 5, 6), id_number=new_id(601),
                                      education="bachelor", occupation="in_service", org=cast.branch_a,
                                      joined_on=dt.date(2015, 7, 1), status="full",
                                      converted_on=dt.date(2016, 7, 1), phone="13800000000")
    result = apply_as(cast.street_admin, plan)
    assert result.applied
    assert [(r.row, r.action) for r in result.rows] == [(2, "create"), (3, "update")]
    assert Member.objects.get(id_number=new_id(601)).phone == "13900000000"


def test_more_rows_than_the_old_limit_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The row limit is a setting of the module: a file of more rows than 100,000 was refused; now the limit is a
    city's roster. Shown with the limit made small (not with a giant file): a file at the limit is read whole,
    one row more is refused."""
    monkeypatch.setattr(sheets, "MAX_ROWS", 7)
    monkeypatch.setattr(sheets, "_READ_AT_MOST", 7 + sheets.HEADER_SEARCH + 1)
    rows = [["姓名"]] + [[f"人{i}"] for i in range(7)]
    data = "\n".join(",".join(r) for r in rows).encode()
    read, problem = sheets.read_rows(_Bytes(data), "m.csv")
    assert read is not None and problem == ""
    sheet, errors = sheets.read_sheet(read, [sheets.Column("name", "姓名", "name")], [])
    assert errors == [] and sheet is not None and len(sheet.records) == 7
    read, _problem = sheets.read_rows(_Bytes(data + "\n人8".encode()), "m.csv")
    assert read is not None
    assert sheets.read_sheet(read, [sheets.Column("name", "姓名", "name")], [])[1][0].message == \
        "the file has more than 7 rows: split it"


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self) -> bytes:
        return self.data


# --- the audit head while an import runs ------------------------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_another_writer_is_not_held_by_a_batch_until_its_end() -> None:
    """While a batch keeps its entries (an import checking and writing its rows), another connection appends an
    entry at once (its lock on the head is not kept waiting); the batch's entries come after it, the chain whole."""
    cast = build_cast()
    out: dict[str, Any] = {}
    inside, done = threading.Event(), threading.Event()

    def other_writer() -> None:
        try:
            inside.wait(30)
            with acting(None, "system"), transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '2s'")
                out["entry"] = audit.record("org.note", object_type="report", object_id="meanwhile")
        except Exception as exc:  # noqa: BLE001 - reported to the test's thread
            out["error"] = exc
        finally:
            connections.close_all()
            done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    with acting(cast.street_admin, "import"), audit.batch():
        audit.record("org.note", object_type="report", object_id="batch-1")
        inside.set()
        assert done.wait(30)
        audit.record("org.note", object_type="report", object_id="batch-2")
    thread.join(30)
    assert "error" not in out, out
    ids = list(AuditEntry.objects.filter(object_type="report").order_by("id").values_list("object_id", flat=True))
    assert ids == ["meanwhile", "batch-1", "batch-2"]
    assert audit.verify_chain() is None
    assert AuditHead.objects.get(pk=1).count == AuditEntry.objects.count()
