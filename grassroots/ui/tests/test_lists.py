"""The scoped list: the page, the HTMX partial, print-all and the .xlsx come from one column definition."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from grassroots.access.scope import scope_for
from grassroots.ui.lists import Column, ListSpec

pytestmark = pytest.mark.django_db

SPEC = ListSpec(
    title="Organizations", export_name="orgs", table_id="orgs", page_size=3, empty="none here",
    columns=(
        Column("code", "Code", lambda o: o.code, link=lambda o: f"/orgs/{o.code}/"),
        Column("name", "Name", lambda o: o.name),
        Column("kind", "Kind", lambda o: o.get_kind_display()),
    ),
)


def _request(query: str = "", **headers: Any) -> Any:
    request = RequestFactory().get(f"/x/?{query}", **headers)
    request.user = AnonymousUser()
    request.session = {}
    return request


def _rows(cast: Any) -> Any:
    return scope_for(cast.street_admin).orgs().order_by("path")


def test_the_page_shows_a_page_of_rows_with_labels_for_the_phone(cast: Any) -> None:
    response = SPEC.respond(_request(), _rows(cast), template="ui/_list_table.html")
    body = response.content.decode()
    assert body.count("<tr>") == 1 + 3  # the header and one page of three
    assert 'data-label="Code"' in body and 'href="/orgs/S/"' in body
    assert "Page 1 of 2 (5 rows)" in body


def test_all_rows_for_printing(cast: Any) -> None:
    body = SPEC.respond(_request("all=1"), _rows(cast), template="ui/_list_table.html").content.decode()
    assert body.count("<tr>") == 1 + 5


def test_the_sheet_has_every_row_and_the_same_columns(cast: Any) -> None:
    response = SPEC.respond(_request("format=xlsx"), _rows(cast), template="ui/_list_table.html")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.values)
    assert values[0] == ("Code", "Name", "Kind")
    assert [row[0] for row in values[1:]] == ["S", "G", "A", "A1", "B"]


def test_the_htmx_request_gets_only_the_table(cast: Any) -> None:
    request = _request(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="orgs")
    from django_htmx.middleware import HtmxDetails

    request.htmx = HtmxDetails(request)
    body = SPEC.respond(request, _rows(cast), template="ui/error.html").content.decode()
    assert body.lstrip().startswith('<div id="orgs">')


def test_an_empty_list_says_so(cast: Any) -> None:
    body = SPEC.respond(_request(), _rows(cast).none(), template="ui/_list_table.html").content.decode()
    assert "none here" in body


def test_the_rows_made_in_python_are_the_rows_the_template_makes(cast: Any) -> None:
    """`table_body` renders what the template's cell loop renders, escaping included."""
    from django.template.loader import render_to_string

    from grassroots.ui.lists import table_body

    spec = ListSpec(title="x", export_name="x", table_id="t", columns=(
        Column("code", "Code <b>", lambda o: o.code, link=lambda o: f"/orgs/{o.code}/?a=1&b=2"),
        Column("name", "Name", lambda o: f"{o.name} <script>&\"'"),
        Column("none", "Nothing", lambda o: None, css="num"),
        Column("n", "Figure", lambda o: 12345, css="num"),
    ))
    context = spec.context(_request(), _rows(cast))
    with_body = render_to_string("ui/_list_table.html", context)
    without = render_to_string("ui/_list_table.html", {**context, "body": ""})
    assert "<td" in with_body

    def tags(html: str) -> str:  # the whitespace between the rows aside
        return re.sub(r">\s+<", "><", html)

    assert tags(with_body) == tags(without)
    assert "&lt;script&gt;" in with_body and "?a=1&amp;b=2" in with_body and "Code &lt;b&gt;" in with_body
    assert table_body([]) == ""
