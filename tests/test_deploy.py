"""Safe to deploy: no public secret key, `serve` refuses other computers without a key of the operator's,
GRASSROOTS_HTTPS=1 turns on HSTS, the https redirect and secure cookies, `check --deploy` is clean in the
production settings, every page carries a Content-Security-Policy, and calendar-feed tokens hold only under the
key that signed them."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import signing

from grassroots import serve
from grassroots.meetings.views import CALENDAR_SALT, calendar_token
from grassroots.ui.testing import client_as

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_KEY = "dev-only-not-secret-change-me-in-production"  # the key every copy of Grassroots used to share
PRODUCTION = {
    "GRASSROOTS_SECRET_KEY": "k7Qm2vXp9LrT4wZs8NbY3cHd6FgJ1aUe5RiO0tPq-_xVyWnMkBlC",
    "GRASSROOTS_HTTPS": "1",
    "GRASSROOTS_ALLOWED_HOSTS": "dangjian.example.cn",
    "GRASSROOTS_DEBUG": "0",
}


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRASSROOTS_", "DATABASE_URL", "DJANGO_"))}
    env.update(PYTHONPATH=str(ROOT), GRASSROOTS_DATA_DIR=str(tmp_path / "data"),
               DJANGO_SETTINGS_MODULE="grassroots.settings", **extra)
    return env


def python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


# --- the secret key ---------------------------------------------------------------------------------------------

def test_without_a_key_the_site_makes_its_own_in_the_data_folder(tmp_path: Path) -> None:
    env = environment(tmp_path)
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first, second = python(env, code), python(env, code)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key == second.stdout.strip()  # the same at every start: sessions and feed addresses survive a restart
    assert key != PUBLIC_KEY and len(key) >= 50
    assert key != python(environment(tmp_path / "elsewhere"), code).stdout.strip()  # every site its own
    kept = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "dangjian.example.cn"])
def test_serve_refuses_other_computers_without_a_key(host: str, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.delenv("GRASSROOTS_SECRET_KEY", raising=False)
    started: list[Any] = []
    monkeypatch.setattr(serve, "supervise", lambda cmds: started.extend(cmds) or 0)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: started.append(a))
    assert serve.serve(host=host, port=8123, workers=1) == 2
    assert started == []  # not even the database was touched
    err = capsys.readouterr().err
    assert f"refusing to serve {host}" in err and "export GRASSROOTS_SECRET_KEY=" in err


def test_serve_refuses_a_short_key(monkeypatch: Any) -> None:
    monkeypatch.setenv("GRASSROOTS_SECRET_KEY", "secret")
    problem = serve.key_problem("0.0.0.0")
    assert problem is not None and "a secret key of 6 characters" in problem


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_the_demo_on_this_computer_needs_no_key(host: str, monkeypatch: Any, settings: Any, tmp_path: Path) -> None:
    monkeypatch.delenv("GRASSROOTS_SECRET_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    commands: list[list[str]] = []
    monkeypatch.setattr(serve, "supervise", lambda cmds: commands.extend(cmds) or 0)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    assert serve.serve(host=host, port=8123, workers=1) == 0
    assert f"{host}:8123" in commands[0]


def test_a_long_key_from_the_environment_serves_anywhere() -> None:
    assert serve.key_problem("0.0.0.0", {"GRASSROOTS_SECRET_KEY": PRODUCTION["GRASSROOTS_SECRET_KEY"]}) is None


# --- calendar-feed tokens ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_feed_token_forged_with_the_public_key_is_refused(cast: Any, client: Any) -> None:
    forged = signing.dumps({"u": cast.admin.pk, "o": cast.street.code}, key=PUBLIC_KEY, salt=CALENDAR_SALT,
                           compress=True)
    assert client.get(f"/calendar/{forged}.ics").status_code == 404


@pytest.mark.django_db
def test_feed_tokens_are_void_once_the_key_changes(cast: Any, client: Any, settings: Any) -> None:
    settings.SECRET_KEY = "A" * 10 + "key-one-for-the-test-0123456789abcdefghijklmnop"
    token = calendar_token(cast.secretary, org=cast.branch_a)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    settings.SECRET_KEY = "B" * 10 + "key-two-for-the-test-0123456789abcdefghijklmnop"
    assert client.get(f"/calendar/{token}.ics").status_code == 404


# --- https, check --deploy ------------------------------------------------------------------------------------

def test_check_deploy_is_clean_in_the_production_settings(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"]
    done = subprocess.run(command, env=environment(tmp_path, **PRODUCTION), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    # Without GRASSROOTS_HTTPS the same check names what is missing: the setting is what makes it clean.
    plain = {k: v for k, v in PRODUCTION.items() if k != "GRASSROOTS_HTTPS"}
    done = subprocess.run(command, env=environment(tmp_path, **plain), cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "security.W004" in done.stderr and "security.W008" in done.stderr


HTTPS_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
plain = c.get("/login/", HTTP_HOST="dangjian.example.cn")
print("redirect", plain.status_code, plain.get("Location"))
proxied = c.get("/login/", HTTP_HOST="dangjian.example.cn", HTTP_X_FORWARDED_PROTO="https")
print("proxied", proxied.status_code, proxied.get("Strict-Transport-Security"))
print("cookies", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
"""


def test_https_turns_on_the_redirect_hsts_and_secure_cookies(tmp_path: Path) -> None:
    done = python(environment(tmp_path, **PRODUCTION, GRASSROOTS_PROXY_SSL_HEADER="1"), HTTPS_PROBE)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["redirect"] == "301 https://dangjian.example.cn/login/"
    status, hsts = lines["proxied"].split(" ", 1)
    assert status == "200" and hsts == "max-age=31536000; includeSubDomains; preload"
    assert lines["cookies"] == "True True"
    # Without the proxy setting the header is not believed: the forwarded request is still redirected.
    done = python(environment(tmp_path, **PRODUCTION), HTTPS_PROBE)
    assert "proxied 301" in done.stdout


# --- Content-Security-Policy ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_every_page_carries_a_policy_and_its_inline_scripts_the_nonce(cast: Any) -> None:
    response = client_as(cast, "secretary").get("/", follow=True)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "'unsafe-eval'" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs and "application/json" not in attrs]  # data: not run
    assert inline and all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
