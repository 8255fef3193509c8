"""schemathesis over the served OpenAPI schema, through the WSGI application (no live server).

For every operation it generates valid requests, which must not break the server and must be answered as the
schema says (a documented status code and content type, a body matching its schema), and invalid ones, which
must be refused (a 4xx, never accepted), as the organizer of the street and as an anonymous caller.

Bounded so that it runs with the suite: a few examples per operation and mode, derandomized (the same requests on
every run), no shrinking. A deeper run by hand: `GRASSROOTS_SCHEMATHESIS_EXAMPLES=40 pytest <this file>`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from grassroots.ui.testing import as_user

# Examples per operation and mode. An anonymous caller is refused before any input is read, so fewer suffice.
EXAMPLES = {"organizer": 8, "anonymous": 3}
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance, negative_data_rejection],
}


@contextlib.contextmanager
def connection_kept() -> Iterator[None]:
    """Requests through the WSGI application inside the test's transaction: like Django's test client, a
    request's start and end must not close the connection the transaction lives on (PostgreSQL would lose it).
    (Django's test client connects the signals again after each of its own requests: use none inside.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(document: dict[str, Any], app: Any) -> Any:
    """The served schema for schemathesis, without its security schemes: the caller's credentials are the
    test's to set, and schemathesis is not to generate (or break) the session cookie or Authorization header."""
    document.get("components", {}).pop("securitySchemes", None)
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    return schema


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str], examples: int,
                  failures: list[str]) -> int:
    """One operation in one mode: its failures appended (one line each, with the request to reproduce), the
    number of requests sent returned."""
    sent = 0

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def one(case: Any) -> None:
        nonlocal sent
        sent += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS[mode])
        except (Exception, BaseExceptionGroup) as exc:  # every failure is collected, reported by the test
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()][1:12]
            failures.append(f"{operation.label} [{mode}] {response.status_code}: {' | '.join(lines)}")

    try:
        one()
    except Unsatisfiable:  # nothing of this operation can be made invalid (no parameter, no body)
        assert mode is GenerationMode.NEGATIVE, operation.label
    return sent


def run(schema: Any, headers: dict[str, str], examples: int) -> tuple[list[str], int]:
    """Every operation in both modes: the failures and the number of requests sent."""
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        for mode in CHECKS:
            sent += run_operation(result.ok(), mode, headers, examples, failures)
    return failures, sent


@pytest.mark.schemathesis
@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["organizer", "anonymous"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(cast: Any, caller: str) -> None:
    from conftest import PASSWORD

    document = json.loads(as_user(cast.street_admin).get("/api/schema/?format=json").content)
    schema = load_schema(document, get_wsgi_application())
    headers = {}
    if caller == "organizer":
        token = base64.b64encode(f"{cast.street_admin.username}:{PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    examples = int(os.environ.get("GRASSROOTS_SCHEMATHESIS_EXAMPLES", EXAMPLES[caller]))
    started = time.monotonic()
    with connection_kept():
        failures, sent = run(schema, headers, examples)
    print(f"schemathesis as {caller}: {sent} requests in {time.monotonic() - started:.1f} s, "
          f"{len(failures)} failures")
    assert sent >= len(document["paths"])
    assert not failures, "\n".join(sorted(set(failures)))
