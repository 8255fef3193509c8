"""`grassroots serve`: upgrade the database, collect static files, then run gunicorn and the background worker
(the web imports' jobs, `grassroots worker`) side by side in the foreground; when either stops, or on Ctrl-C or
SIGTERM, both stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


# --- how many web workers and threads -----------------------------------------------------------------------------
# A page's time is mostly spent waiting on the database, so one process serves several requests at once with threads
# (gunicorn's gthread workers): 20 users opening pages together are served side by side, not queued behind one slow
# page as with synchronous workers. Processes, for the share of the time spent in Python (the GIL), follow the cores;
# memory caps them; the total of threads stays within what the database takes (one connection per thread).

WORKERS_ENV = "GRASSROOTS_WEB_WORKERS"
THREADS_ENV = "GRASSROOTS_WEB_THREADS"
THREADS_PER_WORKER = 8  # requests one process serves at once (mostly waiting on the database)
MEMORY_PER_WORKER = 256 * 1024 * 1024  # bytes a worker may grow to (Django, the modules, a large page's rows)
MEMORY_SHARE = 0.5  # of the machine's memory, for the web workers (the database, the worker, the system share the rest)
MAX_CONNECTIONS = 64  # threads in all, hence database connections (PostgreSQL's default max_connections is 100)
SQLITE_WORKERS = 2  # SQLite: one writer at a time, a few processes are enough


@dataclass(frozen=True)
class Sizing:
    workers: int
    threads: int
    reason: str  # how the figures were reached, printed at start

    def gunicorn_args(self) -> list[str]:
        return ["--workers", str(self.workers), "--threads", str(self.threads), "--worker-class", "gthread"]


def machine() -> tuple[int, int]:
    """(cores this process may run on, bytes of memory it may use: the machine's, or its cgroup's limit if lower)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 0
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit.isdigit() and (memory == 0 or int(limit) < memory):
            memory = int(limit)
    except OSError:
        pass
    return max(1, cores), memory


def _positive(value: str | int | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of 1 or more, not {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be a whole number of 1 or more, not {value!r}")
    return number


def size_workers(*, cores: int, memory: int, sqlite: bool = False, workers: int | None = None,
                 threads: int | None = None, environ: Mapping[str, str] | None = None) -> Sizing:
    """The web workers and threads for a machine of `cores` and `memory` bytes (0: unknown). `workers`/`threads`
    (the command line), else GRASSROOTS_WEB_WORKERS/GRASSROOTS_WEB_THREADS, override what is computed:
    2 × cores + 1 processes (at most what half the memory holds at 256 MB each; SQLite: 2) of 8 threads, the
    threads in all at most 64 (the database connections they hold)."""
    env = os.environ if environ is None else environ
    chosen_workers = _positive(workers, "--workers") or _positive(env.get(WORKERS_ENV), WORKERS_ENV)
    chosen_threads = _positive(threads, "--threads") or _positive(env.get(THREADS_ENV), THREADS_ENV)
    why = []
    asked_workers = chosen_workers is not None
    if chosen_workers is None:
        n = 2 * cores + 1
        why.append(f"{n} processes for {cores} core{'s' if cores != 1 else ''}")
        if memory:
            fits = max(1, int(memory * MEMORY_SHARE) // MEMORY_PER_WORKER)
            if fits < n:
                n = fits
                why.append(f"{n} fit in half of {memory // 2**20} MB")
        if sqlite and n > SQLITE_WORKERS:
            n = SQLITE_WORKERS
            why.append(f"{n} on SQLite")
        chosen_workers = n
    else:
        why.append(f"{chosen_workers} processes as asked")
    if chosen_threads is None:
        t = THREADS_PER_WORKER
        if chosen_workers * t > MAX_CONNECTIONS:
            t = max(2, MAX_CONNECTIONS // chosen_workers)
            if not asked_workers and chosen_workers * t > MAX_CONNECTIONS:
                chosen_workers = MAX_CONNECTIONS // t
                why.append(f"{chosen_workers} to keep 2 threads each")
        chosen_threads = t
        why.append(f"{t} threads each (at most {MAX_CONNECTIONS} database connections in all)")
    else:
        why.append(f"{chosen_threads} threads each as asked")
    return Sizing(workers=chosen_workers, threads=chosen_threads, reason=", ".join(why))


def sizing_for_this_machine(*, workers: int | None = None, threads: int | None = None) -> Sizing:
    """`size_workers` for the machine this runs on and the configured database (Django set up)."""
    from django.conf import settings

    cores, memory = machine()
    sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    return size_workers(cores=cores, memory=memory, sqlite=sqlite, workers=workers, threads=threads)


def gunicorn_command(host: str, port: int, sizing: Sizing) -> list[str]:
    """The web server as `serve` starts it (the benchmarks start it the same way)."""
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return [gunicorn, "grassroots.wsgi:application", "--bind", f"{host}:{port}", *sizing.gunicorn_args(),
            "--access-logfile", "-"]


def worker_command() -> list[str]:
    """The background worker: Django's tasks framework's database worker (django-tasks-db), polling every
    second, no reloading."""
    return [sys.executable, "-m", "django", "db_worker", "--interval", "1", "--no-startup-delay", "--no-reload"]


def serve(*, host: str, port: int, workers: int | None = None, threads: int | None = None) -> int:
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

    from grassroots.members.rollups import ensure_nightly_marks
    from grassroots.rules.stored import ensure_daily
    from grassroots.ui.jobs import resume_interrupted
    from grassroots.ui.uploads import cleanup

    cleanup()  # the import files abandoned while the site was down
    resume_interrupted()  # the import jobs a stopped worker left half done
    ensure_daily()  # the kept findings' nightly refresh, queued once (rules.stored): a site with no writes needs it too
    ensure_nightly_marks()  # the rollups' marks of each new month, built before the first reader needs them
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        call_command("prune_db_task_results", "--min-age-days", "7", verbosity=0)  # the queue's finished tasks
    try:
        sizing = sizing_for_this_machine(workers=workers, threads=threads)
    except ValueError as exc:
        print(f"grassroots: {exc}", file=sys.stderr)
        return 2
    print(f"Grassroots is serving on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    print(f"web: {sizing.workers} workers × {sizing.threads} threads ({sizing.reason})", flush=True)
    return supervise([gunicorn_command(host, port, sizing), worker_command()])


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
