"""`grassroots serve` runs the web server and the background worker side by side and stops them together."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from grassroots import serve


def test_when_one_process_ends_the_other_is_stopped_too(monkeypatch: Any) -> None:
    ends = [sys.executable, "-c", "import sys; sys.exit(3)"]
    lingers = [sys.executable, "-c", "import time; time.sleep(60)"]
    started: list[Any] = []
    real = serve.subprocess.Popen

    def popen(command: list[str]) -> Any:
        proc = real(command)
        started.append(proc)
        return proc

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    assert serve.supervise([lingers, ends], poll=0.05) == 3
    assert [p.poll() is not None for p in started] == [True, True]  # the lingering one was stopped


@pytest.mark.django_db
def test_serve_starts_gunicorn_and_the_worker(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    commands: list[list[str]] = []
    monkeypatch.setattr(serve, "supervise", lambda cmds: commands.extend(cmds) or 0)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    assert serve.serve(host="127.0.0.1", port=8123, workers=1) == 0
    web, worker = commands
    assert web[0].endswith("gunicorn") and "127.0.0.1:8123" in web
    assert worker[1:4] == ["-m", "django", "db_worker"] and "--no-reload" in worker
