"""The practice page: the story, who reuses it, where it was presented, and what is similar."""

import datetime as dt

import pytest
from django.utils import timezone

from practices.models import Practice
from tests.factories import AdoptionFactory, AgendaItemFactory, AttachmentFactory, MeetingFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(coalition, member, cybersecurity):
    return PracticeFactory(
        title="Incident-response retainer",
        body="## Scope\n\n[Our RFP](https://example.org/rfp)",
        coalition=coalition,
        author=member,
        focus_areas=[cybersecurity],
        tags=["ransomware"],
        visibility=Practice.Visibility.PUBLIC,
    )


def test_page_renders_markdown_with_safe_links(client, practice):
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "<h2>Scope</h2>" in html
    assert '<a href="https://example.org/rfp" rel="nofollow noopener">Our RFP</a>' in html


def test_page_lists_meetings_where_it_was_presented(client, practice, coalition):
    held = MeetingFactory(title="Cybersecurity working group", start=timezone.now() - dt.timedelta(days=30))
    AgendaItemFactory(meeting=held, practice=practice, presenting_coalition=coalition, title="Retainer RFP")
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "Presented at" in html and "On an upcoming agenda" not in html
    assert "Cybersecurity working group" in html and "Retainer RFP" in html and "CSCA" in html
    assert held.get_absolute_url() in html


def test_page_lists_upcoming_presentations_apart_and_leaves_out_cancelled_meetings(client, practice):
    upcoming = MeetingFactory(title="Next monthly call")
    cancelled = MeetingFactory(title="Called-off call", status="cancelled")
    AgendaItemFactory(meeting=upcoming, practice=practice, title="Retainer RFP: first results")
    AgendaItemFactory(meeting=cancelled, practice=practice, title="Never presented")
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "On an upcoming agenda" in html and "Presented at" not in html
    assert "Retainer RFP: first results" in html and upcoming.get_absolute_url() in html
    assert "Never presented" not in html


def test_page_lists_adoptions_by_coalition(client, practice, other_coalition):
    AdoptionFactory(practice=practice, coalition=other_coalition, stage="adopted", outcome="Awarded in four months.")
    html = client.get(practice.get_absolute_url()).content.decode()
    assert other_coalition.name in html and "Awarded in four months." in html


def test_page_lists_files_with_download_links(client, practice):
    attachment = AttachmentFactory(practice=practice)
    html = client.get(practice.get_absolute_url()).content.decode()
    assert f"/practices/{practice.slug}/files/{attachment.pk}/" in html and "plan.pdf" in html


def test_page_shows_focus_areas_and_tags_as_links(client, practice):
    html = client.get(practice.get_absolute_url()).content.decode()
    assert 'href="/practices/focus/cybersecurity/"' in html and 'href="/practices/tags/ransomware/"' in html


def test_managers_see_edit_and_status_buttons_others_do_not(member_client, other_member_client, practice):
    assert "Unpublish" in member_client.get(practice.get_absolute_url()).content.decode()
    assert "Unpublish" not in other_member_client.get(practice.get_absolute_url()).content.decode()
