"""Checking uploaded files: extension, real content and size, before anything is stored.

Used for practice attachments and meeting files alike, so both apply one rule.
"""

import os
from contextlib import contextmanager

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat

# extension -> the content types filetype may sniff for it (None: plain text, no magic number).
ALLOWED_UPLOADS: dict[str, set[str] | None] = {
    "pdf": {"application/pdf"},
    "doc": {"application/msword", "application/x-ole-storage"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    "xls": {"application/vnd.ms-excel", "application/msword", "application/x-ole-storage"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    "ppt": {"application/vnd.ms-powerpoint", "application/msword", "application/x-ole-storage"},
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
    "odp": {"application/vnd.oasis.opendocument.presentation", "application/zip"},
    "csv": None,
    "txt": None,
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
}

# What a download is served as, by extension (never trust the uploader's Content-Type).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "csv": "text/csv",
    "txt": "text/plain",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


# Legacy Office files (.doc, .xls, .ppt) are OLE2 compound files. filetype recognises only some layouts
# of them (it looks for one stream at one offset), so files saved by other programs would be refused;
# the compound-file signature is the content check for these (an executable never starts with it).
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE2_EXTENSIONS = frozenset({"doc", "xls", "ppt"})


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def validate_upload(upload, *, max_bytes: int | None = None) -> str:
    """Raise ``ValidationError`` unless the file is an allowed kind, by name and by content.

    Returns the content type to serve it with. Checks the size first so a huge file is refused
    without reading it.
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            "“%(name)s” is %(size)s; files may be at most %(limit)s.",
            code="too_large",
            params={"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    if upload.size == 0:
        raise ValidationError("“%(name)s” is empty.", code="empty", params={"name": upload.name})
    ext = extension_of(upload.name)
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError(
            "“%(name)s” is not an allowed kind of file. Allowed: %(allowed)s.",
            code="bad_extension",
            params={"name": upload.name, "allowed": ", ".join(sorted(ALLOWED_UPLOADS))},
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    sniffed = filetype.guess(head)
    expected = ALLOWED_UPLOADS[ext]
    if expected is None:
        ok = sniffed is None and _looks_like_text(head)
    elif ext in OLE2_EXTENSIONS:
        ok = head.startswith(OLE2_SIGNATURE)
    else:
        ok = sniffed is not None and sniffed.mime in expected
    if not ok:
        raise ValidationError(
            "The content of “%(name)s” does not match its .%(ext)s extension.",
            code="bad_content",
            params={"name": upload.name, "ext": ext},
        )
    return CONTENT_TYPES[ext]


def serve_upload(stored_file, *, filename: str, content_type: str, is_public: bool) -> FileResponse:
    """Stream a checked upload as a download. Call only after the caller's permission check.

    Sent as an attachment under the type ``validate_upload`` chose, never sniffed by the browser;
    files that are not open to everyone stay out of shared caches.
    """
    try:
        handle = stored_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("That file is no longer stored.") from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300" if is_public else "private, no-store"
    return response


@contextmanager
def stored_files_removed_on_failure():
    """Collects the files a service writes to storage (``stored.append(field_file)``) and deletes them if
    what follows fails: a rolled-back transaction leaves no file behind."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise


def validate_uploads(files, *, field: str = "attachments") -> list[str]:
    """``validate_upload`` for each file: their content types, or one ``ValidationError`` on ``field``
    naming every file refused (so a form shows them all at once, not the first)."""
    errors, content_types = [], []
    for upload in files:
        try:
            content_types.append(validate_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({field: errors})
    return content_types
