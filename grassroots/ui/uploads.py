"""Uploads kept between an import's dry run and its confirmation.

The file is stored under DATA_DIR/uploads and named by a random token kept in the user's session with what
the confirmation needs; the confirmation plans again from the stored file, never from anything the client sends
back. Each importer keeps its own session key, so a member import and a dues import can be pending at once.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(request: HttpRequest, upload: UploadedFile, *, session_key: str, prefix: str = "",
         **info: Any) -> tuple[str, Path]:
    """Store `upload` and remember it in the session under a new token, with `info`: (token, stored path)."""
    token = secrets.token_urlsafe(16)
    saved = upload_dir() / f"{prefix}{token}{Path(upload.name or '').suffix.lower()}"
    with saved.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    pending = request.session.get(session_key, {})
    pending[token] = {"path": saved.name, "filename": upload.name, **info}
    request.session[session_key] = pending
    return token, saved


def pending(request: HttpRequest, token: str, *, session_key: str) -> tuple[dict[str, Any], Path] | None:
    """The info and stored file of a kept upload, or None when the token is unknown or the file is gone."""
    info = request.session.get(session_key, {}).get(token)
    if info is None:
        return None
    saved = upload_dir() / info["path"]
    return (info, saved) if saved.exists() else None


def discard(request: HttpRequest, token: str, *, session_key: str) -> None:
    """Delete a kept upload and forget its token (after the import was written)."""
    kept = request.session.get(session_key, {})
    info = kept.pop(token, None)
    if info is not None:
        (upload_dir() / info["path"]).unlink(missing_ok=True)
    request.session[session_key] = kept


def stored_file(field: Any) -> FileResponse:
    """A stored attachment (a FileField's file) shown inline under its base name; 404 when the file is gone."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=False, filename=(field.name or "").rsplit("/", 1)[-1])
