"""Practices fixtures: the curated focus areas, a kind, and files to upload."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import FocusAreaFactory, PracticeKindFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def cybersecurity(db):
    return FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")


@pytest.fixture
def transportation(db):
    return FocusAreaFactory(slug="transportation", name="Transportation")


@pytest.fixture
def kind(db):
    return PracticeKindFactory(slug="case-study", name="Case study")


def pdf_upload(name="plan.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name="map.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def exe_upload(name="budget.pdf"):
    """A Windows executable renamed to look like a PDF."""
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="application/pdf")


def on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


postgres_only = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL full-text search")
sqlite_only = pytest.mark.skipif(on_postgres(), reason="the SQLite fallback")


@pytest.fixture
def form_data(coalition, cybersecurity, kind):
    """A valid new-practice form from a member of ``coalition``."""
    return {
        "coalition": coalition.pk,
        "title": "Incident-response retainer RFP",
        "summary": "A retainer with a one-hour response commitment.",
        "body": "## Scope\n\nRemote triage within an hour.",
        "focus_areas": ["cybersecurity"],
        "tags": "Ransomware, ransomware ,  Incident   Response, RFP",
        "kind": kind.pk,
        "maturity": "pilot",
        "jurisdiction": "City of Evanston",
        "government_level": "city",
        "funding_source": "local",
        "contact": "",
        "visibility": "public",
        "action": "publish",
    }
