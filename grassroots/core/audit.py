"""Write and verify the audit log. Every service calls `record` inside its transaction.

`batch()` is for a write of many records in one transaction (an import): inside it `record` keeps its entries,
and they are appended on leaving, chained in the order recorded, in a few bulk inserts (the head is locked on
entering, as each `record` would lock it).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .context import current_actor, current_channel
from .models import AuditEntry, AuditHead


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named fields of an instance as JSON-ready values (foreign keys as their ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(instance, attname))
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Keep only what changed: {"before": {...}, "after": {...}}."""
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {"before": {k: before.get(k) for k in changed if k in before},
            "after": {k: after.get(k) for k in changed if k in after}}


# The entries a `batch()` keeps, each with the object whose id it takes once that object is saved.
_pending: contextvars.ContextVar[list[tuple[AuditEntry, models.Model | None]] | None] = contextvars.ContextVar(
    "grassroots_audit_batch", default=None)
BATCH_SIZE = 1000


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
    entry = AuditEntry(
        at=timezone.now(),
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
        AuditHead.objects.filter(pk=1).update(last_hash=entry.hash)
    return entry


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Keep the entries recorded inside; append them, chained in order, on leaving without an error (an error
    undoes the caller's transaction, so nothing is appended). Runs in a transaction of its own (a savepoint in
    the caller's); a batch inside a batch adds to the outer one. The entries `record` returned get their ids then.
    """
    if _pending.get() is not None:
        yield
        return
    pending: list[tuple[AuditEntry, models.Model | None]] = []
    token = _pending.set(pending)
    try:
        with transaction.atomic():
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
            yield
            last = head.last_hash
            for entry, obj in pending:
                if obj is not None:  # recorded before the object was saved: it has its id now
                    entry.object_id = str(obj.pk)
                entry.prev_hash = last
                entry.hash = last = entry.compute_hash()
            for start in range(0, len(pending), BATCH_SIZE):
                AuditEntry.objects.bulk_create([entry for entry, _obj in pending[start:start + BATCH_SIZE]])
            if pending:
                AuditHead.objects.filter(pk=1).update(last_hash=last)
    finally:
        _pending.reset(token)


def verify_chain() -> int | None:
    """Return the id of the first entry whose hash or link is wrong, or None when the chain holds."""
    prev = "0" * 64
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            return entry.id
        prev = entry.hash
    return None
