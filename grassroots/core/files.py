"""Checks on uploaded files (a photo of a sign-in sheet, a scanned reply, a resident's photo): the extension
must be an accepted type, the size within the cap, and the first bytes must agree with the extension."""

from __future__ import annotations

import os
from typing import Any

from django.utils.translation import gettext as _

from .errors import RuleError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {  # extension -> content family
    "jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "webp": "webp", "pdf": "pdf",
}


def sniff(head: bytes) -> str | None:
    """The content family the first bytes of a file show, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def check_attachment(file: Any, *, max_bytes: int = MAX_ATTACHMENT_BYTES) -> tuple[str, int]:
    """The file's base name and size, or a RuleError on the field "file"."""
    if file is None:
        raise RuleError(_("a file is required"), field="file")
    name = os.path.basename(str(getattr(file, "name", "") or ""))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    family = ATTACHMENT_TYPES.get(ext)
    if family is None:
        raise RuleError(_("attach a photo (JPG, PNG, GIF, WebP) or a PDF"), field="file")
    size = getattr(file, "size", None)
    if size is None:
        raise RuleError(_("the file's size is unknown"), field="file")
    if size > max_bytes:
        raise RuleError(_("the file is larger than %(mb)s MB") % {"mb": max_bytes // (1024 * 1024)}, field="file")
    if size == 0:
        raise RuleError(_("the file is empty"), field="file")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if sniff(bytes(head)) != family:
        raise RuleError(_("the file's content is not the %(ext)s its name says") % {"ext": ext.upper()},
                        field="file")
    return name, size
