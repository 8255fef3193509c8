"""Before and after in words: an audit entry's or an event's values with field labels and display values.

`describe(object_type, values)` turns `{"education": "college", "mobile": False}` of a `members.member` into
`[("学历", "大专"), ("流动党员", "否")]`: the label is the model field's verbose_name (or `LABELS` for the keys
services add beside the fields), the value the choice's label, yes/no, the related record's name, a rule's title,
and a dict such as `{"present": 20, ...}` as "出席 20，…". `describe_entries(entries, scope)` does it for a page of
audit entries with one query per related model (members' names only inside the reader's scope). The audit log,
its .xlsx export and the member page's history all read through here; an audit entry's ID numbers, phones and
contacts are masked here (`core.idnumber.mask_personal`), whoever reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.core.idnumber import mask_personal

from .words import rule_title, rule_version

# Keys that services record beside the model's fields (an entry's "extra", an event's details).
LABELS: dict[str, Any] = {
    "date": gettext_lazy("Date"), "note": gettext_lazy("Note"), "reason": gettext_lazy("Reason"),
    "to": gettext_lazy("To"), "rule": gettext_lazy("Rule"), "due": gettext_lazy("Due"),
    "late": gettext_lazy("Late"), "end_date": gettext_lazy("Until"), "step": gettext_lazy("Step"),
    "months": gettext_lazy("Months"), "back_months": gettext_lazy("Months paid back"),
    "attendance": gettext_lazy("Attendance"), "names": gettext_lazy("Names"), "members": gettext_lazy("Members"),
    "hours": gettext_lazy("Hours"), "days": gettext_lazy("Days"), "working_days": gettext_lazy("Working days"),
    "sufficient": gettext_lazy("Enough"), "score": gettext_lazy("Rating"), "change": gettext_lazy("Change"),
    "to_state": gettext_lazy("New state"), "parent": gettext_lazy("Parent organization"),
    "old_name": gettext_lazy("Old name"), "new_name": gettext_lazy("New name"),
    "members_to": gettext_lazy("Members moved to"), "members_moved": gettext_lazy("Members moved"),
}
# A dict value whose keys are the choices of another model's field: {"present": 20, ...} of a meeting.
KEYED_BY: dict[str, tuple[str, str]] = {"attendance": ("meetings.attendance", "presence")}
# Keys that hold ids of another model's rows, beside the ones a foreign key declares.
RELATED: dict[str, str] = {"parent": "orgs.organization"}
MEMBER = "members.member"


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _related(model: type[models.Model] | None, key: str) -> str | None:
    field = _field(model, key)
    if field is not None and field.is_relation and field.related_model is not None:
        return str(field.related_model._meta.label_lower)
    return RELATED.get(key)


def label(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    if field is not None:
        return str(capfirst(field.verbose_name))
    return str(capfirst(LABELS[key])) if key in LABELS else key


def _choices(model_label: str, field_name: str) -> dict[str, str]:
    field = _field(_model(model_label), field_name)
    return {str(k): str(v) for k, v in field.flatchoices} if field is not None and field.choices else {}


def _separators() -> tuple[str, str]:
    """Between the parts of a dict, and of a list: Chinese punctuation in Chinese."""
    return ("，", "、") if (translation.get_language() or "").lower().startswith("zh") else (", ", ", ")


def value(model: type[models.Model] | None, key: str, raw: Any, names: dict[tuple[str, str], str]) -> str:
    """One value as a person reads it."""
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    related = _related(model, key)
    if related is not None and not isinstance(raw, dict | list):
        return names.get((related, str(raw)), f"#{raw}")
    field = _field(model, key)
    if field is not None and field.choices and not isinstance(raw, dict | list):
        return str(dict(field.flatchoices).get(raw, raw))
    if key == "rule" and isinstance(raw, str) and rule_version(raw) is not None:
        return rule_title(raw)
    if isinstance(raw, dict):
        keyed = _choices(*KEYED_BY[key]) if key in KEYED_BY else {}
        # In the choices' order, else by key: PostgreSQL's jsonb does not keep the order the dict was written in.
        order = {k: i for i, k in enumerate(keyed)}
        items = sorted(raw.items(), key=lambda kv: (order.get(str(kv[0]), len(order)), str(kv[0])))
        return _separators()[0].join(f"{keyed.get(str(k)) or label(None, str(k))} {value(None, str(k), v, names)}"
                                     for k, v in items)
    if isinstance(raw, list | tuple):
        return _separators()[1].join(value(None, "", v, names) for v in raw)
    return str(raw)


def describe(object_type: str, values: Any, names: dict[tuple[str, str], str] | None = None
             ) -> list[tuple[str, str]]:
    """(label, display value) for each key of `values` (a record of `object_type`, "app.model")."""
    if not isinstance(values, dict):
        return [] if values in (None, "", {}) else [("", str(values))]
    model = _model(object_type) if object_type else None
    return [(label(model, key), value(model, key, raw, names or {})) for key, raw in values.items()]


def _wanted(object_type: str, values: Any, out: dict[str, set[str]]) -> None:
    if not isinstance(values, dict):
        return
    model = _model(object_type) if object_type else None
    for key, raw in values.items():
        related = _related(model, key)
        if related is not None and raw not in (None, "") and not isinstance(raw, dict | list):
            out.setdefault(related, set()).add(str(raw))


def related_names(pairs: Iterable[tuple[str, Any]], scope: Any = None) -> dict[tuple[str, str], str]:
    """The names of the rows the values point at, one query per model; a member's only inside `scope`."""
    wanted: dict[str, set[str]] = {}
    for object_type, values in pairs:
        _wanted(object_type, values, wanted)
    names: dict[tuple[str, str], str] = {}
    for related, ids in wanted.items():
        model = _model(related)
        if model is None:
            continue
        if related == MEMBER:
            if scope is None:
                continue
            qs: Any = scope.members()
        else:
            qs = model._default_manager.all()
        pks = [int(i) for i in ids if i.isdigit()]
        for obj in qs.filter(pk__in=pks):
            names[(related, str(obj.pk))] = str(getattr(obj, "name", None) or obj)
    return names


def describe_entry(entry: Any, names: dict[tuple[str, str], str]) -> dict[str, list[tuple[str, str]]]:
    """An entry's before, after and extra in words, its ID numbers, phones and contacts masked for every reader
    (entries written before services masked them at writing hold them in full, and the chain keeps them so)."""
    changes = mask_personal(entry.changes) if isinstance(entry.changes, dict) else {}
    extra = {k: v for k, v in (changes.get("extra") or {}).items() if v is not None and v != ""}
    return {"before": describe(entry.object_type, changes.get("before"), names),
            "after": describe(entry.object_type, changes.get("after"), names),
            "extra": describe(entry.object_type, extra, names)}


def describe_entries(entries: Iterable[Any], scope: Any = None) -> list[dict[str, Any]]:
    """Each audit entry with its before, after and extra in words: {"entry", "before", "after", "extra"}."""
    entries = list(entries)
    pairs: list[tuple[str, Any]] = []
    for e in entries:
        changes = e.changes if isinstance(e.changes, dict) else {}
        pairs.extend((e.object_type, changes.get(part)) for part in ("before", "after", "extra"))
    names = related_names(pairs, scope)
    return [{"entry": e, **describe_entry(e, names)} for e in entries]


def pair(label_: str, shown: str) -> str:
    """"label: value"; with the full-width colon in Chinese."""
    if not label_:
        return shown
    colon = "：" if (translation.get_language() or "").lower().startswith("zh") else ": "
    return f"{label_}{colon}{shown}"


def as_text(items: list[tuple[str, str]]) -> str:
    """Lines of "label: value" (for a spreadsheet cell)."""
    return "\n".join(pair(k, v) for k, v in items)
