"""The scoped list: one definition gives a list page, its HTMX partial, its printable "all rows" and its .xlsx.

A list is a queryset the caller took from the user's `Scope` (never from a bare manager), an optional filter
form, and `Column`s. Each column says once what a row shows: its label, its value (for the page and the sheet),
an optional link and CSS class. `ListSpec.respond(request, rows, ...)` then answers:

- `?format=xlsx`: every row (up to `PRINT_LIMIT`) in the user's language, with the filters named (`ui.xlsx`);
- an HTMX request aimed at the table: only the table (`ui/_list_table.html`);
- otherwise the page, 50 rows at a time or all of them (`?all=1`) for printing.

On a phone (under 480 px) the table shows as a stack of cards, one per row, each cell with its column's label:
the cells carry `data-label` (see site.css).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from . import xlsx

PAGE_SIZE = 50
PRINT_LIMIT = xlsx.LIMIT  # "print all" and the export show every row up to this many


def paginate(request: HttpRequest, rows: QuerySet[Any] | Sequence[Any],
             page_size: int = PAGE_SIZE) -> tuple[Page[Any], bool]:
    """One page of `page_size`, or every row (up to PRINT_LIMIT) with ?all=1, for printing."""
    show_all = request.GET.get("all") == "1"
    paginator = Paginator(rows, PRINT_LIMIT if show_all else page_size)
    return paginator.get_page(1 if show_all else request.GET.get("page")), show_all


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without the named parameters (for pagination links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _display(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    return value


def _on_page(value: Any) -> Any:
    """Dates as 2019-12-31 on every page, whatever the language (the sheet keeps them as dates)."""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return _display(value)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translated text
    value: Callable[[Any], Any]  # the row's value, as the page and the sheet show it (masked where personal)
    link: Callable[[Any], str] | None = None  # where the cell links on the page
    css: str = ""  # "num" for figures and dates
    in_sheet: bool = True
    on_page: bool = True


@dataclass(frozen=True)
class Cell:
    key: str
    label: Any
    value: Any
    link: str
    css: str


def table_body(rows: Sequence[Sequence[Cell]]) -> SafeString:
    """The table's rows as `ui/_list_table.html` would render them cell by cell, made in Python: a page of 50 rows
    is 300 cells, which the template language renders about ten times slower (the list pages' main cost)."""
    labels: dict[int, str] = {}
    parts = []
    for cells in rows:
        parts.append("<tr>")
        for cell in cells:
            label = labels.get(id(cell.label))
            if label is None:
                label = labels[id(cell.label)] = conditional_escape(cell.label)
            value = "" if cell.value is None else conditional_escape(localize(cell.value))
            css = format_html(' class="{}"', cell.css) if cell.css else ""
            content = format_html('<a href="{}">{}</a>', cell.link, value) if cell.link else value
            parts.append(f'<td data-label="{label}"{css}>{content}</td>')
        parts.append("</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308  (every part escaped above)


@dataclass(frozen=True)
class ListSpec:
    """What a list shows: its title, its columns, the name of its export file, and an empty-list text."""

    title: Any
    columns: Sequence[Column]
    export_name: str
    empty: Any = ""
    table_id: str = "list"
    page_size: int = PAGE_SIZE
    sheet_columns: Sequence[Column] = field(default_factory=tuple)  # extra columns only the sheet has
    export_link: bool = False  # the table offers its own "Export (.xlsx)" link

    def cells(self, row: Any) -> list[Cell]:
        return [Cell(c.key, c.label, _on_page(c.value(row)), c.link(row) if c.link else "", c.css)
                for c in self.columns if c.on_page]

    def headers(self) -> list[Column]:
        return [c for c in self.columns if c.on_page]

    def sheet(self, rows: Sequence[Any], *, total: int, org: Any = None, form: forms.Form | None = None
              ) -> HttpResponse:
        columns = [c for c in (*self.columns, *self.sheet_columns) if c.in_sheet]
        data = [[_display(c.value(row)) for c in columns] for row in rows]
        return xlsx.export(str(self.title), [str(c.label) for c in columns], data,
                           name=xlsx.filename(self.export_name, org.code if org is not None else None),
                           org=org, filters=xlsx.form_filters(form), total=total,
                           limit=PRINT_LIMIT)

    def context(self, request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], **extra: Any) -> dict[str, Any]:
        """What `ui/_list_table.html` renders: one page of rows (or all of them with ?all=1), as cells."""
        page, show_all = paginate(request, rows, self.page_size)
        cells = [self.cells(row) for row in page.object_list]
        return {"list": self, "page": page, "show_all": show_all, "rows": cells, "body": table_body(cells),
                "headers": self.headers(),
                "page_query": query_without(request, "page", "all"), "export_query": xlsx.export_query(request),
                **extra}

    def wants_partial(self, request: HttpRequest) -> bool:
        """An HTMX request aimed at this list's table (a filter typed, a page turned)."""
        htmx = getattr(request, "htmx", None)
        return bool(htmx and htmx.target == self.table_id)

    def respond(self, request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], *, template: str,
                context: dict[str, Any] | None = None, form: forms.Form | None = None, org: Any = None,
                partial: str = "ui/_list_table.html") -> HttpResponse:
        """The list as the request asks for it: the sheet, the HTMX partial, or the page."""
        if xlsx.wanted(request):
            total = rows.count() if isinstance(rows, QuerySet) else len(rows)
            return self.sheet(list(rows[:PRINT_LIMIT]), total=total, org=org, form=form)
        ctx = self.context(request, rows, form=form, org=org, **(context or {}))
        return render(request, partial if self.wants_partial(request) else template, ctx)
