"""Inserting many new rows at once: `bulk_create`, or on PostgreSQL `COPY ... FROM STDIN` (psycopg 3's
`cursor.copy`), several times faster for the tens of thousands of rows an import writes.

`insert(model, objs, ids=True)` sets the objects' ids first, taken together from the table's sequence
(`nextval` over a series, in one query), so that rows pointing at them (a member's events and periods) can be
copied next; `ids=False` leaves the ids to the column's default (the sequence, in the order the rows are copied)
and the objects without them. Fields are written as `bulk_create` writes them: `auto_now`/`auto_now_add` times
are set, JSON is encoded by the field's encoder. Must run inside the caller's transaction.
"""

from __future__ import annotations

import contextlib
import gc
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

COPY_BATCH = 5000  # rows per bulk_create where COPY is not available


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _fields(model: type[models.Model], with_pk: bool) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def _stamp(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Set `auto_now` and `auto_now_add` times (COPY skips the fields' pre_save), one time for all the rows."""
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
            for obj in objs:
                if getattr(f, "auto_now", False) or getattr(obj, f.attname) is None:
                    setattr(obj, f.attname, now)


_layouts: dict[type[models.Model], list[tuple[str, models.Field[Any, Any]]]] = {}


_attnames: dict[type[models.Model], frozenset[str]] = {}


def _names(model: type[models.Model], layout: list[tuple[str, models.Field[Any, Any]]]) -> frozenset[str]:
    names = _attnames.get(model)
    if names is None:
        names = _attnames[model] = frozenset(attname for attname, _f in layout)
    return names


def new[M: models.Model](model: type[M], **values: Any) -> M:
    """An unsaved instance from its fields' column names (`org_id`, not `org`): its attributes set directly, as
    `Model.__init__` would set them (several times faster, which an import of 100,000 members with their events,
    periods and audit entries feels); through `__init__` when the model has init signals. Fields not given take
    their defaults."""
    layout = _layouts.get(model)
    if layout is None:
        layout = _layouts[model] = [(f.attname, f) for f in model._meta.concrete_fields]
    if not values.keys() <= _names(model, layout):
        raise TypeError(f"{model.__name__} has no fields {sorted(values.keys() - _names(model, layout))}")
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(*[values[attname] if attname in values else field.get_default() for attname, field in layout])
    # what Model.__init__ leaves of a new instance, without its per-field work (a third of an import's building)
    obj = model.__new__(model)
    state = obj.__dict__
    state["_state"] = ModelState()
    for attname, field in layout:
        state[attname] = values[attname] if attname in values else field.get_default()
    return obj


def take_ids(model: type[models.Model], n: int) -> list[int]:
    """n new ids from the table's sequence, in one query (PostgreSQL)."""
    table, pk = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
        return [row[0] for row in cur.fetchall()]


def insert(model: type[models.Model], objs: Sequence[models.Model], *, ids: bool = True,
           prepared: bool = False) -> None:
    """Insert `objs` (new, unsaved) in bulk: COPY on PostgreSQL, `bulk_create` elsewhere. `ids`: set the objects'
    ids (always so with bulk_create where the database returns them). `prepared`: the caller set every foreign
    key's id itself (else a foreign key given as an object saved meanwhile takes its id here)."""
    if not objs:
        return
    if not uses_copy():
        model._default_manager.bulk_create(objs, batch_size=COPY_BATCH)  # type: ignore[arg-type]
        return
    if not prepared:
        for obj in objs:  # a foreign key given as an object saved meanwhile: its id now
            obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    if ids:
        for obj, pk in zip(objs, take_ids(model, len(objs)), strict=True):
            obj.pk = pk
    _stamp(model, objs)
    fields = _fields(model, with_pk=ids)
    encoders = [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    row_of = operator.attrgetter(*(f.attname for f in fields))  # one call a row (a tuple for two fields or more)

    def rows() -> Iterator[Any]:
        for obj in objs:
            values: Any = row_of(obj)
            if len(fields) == 1:
                values = (values,)
            if encoders:
                values = list(values)
                for i, encoder in encoders:
                    if values[i] is not None:
                        values[i] = json.dumps(values[i], cls=encoder)
            yield values

    _copy(model, names, rows())
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows (tuples of values in the order of `columns`, the fields' column names) without building
    model instances: COPY on PostgreSQL, one `executemany` INSERT elsewhere. For tables written only by such
    bulk writes (the rollups' deltas): no defaults, `auto_now` or JSON encoding is applied; the ids are the
    column's default. Must run inside the caller's transaction."""
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if uses_copy():
        _copy(model, names, rows)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(columns))
    with connection.wrap_database_errors, connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _copy(model: type[models.Model], names: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY the rows (values in the order of the quoted column `names`) into the model's table."""
    table = connection.ops.quote_name(model._meta.db_table)
    # psycopg's errors become Django's (IntegrityError, DataError, ...), as those of a query would
    with connection.wrap_database_errors, connection.cursor() as cur, \
            cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk write builds many objects that live until its end (an
    import's members, events, periods, audit entries: no cycles among them): its full passes over a heap that keeps
    growing cost a share of the time that grows with the rows. Reference counting still frees what is dropped."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
