"""Uploaded files: an import's file kept between its dry run and its confirmation, and stored attachments.

An import's file is stored under DATA_DIR/uploads by a random name that only its `ui.models.ImportJob` knows; the
confirmation plans again from the stored file (or from its dry run kept beside it, `plan_path`), never from
anything the client sends back. It is deleted once
the import is written, and an abandoned one (never confirmed) after a day by `cleanup`, which the worker runs
at each new upload and `grassroots cleanup` runs on demand. Files are capped at `max_bytes()`
(GRASSROOTS_IMPORT_MAX_MB, 20 MB unless set): `CappedUploadHandler` skips a bigger file unread, and the form checks
the size again.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
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


class CappedUploadHandler(FileUploadHandler):
    """Put first among an import page's upload handlers (`ImportFlow.handle`): a file over the cap is skipped
    unread — as soon as the request's length says so, else once its bytes pass the cap — and the request is
    marked `upload_too_big`, for the page to say so. Nothing of it is stored."""

    SLACK = 64 * 1024  # what the multipart wrapping and the other fields add to the request's length

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any,
                         encoding: str | None = None) -> None:
        self.over = content_length > max_bytes() + self.SLACK

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if getattr(self, "over", False):
            self._skip()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_bytes():
            self._skip()
        return raw_data  # on to the handler that stores it

    def file_complete(self, file_size: int) -> None:
        return None

    def _skip(self) -> None:
        if self.request is not None:
            self.request.upload_too_big = True  # type: ignore[attr-defined]
        raise SkipFile


def too_big(request: HttpRequest) -> bool:
    """Whether `CappedUploadHandler` skipped a file of this request."""
    return bool(getattr(request, "upload_too_big", False))


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


PLAN_SUFFIX = ".plan.json"  # a kept dry run (`ui.jobs`) beside its file: the file's name and this


def plan_path(name: str) -> Path | None:
    """Where the dry run of the stored file `name` is kept (None for a name that is not a plain file name)."""
    if not name or Path(name).name != name:
        return None
    return upload_dir() / f"{name}{PLAN_SUFFIX}"


def remove(name: str) -> None:
    """Delete a stored file and the dry run kept beside it."""
    if name and Path(name).name == name:
        (upload_dir() / name).unlink(missing_ok=True)
        (upload_dir() / f"{name}{PLAN_SUFFIX}").unlink(missing_ok=True)


def cleanup(*, older_than: dt.timedelta = KEEP_ABANDONED) -> int:
    """Delete the import files left longer than `older_than` (abandoned: never confirmed), with their kept dry
    runs, and forget them on their jobs: the number of files deleted. Files of a job still running are left alone."""
    from .models import RUNNING, ImportJob

    cutoff = time.time() - older_than.total_seconds()
    busy = set(ImportJob.objects.filter(status__in=RUNNING).exclude(stored="").values_list("stored", flat=True))
    removed = []
    for saved in upload_dir().iterdir():
        if not saved.is_file():
            continue
        if saved.name.endswith(PLAN_SUFFIX):  # a kept dry run goes with its file
            if not (saved.parent / saved.name.removesuffix(PLAN_SUFFIX)).exists():
                saved.unlink(missing_ok=True)
            continue
        if saved.name not in busy and saved.stat().st_mtime < cutoff:
            remove(saved.name)
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
