"""The audit log: append-only, each entry chained to the previous one by an HMAC-SHA256 under a key kept outside the
database (`grassroots.core.audit.audit_key`); and `Recorded`, the one spelling of who typed a record in and when."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .context import current_actor


class Recorded(models.Model):
    """Who typed a record in and when, spelt the same in every app: `recorded_at`, `recorded_by`.

    `recorded_by` is the user acting when the record is first saved (core.context), unless the service names one;
    None for the system, a command run by the operator, or a resident without an account. Rows written with
    `bulk_create` name it themselves. The audit log keeps the full story; this is what a page shows beside a record.
    """

    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.recorded_by_id is None:
            actor = current_actor()
            if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None:
                self.recorded_by = actor
        super().save(*args, **kwargs)


class Versioned(models.Model):
    """A record that counts its changes: `version` goes up by one with every save of an existing row (in the
    database, `version + 1`, so a save from an older copy still counts), so a form or an API client that read
    version n can be refused when the row has moved on (`grassroots.core.versions.check_version`)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        self.version = models.F("version") + 1  # type: ignore[assignment]
        super().save(*args, **kwargs)
        del self.__dict__["version"]  # deferred: read again from the row when next asked for (no query till then)


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only")


class AuditHead(models.Model):
    """One row, locked while an entry is appended, so that the chain never forks. It names the newest entry (its
    hash, the number of entries up to it and its time): `verify` compares it with the last entry, so rows cut from
    the tail are found."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.last_hash


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    org_id = models.BigIntegerField(_("organization id"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("the audit log is append-only")

    def payload(self) -> dict[str, Any]:
        """What the hash covers. The time is written in UTC to the millisecond, as `dumpdata` keeps it."""
        return {
            "prev": self.prev_hash,
            "at": canonical_time(self.at),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "channel": self.channel,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "org_id": self.org_id,
            "changes": self.changes,
        }

    def compute_hash(self, key: bytes | None = None) -> str:
        """HMAC-SHA256 of the payload under the audit key (read from `audit.audit_key()` when not given)."""
        if key is None:
            from .audit import audit_key

            key = audit_key()
        blob = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, default=str)
        return hmac.new(key, blob.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical_time(at: dt.datetime) -> str:
    """An entry's time as the hash sees it: UTC, to the millisecond (what a dump and load keep)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC)
    return at.isoformat(timespec="milliseconds")
