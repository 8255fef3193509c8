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
    assert web[web.index("--workers") + 1] == "1" and web[web.index("--worker-class") + 1] == "gthread"
    assert worker[1:4] == ["-m", "django", "db_worker"] and "--no-reload" in worker


GB = 2**30


def test_workers_follow_the_cores_with_threads_so_requests_do_not_queue() -> None:
    sizing = serve.size_workers(cores=2, memory=24 * GB, environ={})
    assert (sizing.workers, sizing.threads) == (5, 8)
    assert sizing.gunicorn_args() == ["--workers", "5", "--threads", "8", "--worker-class", "gthread"]
    assert "5 processes for 2 cores" in sizing.reason


def test_many_cores_keep_the_threads_within_the_database_connections() -> None:
    sizing = serve.size_workers(cores=16, memory=64 * GB, environ={})
    assert (sizing.workers, sizing.threads) == (32, 2)  # still threads, within the connections
    assert sizing.workers * sizing.threads <= serve.MAX_CONNECTIONS


def test_little_memory_caps_the_processes() -> None:
    sizing = serve.size_workers(cores=4, memory=1 * GB, environ={})
    assert sizing.workers == 2  # half of 1 GB at 256 MB a worker
    assert "fit in half of 1024 MB" in sizing.reason
    assert serve.size_workers(cores=4, memory=100 * 2**20, environ={}).workers == 1  # never none


def test_sqlite_gets_few_processes() -> None:
    assert serve.size_workers(cores=8, memory=16 * GB, sqlite=True, environ={}).workers == serve.SQLITE_WORKERS


def test_the_command_line_then_the_environment_override() -> None:
    env = {serve.WORKERS_ENV: "3", serve.THREADS_ENV: "4"}
    assert (serve.size_workers(cores=2, memory=0, environ=env).workers,
            serve.size_workers(cores=2, memory=0, environ=env).threads) == (3, 4)
    sizing = serve.size_workers(cores=2, memory=0, workers=7, threads=2, environ=env)
    assert (sizing.workers, sizing.threads) == (7, 2) and "as asked" in sizing.reason


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_override_is_refused_naming_it(value: str) -> None:
    with pytest.raises(ValueError, match=serve.WORKERS_ENV):
        serve.size_workers(cores=2, memory=0, environ={serve.WORKERS_ENV: value})
    with pytest.raises(ValueError, match="--threads"):
        serve.size_workers(cores=2, memory=0, threads=0, environ={})


def test_this_machine_is_measured() -> None:
    cores, memory = serve.machine()
    assert cores >= 1 and memory >= 0


@pytest.mark.django_db
def test_serve_queues_the_nightly_tasks_once(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(serve, "supervise", lambda cmds: 0)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    for _ in range(2):  # a restart finds them waiting
        assert serve.serve(host="127.0.0.1", port=8123, workers=1) == 0
    assert sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)) == [
        "grassroots.members.tasks.build_rollup_marks_nightly", "grassroots.rules.tasks.refresh_findings_daily"]
