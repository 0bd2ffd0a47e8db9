"""The practice page: the story, who reuses it, where it was presented, and what is similar."""

import pytest

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
    meeting = MeetingFactory(title="Cybersecurity working group")
    AgendaItemFactory(meeting=meeting, practice=practice, presenting_coalition=coalition, title="Retainer RFP")
    html = client.get(practice.get_absolute_url()).content.decode()
    assert "Presented at" in html and "Cybersecurity working group" in html
    assert meeting.get_absolute_url() in html


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
