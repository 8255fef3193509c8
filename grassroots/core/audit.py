"""Write and verify the audit log. Every service calls `record` inside its transaction.

Each entry is chained to the one before by an HMAC-SHA256 under a key kept outside the database
(`audit_key()`: `GRASSROOTS_AUDIT_KEY`, else `DATA_DIR/audit.key`, made on first use, mode 0600), so whoever can
write the database but not read the key cannot rewrite the chain. The head row names the newest entry, so a cut
tail is found; `checkpoint()` prints that head as a line to keep elsewhere, and `verify(checkpoint=...)` checks the
log still holds it at its place. Times are hashed to the millisecond, so a `dumpdata`/`loaddata` round trip holds.

`batch()` is for a write of many records in one transaction (an import): inside it `record` keeps its entries,
and they are appended on leaving, chained in the order recorded, in a few bulk inserts; the head is locked only
then, so other writers are not held while the batch's rows are checked and written.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import decimal
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from . import bulk
from .context import current_actor, current_channel
from .models import AuditEntry, AuditHead, canonical_time
from .writes import touched

ZERO = "0" * 64
KEY_ENV = "GRASSROOTS_AUDIT_KEY"
KEY_FILE = "audit.key"
_keys: dict[str, bytes] = {}


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def audit_key() -> bytes:
    """The key the chain is signed with: `GRASSROOTS_AUDIT_KEY` (at least 32 characters), else the file
    `audit.key` in the data folder, created on first use with a random key, readable by its owner only (0600).
    Keep a copy apart from the database backups: without it the log cannot be verified."""
    text = os.environ.get(KEY_ENV, "").strip()
    if text:
        if len(text) < 32:
            raise ImproperlyConfigured(f"{KEY_ENV} must be at least 32 characters long")
        return text.encode("utf-8")
    path = key_path()
    cached = _keys.get(str(path))
    if cached is not None:
        return cached
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip().encode("utf-8")
    if not key:
        raise ImproperlyConfigured(f"the audit key file {path} is empty")
    _keys[str(path)] = key
    return key


def _now() -> dt.datetime:
    """Now, to the millisecond: what the hash covers and what a dump keeps."""
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


_attnames: dict[tuple[type[models.Model], tuple[str, ...]], list[tuple[str, str]]] = {}


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named fields of an instance as JSON-ready values (foreign keys as their ids)."""
    key = (type(instance), tuple(fields))
    names = _attnames.get(key)
    if names is None:  # (an import snapshots 100,000 members: the fields are looked up once)
        names = _attnames[key] = [(name, getattr(instance._meta.get_field(name), "attname", name))
                                  for name in fields]
    return {name: _jsonable(getattr(instance, attname)) for name, attname in names}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Keep only what changed: {"before": {...}, "after": {...}}."""
    if not before:  # a creation (an import records 100,000): what is set, in the keys' order
        after = after or {}
        return {"before": {}, "after": {k: after[k] for k in sorted(after) if after[k] is not None}}
    after = after or {}
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {"before": {k: before.get(k) for k in changed if k in before},
            "after": {k: after.get(k) for k in changed if k in after}}


# The entries a `batch()` keeps, each with the object whose id it takes once that object is saved.
_pending: contextvars.ContextVar[list[tuple[AuditEntry, models.Model | None]] | None] = contextvars.ContextVar(
    "grassroots_audit_batch", default=None)
BATCH_SIZE = 5000


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    org_id: int | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    object_repr: str | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction (it is atomic on its own too)."""
    actor = current_actor()
    changes = diff(before, after) if (before is not None or after is not None) else {}
    if extra:
        changes["extra"] = {k: _jsonable(v) for k, v in extra.items()}
    entry = bulk.new(
        AuditEntry,
        at=_now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        channel=current_channel(),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "")),
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[:200],
        org_id=org_id,
        changes=changes,
    )
    touched(org_id)  # the kept findings of that organization are computed again after the commit (rules.stored)
    pending = _pending.get()
    if pending is not None:
        unsaved = obj is not None and object_id is None and obj.pk is None
        pending.append((entry, obj if unsaved else None))
        return entry
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry.prev_hash = head.last_hash
        entry.hash = entry.compute_hash()
        entry.save()
        AuditHead.objects.filter(pk=1).update(last_hash=entry.hash, count=head.count + 1, last_at=entry.at)
    return entry


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Keep the entries recorded inside; append them, chained in order, on leaving without an error (an error
    undoes the caller's transaction, so nothing is appended). Runs in a transaction of its own (a savepoint in
    the caller's); a batch inside a batch adds to the outer one. The entries `record` returned get their ids then.

    The head is locked only on leaving, to chain and insert the kept entries (`append_kept`): until then other
    writers append their own entries as usual, and the batch's come after theirs. An entry's `at` is when it was
    recorded, so a batch's entries may be older than the entries just before them; the chain does not depend on
    the times' order."""
    if _pending.get() is not None:
        yield
        return
    pending: list[tuple[AuditEntry, models.Model | None]] = []
    token = _pending.set(pending)
    try:
        with transaction.atomic():
            yield
            _append(pending)
    finally:
        _pending.reset(token)


def _append(pending: list[tuple[AuditEntry, models.Model | None]]) -> None:
    """Lock the head, chain the entries after it in order, insert them BATCH_SIZE at a time, move the head.
    Every writer inserts its entries while holding the head, so the ids follow the chain."""
    if not pending:
        return
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    last, key = head.last_hash, audit_key()
    for entry, obj in pending:
        if obj is not None:  # recorded before the object was saved: it has its id now
            entry.object_id = str(obj.pk)
        entry.prev_hash = last
        entry.hash = last = entry.compute_hash(key)
    for start in range(0, len(pending), BATCH_SIZE):  # COPY on PostgreSQL, ids taken in order under the lock
        bulk.insert(AuditEntry, [entry for entry, _obj in pending[start:start + BATCH_SIZE]])
    AuditHead.objects.filter(pk=1).update(last_hash=last, count=head.count + len(pending),
                                          last_at=pending[-1][0].at)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What `verify` found: `problem` is None when the log holds; `broken_at` names the first wrong entry's id
    when there is one (a cut tail or a checkpoint no longer held has none)."""

    count: int
    last_hash: str
    last_at: dt.datetime | None
    problem: str | None = None
    broken_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


CHECKPOINT = re.compile(r"count=(?P<count>\d+)\s+hash=(?P<hash>[0-9a-f]{64})")


def checkpoint_line(verdict: Verdict) -> str:
    at = canonical_time(verdict.last_at) if verdict.last_at is not None else "-"
    return f"grassroots-audit count={verdict.count} hash={verdict.last_hash} at={at}"


def parse_checkpoint(line: str) -> tuple[int, str]:
    match = CHECKPOINT.search(line.strip().lower())
    if match is None:
        raise ValueError("a checkpoint reads: grassroots-audit count=N hash=<64 hex digits> at=<time>")
    return int(match["count"]), match["hash"]


def verify(checkpoint: str | None = None) -> Verdict:
    """Walk the chain: every entry's HMAC and link, then the head (the last entry must be the one the head names,
    and the count must match), then, when given, a checkpoint line (the entry at its position must still carry
    its hash)."""
    wanted = parse_checkpoint(checkpoint) if checkpoint is not None else None
    key, prev, count, last_at = audit_key(), ZERO, 0, None
    seen_checkpoint: str | None = None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.compute_hash(key) != entry.hash:
            return Verdict(count, prev, last_at, f"the chain is broken at entry {entry.id}", entry.id)
        prev, count, last_at = entry.hash, count + 1, entry.at
        if wanted is not None and count == wanted[0]:
            seen_checkpoint = entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    head_hash, head_count = (head.last_hash, head.count) if head is not None else (ZERO, 0)
    if head_hash != prev or head_count != count:
        return Verdict(count, prev, last_at,
                       f"the newest entries are missing: the head names entry number {head_count} ({head_hash[:12]}), "
                       f"the log ends at entry number {count} ({prev[:12]})")
    if wanted is not None:
        if wanted[0] == 0:
            seen_checkpoint = ZERO
        if seen_checkpoint is None:
            return Verdict(count, prev, last_at,
                           f"the log holds {count} entries, fewer than the {wanted[0]} of the checkpoint: "
                           "entries were removed since")
        if seen_checkpoint != wanted[1]:
            return Verdict(count, prev, last_at,
                           f"entry number {wanted[0]} is not the one the checkpoint names: the log was rewritten")
    return Verdict(count, prev, last_at)


def checkpoint() -> str:
    """The head as one line to keep on paper or send elsewhere; refused when the log does not verify."""
    verdict = verify()
    if not verdict.ok:
        raise ValueError(verdict.problem)
    return checkpoint_line(verdict)


def verify_chain() -> int | None:
    """None when the log holds (`verify`); else the id of the first wrong entry, or 0 when the entries hold but
    the newest are missing."""
    verdict = verify()
    if verdict.ok:
        return None
    return verdict.broken_at if verdict.broken_at is not None else 0


def head_mark() -> tuple[int, str]:
    """The chain's head: the number of entries and the newest one's hash (1 query of one row). Every audited write
    moves it in its own transaction, so it changes exactly when a committed write was recorded: the mark the kept
    pages are keyed by (`grassroots.ui.kept`)."""
    row = AuditHead.objects.filter(pk=1).values_list("count", "last_hash").first()
    return (row[0], row[1]) if row else (0, "")
