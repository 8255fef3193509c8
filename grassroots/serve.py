"""`grassroots serve`: upgrade the database, collect static files, then run gunicorn and the background worker
(the web imports' jobs, `grassroots worker`) side by side in the foreground; when either stops, or on Ctrl-C or
SIGTERM, both stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

GRACE = 20  # seconds a process is given to stop before it is killed
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
MIN_KEY_LENGTH = 50  # what Django's `check --deploy` asks of a secret key

NO_KEY = """grassroots: refusing to serve {host} without a secret key of its own.
Other computers can reach this address, and the key made for the demo in the data folder is not meant for that.
Set GRASSROOTS_SECRET_KEY to {length} or more random characters, kept secret and the same at every start, e.g.:

    export GRASSROOTS_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"

(changing it later logs everyone out and changes the calendar-feed addresses). To try the demo on this computer
only, serve on --host 127.0.0.1 (the default)."""


def key_problem(host: str, environ: dict[str, str] | None = None) -> str | None:
    """Why `serve` must not start on `host`, or None. Loopback (the demo on this computer) may run on the key
    the settings make in the data folder; any other address needs GRASSROOTS_SECRET_KEY, long enough."""
    env = os.environ if environ is None else environ
    if host in LOOPBACK:
        return None
    key = env.get("GRASSROOTS_SECRET_KEY", "")
    if len(key) >= MIN_KEY_LENGTH and len(set(key)) >= 5:
        return None
    message = NO_KEY.format(host=host, length=MIN_KEY_LENGTH)
    if key:
        message = message.replace("without a secret key of its own", f"with a secret key of {len(key)} characters")
    return message


def worker_command() -> list[str]:
    """The background worker: Django's tasks framework's database worker (django-tasks-db), polling every
    second, no reloading."""
    return [sys.executable, "-m", "django", "db_worker", "--interval", "1", "--no-startup-delay", "--no-reload"]


def serve(*, host: str, port: int, workers: int) -> int:
    problem = key_problem(host)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.conf import settings

    from grassroots.ui.jobs import resume_interrupted
    from grassroots.ui.uploads import cleanup

    cleanup()  # the import files abandoned while the site was down
    resume_interrupted()  # the import jobs a stopped worker left half done
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        call_command("prune_db_task_results", "--min-age-days", "7", verbosity=0)  # the queue's finished tasks
    print(f"Grassroots is serving on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    web = [gunicorn, "grassroots.wsgi:application", "--bind", f"{host}:{port}", "--workers", str(workers),
           "--access-logfile", "-"]
    return supervise([web, worker_command()])


def supervise(commands: Sequence[Sequence[str]], *, poll: float = 0.5) -> int:
    """Run `commands` side by side until one of them ends, or a SIGINT/SIGTERM comes; then stop the others.
    Returns the exit status of the one that ended first (0 when stopped by a signal)."""
    procs = [subprocess.Popen(list(command)) for command in commands]
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            ended = [p for p in procs if p.poll() is not None]
            if ended or stopping:
                break
            time.sleep(poll)
        status = 0 if stopping and not ended else (ended[0].returncode if ended else 0)
    finally:
        _stop(procs)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + GRACE
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
