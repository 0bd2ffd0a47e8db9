"""No page view, API response or email renders Markdown: they show the HTML stored when the text was
saved. Rendering is patched to fail after the data is written; every page that shows Markdown must
still answer, with the stored HTML in it. Only the writer's live preview (a POST) renders."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Membership
from meetings.models import RSVP
from notifications.services import run_reminder_tick
from practices import markdown
from practices.models import Practice
from tests.factories import (
    AdoptionFactory,
    AgendaItemFactory,
    CommentFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    PracticeFactory,
    RSVPFactory,
)

pytestmark = pytest.mark.django_db


class RenderedOnView(AssertionError):
    pass


@pytest.fixture
def rendering_fails():
    """From here on, any call to the renderer or the parser raises."""

    def fail(*args, **kwargs):
        raise RenderedOnView("Markdown rendered while serving a read")

    parser = mock.Mock(render=fail, parse=fail)
    with mock.patch.object(markdown, "render_markdown", fail), mock.patch.object(markdown, "PARSER", parser):
        yield


@pytest.fixture
def practice(coalition, member, other_coalition):
    practice = PracticeFactory(
        coalition=coalition,
        author=member,
        slug="curb-data",
        visibility=Practice.Visibility.PUBLIC,
        body="## Body heading\n\n| a |\n|---|\n| cell |",
    )
    AdoptionFactory(practice=practice, coalition=other_coalition, notes="**Adapted** scope", outcome="_Live_ now")
    CommentFactory(practice=practice, author=member, body="A `code` question")
    return practice


@pytest.fixture
def meeting(partnership_admin, practice):
    series = MeetingSeriesFactory(description="**Series** description")
    start = timezone.now() - dt.timedelta(hours=5)
    meeting = MeetingFactory(
        series=series,
        start=start,
        end=start + dt.timedelta(hours=1),
        description="_Meeting_ description",
        minutes="## Decisions\n\n1. Pilot approved",
        minutes_posted_at=timezone.now() - dt.timedelta(minutes=3),
    )
    AgendaItemFactory(meeting=meeting, practice=practice, notes="Notes with [a link](https://x.org)")
    return meeting


def test_practice_page_shows_stored_body_adoptions_and_comments(client, member_client, practice, rendering_fails):
    for visitor in (client, member_client):
        page = visitor.get(practice.get_absolute_url()).content.decode()
        assert "<h2>Body heading</h2>" in page and "<td>cell</td>" in page
        assert "<strong>Adapted</strong> scope" in page and "<em>Live</em> now" in page
    assert "A <code>code</code> question" in member_client.get(practice.get_absolute_url()).content.decode()


def test_api_detail_returns_stored_body_html(client, practice, rendering_fails):
    response = client.get(reverse("practices:api_detail", args=[practice.slug]))
    assert response.status_code == 200
    assert "<h2>Body heading</h2>" in response.json()["body_html"]


def test_api_list_and_feeds_do_not_render(client, practice, rendering_fails):
    assert client.get(reverse("practices:api_list")).status_code == 200
    assert client.get(reverse("practices:feed")).status_code == 200
    assert client.get(reverse("practices:list")).status_code == 200


def test_comment_delete_confirmation_shows_stored_html(member_client, practice, rendering_fails):
    comment = practice.comments.get()
    page = member_client.get(reverse("practices:comment_delete", args=[comment.pk])).content.decode()
    assert "A <code>code</code> question" in page


def test_meeting_page_shows_stored_description_agenda_notes_and_minutes(member_client, meeting, rendering_fails):
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert "<em>Meeting</em> description" in page
    assert '<a href="https://x.org" rel="nofollow noopener">a link</a>' in page
    assert "<h2>Decisions</h2>" in page and "<li>Pilot approved</li>" in page


def test_series_page_shows_stored_description(member_client, meeting, rendering_fails):
    page = member_client.get(meeting.series.get_absolute_url()).content.decode()
    assert "<strong>Series</strong> description" in page


def test_minutes_follow_up_email_uses_stored_html(django_capture_on_commit_callbacks, meeting, member, rendering_fails):
    RSVPFactory(meeting=meeting, user=member, answer=RSVP.Answer.YES)

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run_reminder_tick()

    (message,) = [m for m in mail.outbox if member.email in m.to]
    assert "<h2>Decisions</h2>" in message.alternatives[0][0]


def test_digest_email_and_its_staff_preview_do_not_render(
    django_capture_on_commit_callbacks, partnership_admin_client, practice, member, rendering_fails
):
    Membership.objects.filter(user=member).update(joined=timezone.now() - dt.timedelta(days=90))
    Practice.objects.filter(pk=practice.pk).update(published_at=timezone.now() - dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", user=member.email, stdout=mock.MagicMock())

    assert any(member.email in m.to for m in mail.outbox)
    preview = partnership_admin_client.get(reverse("notifications:preview_digest", args=[member.pk]))
    assert preview.status_code == 200


def test_the_writers_live_preview_still_renders(member_client, rendering_fails):
    # The one place that renders on request: an explicit POST by the writer, bounded by the field's length.
    with pytest.raises(RenderedOnView):
        member_client.post(reverse("practices:preview"), {"body": "**x**"})
