"""Logins are throttled: after LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one address, even the
right password is refused, on the login page and with HTTP Basic on the API, until the lock ends by itself
LOGIN_LOCKOUT_MINUTES later. Every login, failure and lockout is in the audit log, without the password."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import translation

from conftest import PASSWORD, Cast
from grassroots.access.logins import lockout_message
from grassroots.core.models import AuditEntry

WRONG = "not-the-password"
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"
LIMIT = settings.LOGIN_FAILURE_LIMIT


def web_login(username: str, password: str, address: str = HOME, language: str | None = None) -> Any:
    client = Client(REMOTE_ADDR=address)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.post("/login/", {"username": username, "password": password})


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def api_get(username: str, password: str, address: str = HOME) -> Any:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return Client(REMOTE_ADDR=address).get("/api/orgs/", HTTP_AUTHORIZATION=f"Basic {token}")


def fail_web(username: str, times: int = LIMIT, address: str = HOME) -> None:
    for _ in range(times):
        assert not logged_in(web_login(username, WRONG, address))


def cool_off_passes(minutes: int = settings.LOGIN_LOCKOUT_MINUTES) -> None:
    """Time travel for the lock: every counted failure happened `minutes` (and a second) earlier."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes, seconds=1)
        attempt.save(update_fields=["attempt_time"])


def test_the_limit_and_lock_are_settings() -> None:
    assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.backends.")
    assert (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES) == (10, 15)


def test_wrong_passwords_then_the_right_one_is_refused_on_the_login_page(cast: Cast) -> None:
    assert logged_in(web_login("secretary", PASSWORD))  # before: the right password works
    fail_web("secretary", LIMIT - 1)
    assert logged_in(web_login("secretary", PASSWORD))  # one below the limit: still works
    fail_web("secretary", 1)
    response = web_login("secretary", PASSWORD)
    assert response.status_code == 429 and not response.wsgi_request.user.is_authenticated
    assert int(response["Retry-After"]) > 0


def test_the_locked_out_user_reads_why_in_chinese_on_the_login_page(cast: Cast) -> None:
    fail_web("secretary")
    response = web_login("secretary", PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429 and response["Content-Language"] == "zh-hans"
    assert 'id="locked-out"' in page and 'name="password"' in page  # the login page, with the reason above it
    credentials = {"username": "secretary"}
    with translation.override("zh-hans"):
        assert lockout_message(response.wsgi_request, credentials) in page
    english = web_login("secretary", PASSWORD, language="en").content.decode()
    assert "Logging in is blocked for 15 more minutes" in english


def test_wrong_passwords_then_the_right_one_is_refused_with_http_basic(cast: Cast) -> None:
    assert api_get("auditor", PASSWORD).status_code == 200
    for _ in range(LIMIT - 1):
        assert api_get("auditor", WRONG).status_code in (401, 403)
    assert api_get("auditor", WRONG).status_code == 429  # the failure that begins the lock says so
    response = api_get("auditor", PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert "15" in body["detail"] and int(response["Retry-After"]) > 0
    assert "Invalid username/password" not in body["detail"]


def test_wrong_passwords_on_the_page_lock_the_api_too_and_back(cast: Cast) -> None:
    fail_web("auditor", LIMIT // 2)
    for _ in range(LIMIT - LIMIT // 2):
        api_get("auditor", WRONG)
    assert api_get("auditor", PASSWORD).status_code == 429
    assert web_login("auditor", PASSWORD).status_code == 429


def test_the_lock_ends_by_itself(cast: Cast) -> None:
    fail_web("secretary")
    assert web_login("secretary", PASSWORD).status_code == 429
    cool_off_passes(settings.LOGIN_LOCKOUT_MINUTES - 1)
    assert web_login("secretary", PASSWORD).status_code == 429  # a minute short: still locked
    cool_off_passes(1)
    assert logged_in(web_login("secretary", PASSWORD))
    assert api_get("secretary", PASSWORD).status_code == 200


def test_guesses_while_locked_do_not_prolong_the_lock(cast: Cast) -> None:
    fail_web("secretary")
    cool_off_passes(settings.LOGIN_LOCKOUT_MINUTES - 1)
    fail_web("secretary", 5)  # refused by the lock, not counted
    assert api_get("secretary", WRONG).status_code == 429
    cool_off_passes(1)
    assert logged_in(web_login("secretary", PASSWORD))


def test_an_account_is_locked_from_every_address(cast: Cast) -> None:
    fail_web("secretary", address=HOME)
    assert web_login("secretary", PASSWORD, address=ELSEWHERE).status_code == 429
    assert api_get("secretary", PASSWORD, address=ELSEWHERE).status_code == 429
    # another account from another address is not touched
    assert logged_in(web_login("auditor", PASSWORD, address=ELSEWHERE))


def test_an_address_is_locked_for_every_account(cast: Cast) -> None:
    """Guessing across accounts (each below the limit) still locks the address; other addresses are free."""
    names = ["secretary", "auditor", "member", "nobody", "admin"]
    for i in range(LIMIT):
        assert not logged_in(web_login(names[i % len(names)], WRONG, address=HOME))
    assert web_login("street_admin", PASSWORD, address=HOME).status_code == 429
    assert api_get("street_admin", PASSWORD, address=HOME).status_code == 429
    assert logged_in(web_login("secretary", PASSWORD, address=ELSEWHERE))  # no account reached the limit


def test_logins_failures_and_lockouts_are_in_the_audit_log(cast: Cast) -> None:
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert logged_in(web_login("secretary", PASSWORD))
    fail_web("secretary")
    web_login("secretary", PASSWORD)  # refused by the lock
    api_get("secretary", WRONG, address=ELSEWHERE)  # refused by the lock too, on the API
    entries = list(AuditEntry.objects.filter(id__gt=start).order_by("id"))
    actions = [e.action for e in entries]
    assert actions.count("auth.login") == 1
    assert actions.count("auth.lockout") == 1
    assert actions.count("auth.login_failed") == LIMIT + 2

    login = entries[actions.index("auth.login")]
    assert (login.actor_id, login.channel, login.object_id) == (cast.secretary.pk, "web", str(cast.secretary.pk))
    assert login.changes["extra"] == {"username": "secretary", "address": HOME}

    lockout = entries[actions.index("auth.lockout")]
    assert lockout.changes["extra"] == {"username": "secretary", "address": HOME, "failures": LIMIT,
                                        "minutes": settings.LOGIN_LOCKOUT_MINUTES}
    failed = [e for e in entries if e.action == "auth.login_failed"]
    assert [e.changes["extra"]["refused_by_lock"] for e in failed] == [False] * LIMIT + [True, True]
    assert failed[-1].channel == "api" and failed[-1].changes["extra"]["address"] == ELSEWHERE
    assert {e.object_repr for e in failed} == {"secretary"}
    # the password never: neither the wrong one nor the right one, anywhere in the entries
    everything = json.dumps([[e.object_repr, e.changes] for e in entries])
    assert WRONG not in everything and PASSWORD not in everything


def test_the_street_reads_its_peoples_logins_in_its_audit_log(cast: Cast) -> None:
    """The auditor and organizer of the street see the lockout of a secretary of theirs; the other street does not."""
    from grassroots.access.scope import scope_for

    fail_web("secretary")
    lockout = AuditEntry.objects.get(action="auth.lockout")
    assert lockout.org_id == cast.branch_a.pk
    for user in (cast.auditor, cast.street_admin, cast.secretary):
        assert scope_for(user).audit_entries().filter(pk=lockout.pk).exists()
    assert not scope_for(cast.outsider).audit_entries().filter(action__startswith="auth.").exists()


def test_an_unknown_username_is_recorded_as_tried(cast: Cast) -> None:
    web_login("no-such-user", WRONG)
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.object_repr, entry.changes["extra"]["username"]) == (
        "auth.login_failed", "no-such-user", "no-such-user")


@pytest.mark.parametrize("how", ["login", "force_login"])
def test_the_test_clients_logins_still_work(cast: Cast, how: str) -> None:
    client = Client()
    before = AuditEntry.objects.filter(action="auth.login").count()
    if how == "login":
        assert client.login(username="secretary", password=PASSWORD)
    else:
        client.force_login(cast.secretary)
    assert client.get("/orgs/A/").status_code == 200
    # a password login is recorded; force_login, a test's shortcut, is not (conftest.py)
    assert AuditEntry.objects.filter(action="auth.login").count() == before + (how == "login")


def test_behind_a_proxy_the_forwarded_address_is_counted(cast: Cast, settings: Any) -> None:
    def through_proxy(client_address: str, username: str, password: str) -> Any:
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}")
        return client.post("/login/", {"username": username, "password": password})

    settings.LOGIN_PROXY_COUNT = 1
    names = ["secretary", "auditor", "member", "nobody", "admin"]
    for i in range(LIMIT):
        through_proxy(HOME, names[i % len(names)], WRONG)
    assert through_proxy(HOME, "street_admin", PASSWORD).status_code == 429
    assert logged_in(through_proxy(ELSEWHERE, "street_admin", PASSWORD))  # not everyone behind the proxy
    assert AuditEntry.objects.filter(action="auth.lockout").get().changes["extra"]["address"] == HOME


def test_without_a_proxy_setting_x_forwarded_for_is_ignored(cast: Cast) -> None:
    for i in range(LIMIT):  # an attacker making up a new address for each guess
        Client(REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}").post(
            "/login/", {"username": ["nobody", "admin"][i % 2], "password": WRONG})
    assert web_login("street_admin", PASSWORD, address=HOME).status_code == 429


def test_the_admins_login_is_locked_too(cast: Cast) -> None:
    """Every password login goes through the same backend: the admin's login page is refused by the same lock."""
    def admin_login(password: str) -> Any:
        return Client(REMOTE_ADDR=HOME).post("/admin/login/?next=/admin/",
                                             {"username": "admin", "password": password, "next": "/admin/"})

    assert admin_login(PASSWORD).status_code == 302
    for _ in range(LIMIT):
        admin_login(WRONG)
    response = admin_login(PASSWORD)
    assert response.status_code == 429 and 'id="locked-out"' in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
