"""Which files a practice accepts: PDF, Office (new and legacy), CSV, text and images, each checked by
extension and by content; wrong kinds and disguised executables get a clear message."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from practices.uploads import validate_upload

from .conftest import PDF_BYTES, exe_upload, png_upload

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1016


def ooxml(main_part: str) -> bytes:
    """A minimal Office Open XML package: what Word, Excel and PowerPoint write.

    Its entries carry a fixed date: the bytes are part of the test ids below, and the test processes
    must collect the same ids (with the time of day in them, two processes a second apart did not)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, text in (
            ("[Content_Types].xml", "<Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            (main_part, "<x/>"),
        ):
            package.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("plan.pdf", PDF_BYTES, "application/pdf"),
        (
            "rfp.docx",
            ooxml("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "deck.pptx",
            ooxml("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        # Legacy Office files whatever program saved them: the compound-file signature is what they share.
        ("old-rfp.doc", OLE2, "application/msword"),
        ("old-budget.xls", OLE2, "application/vnd.ms-excel"),
        ("old-deck.ppt", OLE2, "application/vnd.ms-powerpoint"),
        ("sites.csv", "name,city\nJosé,Zürich\n".encode(), "text/csv"),
        ("excel-export.csv", "\ufeffname;city\nJosé;Zürich\n".encode(), "text/csv"),
        ("windows.csv", "name,city\nJosé,Zürich\n".encode("cp1252"), "text/csv"),
        ("notes.txt", b"Plain notes.\n", "text/plain"),
    ],
)
def test_allowed_kinds_are_accepted_and_served_as_their_type(name, content, content_type):
    assert validate_upload(SimpleUploadedFile(name, content)) == content_type


def test_images_are_accepted(db):
    assert validate_upload(png_upload("map.png")) == "image/png"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: exe_upload("budget.doc"), "does not match its .doc extension"),
        (lambda: exe_upload("budget.xlsx"), "does not match its .xlsx extension"),
        (lambda: exe_upload("budget.csv"), "does not match its .csv extension"),
        (lambda: SimpleUploadedFile("rfp.docx", ooxml("xl/workbook.xml")), "does not match its .docx extension"),
        (lambda: SimpleUploadedFile("photo.png", PDF_BYTES), "does not match its .png extension"),
        (lambda: exe_upload("setup.exe"), "is not an allowed kind of file"),
        (lambda: SimpleUploadedFile("macro.docm", b"PK\x03\x04"), "is not an allowed kind of file"),
        (lambda: SimpleUploadedFile("README", b"text"), "is not an allowed kind of file"),
        (lambda: SimpleUploadedFile("empty.pdf", b""), "is empty"),
    ],
)
def test_wrong_kinds_and_disguised_files_are_refused_with_a_clear_message(upload, message):
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload())
    assert message in refused.value.messages[0]


def test_file_over_the_limit_is_refused_before_it_is_read(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("plan.pdf", PDF_BYTES + b"\x00" * (1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        validate_upload(big)
    assert "files may be at most 1.0\xa0MB" in refused.value.messages[0]
