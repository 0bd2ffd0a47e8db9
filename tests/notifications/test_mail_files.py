"""Without SMTP, each email lands in var/mail/ as its own .eml file that a mail client can open."""

import email

import pytest

from notifications.backends import EmlFileBackend
from notifications.services import run_reminder_tick

pytestmark = pytest.mark.django_db


def test_each_email_is_one_eml_file_named_for_recipient_and_subject(run, settings, tmp_path, meeting_tomorrow, member):
    settings.EMAIL_BACKEND = "notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path

    run(run_reminder_tick)

    files = sorted(tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].suffix == ".eml"
    assert "-alice-reminder-partnership-monthly-call-tomorrow-" in files[0].name
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "alice@example.org"
    assert parsed.get_content_type() == "multipart/mixed"
    assert [part.get_content_type() for part in parsed.walk()][2:4] == ["text/plain", "text/html"]


def test_a_batch_writes_one_file_per_message(tmp_path):
    from django.core.mail import EmailMessage

    backend = EmlFileBackend(file_path=tmp_path)
    messages = [EmailMessage(subject="Same subject", body="x", to=["same@example.org"]) for _ in range(3)]

    assert backend.send_messages(messages) == 3
    assert len(list(tmp_path.glob("*.eml"))) == 3
