"""`grassroots serve`: collect static files, then run gunicorn in the foreground."""

from __future__ import annotations

import os
import sys


def serve(*, host: str, port: int, workers: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Grassroots is serving on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, [gunicorn, "grassroots.wsgi:application", "--bind", f"{host}:{port}",
                        "--workers", str(workers), "--access-logfile", "-"])
    return 0  # not reached
