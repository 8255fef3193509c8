"""Helpers shared by the page and API tests of every app (the test cast is in the root conftest.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from grassroots.core.models import AuditEntry
from grassroots.members.models import Member, MemberEvent
from grassroots.orgs.models import Organization, OrgChange, OrgState


def client_as(cast: Any, role: str) -> Client:
    """A client logged in as the cast's `role` ("anonymous": not logged in), reading pages in English (the
    tests assert English messages)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role != "anonymous":
        client.force_login(cast.users[role])
    return client


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def basic(username: str) -> dict[str, str]:
    from conftest import PASSWORD  # the test cast's password

    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def patch(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json", **extra)


def post(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json", **extra)


def login(client: Any, cast: Any, role: str) -> Client:
    client.force_login(cast.users[role])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted in English
    return client


def counts() -> dict[str, int]:
    """How many rows each written table holds (to prove that nothing was written)."""
    return {"audit": AuditEntry.objects.count(), "changes": OrgChange.objects.count(),
            "states": OrgState.objects.count(), "events": MemberEvent.objects.count(),
            "members": Member.objects.count(), "orgs": Organization.objects.count()}


def last_audit() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    return entry


def assert_web_audit(action: str, user: Any, obj: Any) -> None:
    entry = last_audit()
    assert (entry.action, entry.channel, entry.actor_id) == (action, "web", user.pk)
    assert entry.object_id == str(obj.pk)


def field_errors(response: Any, field: str | None) -> list[str]:
    form = response.context["form"]
    return list(form.non_field_errors() if field is None else form.errors.get(field, []))


def reload(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def assert_writes_refused(client: Client, writes: Any, who: str) -> None:
    """Each (url, data) write page answers 403 or 404 to a GET and a POST, and the POST writes nothing."""
    for url, data in writes:
        assert client.get(url).status_code in (403, 404), (who, url)
        before = counts()
        response = client.post(url, data)
        assert response.status_code in (403, 404), (who, url, response.status_code)
        assert counts() == before, (who, url)


def assert_writes_need_login(client: Client, writes: Any) -> None:
    """Each (url, data) write page sends an anonymous POST to the login page, and writes nothing."""
    for url, data in writes:
        before = counts()
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
        assert counts() == before


def import_upload(client: Client, url: str, upload: Any, **data: Any) -> Any:
    """Upload a file to an import page, following on to the job's page (the tests' tasks run at once, so its
    dry run is done by then)."""
    return client.post(url, {"file": upload, **data}, follow=True)


def import_job_of(response: Any) -> Any:
    """The import job whose page `response` is."""
    from django.urls import resolve

    from grassroots.ui.models import ImportJob

    return ImportJob.objects.get(pk=resolve(response.request["PATH_INFO"]).kwargs["job"])


def import_confirm(client: Client, response: Any) -> Any:
    """Confirm the dry run on the job page `response`, following on to the job's page once written."""
    from django.urls import reverse

    return client.post(reverse("import-job-confirm", args=[import_job_of(response).pk]), follow=True)
