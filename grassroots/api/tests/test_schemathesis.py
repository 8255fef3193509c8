"""schemathesis over the served OpenAPI schema, through the WSGI application (no live server).

For every operation it generates valid requests (which must not break the server and must be answered as the
schema says: a documented status code, a body matching its schema) and invalid ones (which must be refused with
a 4xx, not accepted), as the organizer of the street and as an anonymous caller. Bounded: a few examples per
operation and mode, no shrinking, so the whole run stays within seconds (see docs/security.md for the figures).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from grassroots.ui.testing import as_user

CALLTIME = [0.0]
EXAMPLES = int(__import__("os").environ.get("ST_EXAMPLES", "6"))
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance, negative_data_rejection],
}


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The project's WSGI application, inside the test's transaction: like Django's test client, a finished
    request must not close the connection the test's transaction lives on."""
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_finished.connect(close_old_connections)


def run(schema: Any, headers: dict[str, str]) -> tuple[list[str], int]:
    """Every operation, both modes; the failures (one line each) and the number of requests sent."""
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, checks in CHECKS.items():
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def one(case: Any) -> None:
                nonlocal sent
                sent += 1
                t0 = time.monotonic()
                response = case.call(headers=headers)
                CALLTIME[0] += time.monotonic() - t0
                try:
                    case.validate_response(response, checks=checks)
                except (Exception, BaseExceptionGroup) as exc:  # every failure is collected, reported below
                    first = str(exc).strip().splitlines()[0:3]
                    failures.append(f"{operation.label} [{mode}] {response.status_code}: {' | '.join(first)}")

            one()
    return failures, sent


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["organizer", "anonymous"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(cast: Any, wsgi_app: Any, caller: str) -> None:
    from conftest import PASSWORD

    document = json.loads(as_user(cast.street_admin).get("/api/schema/?format=json").content)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = wsgi_app
    headers = {}
    if caller == "organizer":
        token = base64.b64encode(f"{cast.street_admin.username}:{PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    started = time.monotonic()
    failures, sent = run(schema, headers)
    elapsed = time.monotonic() - started
    print(f"schemathesis as {caller}: {sent} requests in {elapsed:.1f} s, {len(failures)} failures", CALLTIME)
    assert sent > 0
    assert not failures, "\n".join(sorted(set(failures)))
