"""Email subjects are plain text: names with &, quotes and < reach the inbox as written."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from notifications.mail import render_subject
from notifications.services import run_reminder_tick

pytestmark = pytest.mark.django_db

NAME = 'Smart Cities & Partners "CSCA" <West>'
ESCAPES = ("&amp;", "&quot;", "&#x27;", "&lt;", "&gt;")


def test_invitation_subject_names_the_coalition_as_written(
    coalition_admin_client, coalition, mailoutbox, django_capture_on_commit_callbacks
):
    coalition.name = NAME
    coalition.save()
    with django_capture_on_commit_callbacks(execute=True):
        coalition_admin_client.post(
            reverse("coalitions:invite", args=[coalition.slug]), {"email": "gina@example.org", "role": "member"}
        )

    [message] = mailoutbox
    assert message.subject == f"Bob Baker invites you to join {NAME}"
    assert f"Subject: Bob Baker invites you to join {NAME}" in message.message().as_string()


def test_reminder_subject_shows_the_meeting_title_as_written(run, meeting_tomorrow, member, mailoutbox):
    meeting_tomorrow.title = NAME
    meeting_tomorrow.save()

    run(run_reminder_tick)

    [message] = mailoutbox
    assert message.subject.startswith(f"Reminder: {NAME} ")


class Anything:
    """Stands for every object a subject template reads: each attribute is itself, and it prints as NAME."""

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return self

    def __str__(self):
        return NAME


SUBJECT_TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "emails").glob("*.subject.txt"))


@pytest.mark.parametrize("template", SUBJECT_TEMPLATES, ids=lambda path: path.name)
@pytest.mark.parametrize("flags", [{}, {"cancelled": True}, {"reinstated": True}, {"approved": True}])
def test_every_subject_template_renders_plain_text_on_one_line(template, flags):
    context = {
        name: Anything()
        for name in (
            "meeting",
            "invitation",
            "join_request",
            "digest",
            "inviter",
            "coalition",
            "practice",
            "contract",
            "call",
            "submission",
        )
    }
    context.update({"local_start": NAME, "old_local_start": NAME, "lead_label": NAME, "period_label": "week"})
    context.update(flags)

    subject = render_subject(f"emails/{template.name}", context)

    assert not any(escape in subject for escape in ESCAPES), subject
    assert "\n" not in subject
    if template.name != "digest.subject.txt":  # the digest's subject counts, it names nothing
        assert NAME in subject
