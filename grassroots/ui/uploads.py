"""Uploaded files: an import's file kept between its dry run and its confirmation, and stored attachments.

An import's file is stored under DATA_DIR/uploads by a random name that only its `ui.models.ImportJob` knows; the
confirmation plans again from the stored file, never from anything the client sends back. It is deleted once
the import is written, and an abandoned one (never confirmed) after a day by `cleanup`, which the worker runs
at each new upload and `grassroots cleanup` runs on demand. Files are capped at `max_bytes()`
(GRASSROOTS_IMPORT_MAX_MB, 20 MB unless set).
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest

KEEP_ABANDONED = dt.timedelta(days=1)


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def max_megabytes() -> int:
    return max_bytes() // (1024 * 1024)


def too_big(request: HttpRequest) -> bool:
    """Whether the request body is over the cap, judged from its length before the file is read (the multipart
    wrapping adds a little, hence the slack)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + 64 * 1024


def store(upload: UploadedFile, *, prefix: str = "") -> str:
    """Write `upload` under a new random name (keeping its suffix): that name."""
    name = f"{prefix}{secrets.token_urlsafe(16)}{Path(upload.name or '').suffix.lower()}"
    with (upload_dir() / name).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name


def path_of(name: str) -> Path | None:
    """The stored file called `name`, or None when it is gone (or the name is not a plain file name)."""
    if not name or Path(name).name != name:
        return None
    saved = upload_dir() / name
    return saved if saved.is_file() else None


def remove(name: str) -> None:
    if name and Path(name).name == name:
        (upload_dir() / name).unlink(missing_ok=True)


def cleanup(*, older_than: dt.timedelta = KEEP_ABANDONED) -> int:
    """Delete the import files left longer than `older_than` (abandoned: never confirmed), and forget them on
    their jobs: the number of files deleted. Files of a job still running are left alone."""
    from .models import RUNNING, ImportJob

    cutoff = time.time() - older_than.total_seconds()
    busy = set(ImportJob.objects.filter(status__in=RUNNING).exclude(stored="").values_list("stored", flat=True))
    removed = []
    for saved in upload_dir().iterdir():
        if saved.is_file() and saved.name not in busy and saved.stat().st_mtime < cutoff:
            saved.unlink(missing_ok=True)
            removed.append(saved.name)
    if removed:
        stale = ImportJob.objects.filter(stored__in=removed)
        for job in stale:
            job.lines.all().delete()
        stale.update(stored="")
    return len(removed)


def stored_file(field: Any) -> FileResponse:
    """A stored attachment (a FileField's file) shown inline under its base name; 404 when the file is gone."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=False, filename=(field.name or "").rsplit("/", 1)[-1])
