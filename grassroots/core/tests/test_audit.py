"""The audit log: every service write leaves an entry, the hash chain holds, and nothing rewrites it."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from grassroots.core import audit
from grassroots.core.context import acting
from grassroots.core.models import AppendOnlyError, AuditEntry
from grassroots.members import services as member_services
from grassroots.orgs import services as org_services


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _new_entries(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


def _last_id() -> int:
    last = AuditEntry.objects.order_by("-id").first()
    return last.id if last else 0


def test_the_cast_builds_a_valid_chain(cast: Any) -> None:
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries] == ["org.create"] * 7 + ["member.create"] * 4
    assert entries[0].prev_hash == "0" * 64
    for prev, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == prev.hash
    assert audit.verify_chain() is None
    assert {e.channel for e in entries} == {"system"}
    assert {e.actor_name for e in entries} == {"system"}


def test_org_rename_entry_has_actor_channel_before_after(cast: Any) -> None:
    since = _last_id()
    with acting(cast.street_admin, "web"):
        org_services.org_rename(cast.branch_a, name="第一支部（新）", on=dt.date(2019, 6, 1))
    (entry,) = _new_entries(since)
    assert entry.action == "org.rename"
    assert entry.actor_id == cast.street_admin.pk and entry.actor_name == "street_admin"
    assert entry.channel == "web"
    assert entry.object_type == "orgs.organization" and entry.object_id == str(cast.branch_a.pk)
    assert entry.org_id == cast.branch_a.pk
    assert entry.changes["before"] == {"name": "第一支部"}
    assert entry.changes["after"] == {"name": "第一支部（新）"}
    assert entry.changes["extra"]["date"] == "2019-06-01"
    assert audit.verify_chain() is None


def test_member_services_write_entries(cast: Any) -> None:
    since = _last_id()
    with acting(cast.secretary, "api"):
        member_services.member_update(cast.member, phone="13911112222")
        member_services.member_record_event(cast.member_a2, kind="mobile_out", on=dt.date(2020, 1, 1))
    update, event = _new_entries(since)
    assert (update.action, update.channel, update.actor_name) == ("member.update", "api", "secretary")
    assert update.changes["before"] == {"phone": "138****8000"}
    assert update.changes["after"] == {"phone": "139****2222"}
    assert (event.action, event.object_id) == ("member.mobile_out", str(cast.member_a2.pk))
    assert event.changes["before"] == {"mobile": False} and event.changes["after"] == {"mobile": True}
    assert event.org_id == cast.branch_a.pk
    assert audit.verify_chain() is None


def test_member_create_snapshot_masks_id_and_phone(cast: Any) -> None:
    from conftest import make_member

    since = _last_id()
    with acting(cast.street_admin, "import"):
        m = make_member(cast.branch_b, name="钱多", phone="13712345678")
    (entry,) = _new_entries(since)
    assert entry.action == "member.create" and entry.channel == "import"
    after = entry.changes["after"]
    assert after["id_number"] == m.id_number[:3] + "*" * 11 + m.id_number[-4:]
    assert after["phone"] == "137****5678"
    blob = str(entry.changes) + entry.object_repr
    assert m.id_number not in blob and "13712345678" not in blob


def test_member_reveal_logs_without_the_number(cast: Any) -> None:
    since = _last_id()
    with acting(cast.secretary, "web"):
        shown = member_services.member_reveal(cast.member, field="id_number")
        phone = member_services.member_reveal(cast.member, field="phone")
    assert shown == cast.member.id_number and phone == "13800138000"
    entries = _new_entries(since)
    assert [e.action for e in entries] == ["member.reveal_id_number", "member.reveal_phone"]
    for e in entries:
        assert e.actor_name == "secretary" and e.channel == "web" and e.org_id == cast.branch_a.pk
        assert cast.member.id_number not in str(e.payload())
        assert "13800138000" not in str(e.payload())


def test_reveal_refused_to_the_auditor_logs_nothing(cast: Any) -> None:
    from grassroots.core.errors import PermissionDeniedError

    since = _last_id()
    with acting(cast.auditor, "web"), pytest.raises(PermissionDeniedError):
        member_services.member_reveal(cast.member, field="id_number")
    assert _new_entries(since) == []


TABLE = AuditEntry._meta.db_table


@contextlib.contextmanager
def tampering() -> Iterator[Any]:
    """A cursor for writing past the application, as someone with the database's password would; on PostgreSQL
    with the append-only trigger switched off first (as its owner could), to show the chain finds it anyway."""
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        if pg:
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER grassroots_audit_append_only")
        yield cur
        if pg:
            cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER grassroots_audit_append_only")


def test_tampering_is_found(cast: Any) -> None:
    target = AuditEntry.objects.order_by("id")[3]
    with tampering() as cur:
        cur.execute(f"UPDATE {TABLE} SET changes = %s WHERE id = %s", ['{"after": {"name": "forged"}}', target.id])
    assert audit.verify_chain() == target.id


def test_a_deleted_row_breaks_the_link(cast: Any) -> None:
    entries = list(AuditEntry.objects.order_by("id"))
    with tampering() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entries[2].id])
    assert audit.verify_chain() == entries[3].id


def _write_entries(cast: Any, n: int) -> None:
    with acting(cast.admin, "cli"), audit.batch():
        for i in range(n):
            audit.record("export.roster", object_type="report", object_id=str(i), extra={"rows": i})


@pytest.mark.parametrize("cut", [1, 100, "all"])
def test_a_cut_tail_is_found(cast: Any, cut: int | str) -> None:
    _write_entries(cast, 120)
    audit.record("org.note", object_type="report", object_id="last")  # one by one after the batch too
    assert audit.verify_chain() is None
    ids = list(AuditEntry.objects.order_by("-id").values_list("id", flat=True))
    gone = ids if cut == "all" else ids[:cut]
    with tampering() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id >= %s", [min(gone)])
    assert audit.verify_chain() is not None
    verdict = audit.verify()
    assert not verdict.ok and verdict.problem is not None and "missing" in verdict.problem
    assert verdict.count == len(ids) - len(gone)


def test_a_chain_rehashed_without_the_key_is_found(cast: Any) -> None:
    """Someone who can write the database but cannot read the key rewrites an entry and every hash after it (plain
    SHA-256 as the chain once was, or an HMAC under a key of their own), and the head too."""
    import hashlib
    import hmac
    import json

    target = AuditEntry.objects.order_by("id")[2]
    for sign in (lambda blob: hashlib.sha256(blob).hexdigest(),
                 lambda blob: hmac.new(b"a key of my own, long enough to pass", blob, hashlib.sha256).hexdigest()):
        with tampering() as cur:
            cur.execute(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["forged", target.id])
            prev = "0" * 64
            for entry in AuditEntry.objects.order_by("id"):
                entry.prev_hash = prev
                blob = json.dumps(entry.payload(), sort_keys=True, ensure_ascii=False, default=str).encode()
                prev = sign(blob)
                cur.execute(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
                            [entry.prev_hash, prev, entry.id])
            cur.execute("UPDATE core_audithead SET last_hash = %s WHERE id = 1", [prev])
        assert audit.verify_chain() is not None
        verdict = audit.verify()
        assert not verdict.ok and verdict.broken_at == AuditEntry.objects.order_by("id")[0].id


def test_the_key_is_made_once_outside_the_database(tmp_path: Any, settings: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv(audit.KEY_ENV, raising=False)
    settings.DATA_DIR = tmp_path
    key = audit.audit_key()
    path = tmp_path / "audit.key"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert len(key) == 64 and audit.audit_key() == key
    monkeypatch.setenv(audit.KEY_ENV, "x" * 40)
    assert audit.audit_key() == b"x" * 40
    monkeypatch.setenv(audit.KEY_ENV, "short")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        audit.audit_key()


def test_a_checkpoint_finds_a_cut_back_or_a_rewrite(cast: Any) -> None:
    line = audit.checkpoint()
    count = AuditEntry.objects.count()
    assert f"count={count} " in line and AuditEntry.objects.order_by("-id")[0].hash in line
    _write_entries(cast, 3)
    assert audit.verify(checkpoint=line).ok  # the log went on: the checkpoint is still held
    later = audit.checkpoint()
    # cut back to before the checkpoint, and set the head to match (as someone who read the code would)
    keep = AuditEntry.objects.order_by("id")[count - 2]
    with tampering() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id > %s", [keep.id])
        cur.execute("UPDATE core_audithead SET last_hash = %s, count = %s WHERE id = 1", [keep.hash, count - 1])
    assert audit.verify().ok  # the chain and head agree, only the checkpoint knows
    verdict = audit.verify(checkpoint=line)
    assert not verdict.ok and "fewer" in (verdict.problem or "")
    assert not audit.verify(checkpoint=later).ok
    # a checkpoint whose entry is still there in number but not in content: the log was rewritten
    assert "rewritten" in (audit.verify(checkpoint=f"count={count - 1} hash={'1' * 64}").problem or "")
    with pytest.raises(ValueError):
        audit.verify(checkpoint="count=three")


def test_the_chain_survives_dumpdata_and_loaddata(cast: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    _write_entries(cast, 5)
    before = list(AuditEntry.objects.order_by("id").values_list("id", "hash"))
    dump = tmp_path / "audit.json"
    call_command("dumpdata", "core.AuditEntry", "core.AuditHead", output=str(dump))
    with tampering() as cur:
        cur.execute(f"DELETE FROM {TABLE}")
        cur.execute("DELETE FROM core_audithead")
    call_command("loaddata", str(dump))
    assert list(AuditEntry.objects.order_by("id").values_list("id", "hash")) == before
    assert audit.verify_chain() is None
    assert audit.verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_the_log(cast: Any) -> None:
    from django.db import DatabaseError, transaction

    entry = AuditEntry.objects.order_by("id").first()
    assert entry is not None
    for sql in (f"UPDATE {TABLE} SET action = 'changed' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.id])
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action
    assert audit.verify().ok


def test_append_only(cast: Any) -> None:
    entry = AuditEntry.objects.order_by("id").first()
    assert entry is not None
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action != "changed"
    assert audit.verify_chain() is None


def test_diff_keeps_only_changes() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"before": {"b": 2}, "after": {"b": 3, "c": 4}}
    assert audit.diff(None, {"a": 1}) == {"before": {}, "after": {"a": 1}}


@pytest.mark.django_db
def test_record_without_an_object_and_refused_writes_leave_no_entry(cast: Any) -> None:
    from grassroots.core.errors import RuleError

    since = _last_id()
    with acting(cast.street_admin, "cli"), pytest.raises(RuleError):
        org_services.org_rename(cast.branch_a, name="  ", on=dt.date(2019, 1, 1))
    assert _new_entries(since) == []
    with acting(cast.admin, "cli"):
        entry = audit.record("export.roster", object_type="report", object_id="x", extra={"rows": 3})
    assert (entry.actor_name, entry.channel, entry.changes) == ("admin", "cli", {"extra": {"rows": 3}})
    assert audit.verify_chain() is None


# --- batches (an import's rows) -----------------------------------------------------------------------------


def _member_state(member: Any) -> tuple[Any, ...]:
    from grassroots.members.models import Member

    m = Member.objects.get(pk=member.pk)
    events = [(e.kind, e.date, e.org_id, e.details, e.recorded_by_id) for e in m.events.order_by("date", "id")]
    periods = [(p.org_id, p.start, p.end, p.status, p.education, p.occupation) for p in m.periods.all()]
    return (m.name, m.org_id, m.status, m.standing, m.joined_on, m.converted_on, m.education, m.occupation,
            events, periods)


def test_a_batch_appends_its_entries_in_order_on_one_chain(cast: Any) -> None:
    from conftest import make_member

    since = _last_id()
    with acting(cast.street_admin, "import"), audit.batch(), member_services.creating_in_bulk(size=2):
        made = [make_member(cast.branch_b, name=f"批{i}", birth=dt.date(1970, 1, 1 + i)) for i in range(5)]
        assert AuditEntry.objects.filter(id__gt=since).count() == 0  # kept until the batch ends
        member_services.member_update(cast.member_b, phone="13911112222")
    entries = _new_entries(since)
    assert [e.action for e in entries] == ["member.create"] * 5 + ["member.update"]
    assert [e.object_id for e in entries] == [str(m.pk) for m in made] + [str(cast.member_b.pk)]
    assert all(m.pk is not None for m in made)
    assert {(e.channel, e.actor_name) for e in entries} == {("import", "street_admin")}
    assert audit.verify_chain() is None
    org_services.org_rename(cast.branch_b, name="第二支部（新）", on=dt.date(2020, 1, 1))  # the chain goes on
    assert audit.verify_chain() is None


def test_members_written_in_bulk_are_the_members_written_one_by_one(cast: Any) -> None:
    from conftest import make_member

    with acting(cast.street_admin, "import"):
        one = make_member(cast.branch_b, name="单个", birth=dt.date(1971, 2, 3), converted_on=None,
                          status="probationary", joined_on=dt.date(2025, 1, 2))
        two = make_member(cast.branch_b, name="单个", birth=dt.date(1972, 2, 3))
        with audit.batch(), member_services.creating_in_bulk():
            bulk_one = make_member(cast.branch_b, name="单个", birth=dt.date(1973, 2, 3), converted_on=None,
                                   status="probationary", joined_on=dt.date(2025, 1, 2))
            bulk_two = make_member(cast.branch_b, name="单个", birth=dt.date(1974, 2, 3))
    assert _member_state(bulk_one) == _member_state(one)
    assert _member_state(bulk_two) == _member_state(two)
    assert _member_state(two)[8][0][4] == cast.street_admin.pk  # the events name who typed them in


def test_a_failed_batch_appends_nothing_and_writes_nothing(cast: Any) -> None:
    from grassroots.core import idnumber
    from grassroots.core.errors import RuleError
    from grassroots.members.models import Member

    birth = dt.date(1975, 5, 5)
    person = dict(sex="M", birth_date=birth, education="bachelor", occupation="in_service", org=cast.branch_b,
                  joined_on=dt.date(2000, 7, 1))
    numbers = [idnumber.make("530522", birth, 11), idnumber.make("530522", birth, 13)]
    since, members = _last_id(), Member.objects.count()
    # the first member written before the error, or still kept; the numbers looked up on entering, or one by one
    for size, expected in ((1, ()), (10, ()), (10, numbers)):
        with pytest.raises(RuleError, match="already held"), acting(cast.street_admin, "import"), audit.batch(), \
                member_services.creating_in_bulk(size=size, expected=expected):
            member_services.member_create(name="甲", id_number=numbers[0], **person)
            member_services.member_create(name="乙", id_number=numbers[1], **person)
            member_services.member_create(name="丙", id_number=numbers[0], **person)
        assert _last_id() == since and Member.objects.count() == members
    for expected in ((), [cast.member.id_number]):  # a number the roster holds
        with pytest.raises(RuleError, match="already held"), acting(cast.street_admin, "import"), audit.batch(), \
                member_services.creating_in_bulk(expected=expected):
            member_services.member_create(name="丁", id_number=cast.member.id_number,
                                          **{**person, "birth_date": cast.member.birth_date})
        assert _last_id() == since and Member.objects.count() == members
    assert audit.verify_chain() is None
