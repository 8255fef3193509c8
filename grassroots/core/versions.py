"""No lost edit: a write made from a page or an API read older than the record's last change is refused.

Every edit form carries the `version` of the record it was opened on (a hidden field) and every API update the
`version` it read; the service locks the row (`select_for_update`), then calls `check_version`, which refuses a
stale one with a `StaleVersionError` naming who changed what since, from the audit log's newest entry about the
record that changed something. Nothing is written then. See `grassroots.core.models.Versioned`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import StaleVersionError
from .models import AuditEntry

# Keys of an audit entry's before/after that are not fields a user changed.
_NOT_FIELDS = {"version", "extra"}
_LOOK_BACK = 20  # entries about the record read to find the last one that changed something (reveals change none)


def parse_version(value: Any) -> int:
    """The version a form or a request sent; -1 (always stale) when it is missing or not a whole number."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if not isinstance(value, bool) else -1


def _label(model: type[models.Model], key: str) -> str:
    """A changed key as the user knows it: the field's name, else the model's `change_label(key)`, else the key."""
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        other = getattr(model, "change_label", None)
        return (other(key) if other is not None else None) or key
    return str(getattr(field, "verbose_name", key))


def _who(entry: AuditEntry) -> str:
    user = get_user_model().objects.filter(pk=entry.actor_id).first() if entry.actor_id else None
    full = user.get_full_name().strip() if user is not None else ""
    return f"{full} ({entry.actor_name})" if full and full != entry.actor_name else entry.actor_name


def last_change(obj: models.Model) -> tuple[AuditEntry, list[str]] | None:
    """The newest audit entry about `obj` that changed a field, with the labels of the fields it changed."""
    entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")
    for entry in entries[:_LOOK_BACK]:
        changes = entry.changes or {}
        keys = sorted((set(changes.get("before") or {}) | set(changes.get("after") or {})) - _NOT_FIELDS)
        if keys:
            return entry, [_label(type(obj), k) for k in keys]
    return None


def stale_message(obj: models.Model) -> str:
    """What the user is told when their page is older than the record: who changed what, when."""
    found = last_change(obj)
    if found is None:
        return _("%(object)s was changed by someone else after you opened this page, and nothing was saved. "
                 "Reload the page and make your change again.") % {"object": obj}
    entry, fields = found
    return _("%(object)s was changed by %(who)s at %(when)s (%(fields)s) after you opened this page, and nothing "
             "was saved. Reload the page to see the change and make yours again.") % {
        "object": obj, "who": _who(entry), "when": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
        "fields": ", ".join(fields)}


def check_version(obj: Any, expected: Any) -> None:
    """Refuse the write when `expected` (the version the page or client read; None: no check, for callers that
    read and write in one transaction) is not the locked row's current `version`."""
    if expected is None:
        return
    if parse_version(expected) != obj.version:
        raise StaleVersionError(stale_message(obj), field="version")
