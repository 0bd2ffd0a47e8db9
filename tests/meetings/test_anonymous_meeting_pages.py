"""Anonymous visitors get the home page, the meetings list and a meeting's page from the shared cache
(practices.pagecache), keyed by the listed-practices generation and the meetings' own: a new answer, a
changed meeting or agenda shows to the next visitor at once; signed-in visitors never share a page.
"""

import pytest
from django.urls import reverse

from meetings import selectors, services
from practices.models import Practice
from tests.factories import AgendaItemFactory, MeetingFactory, PracticeFactory, RSVPFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db):
    return MeetingFactory(title="Curb data call")


def urls(meeting):
    return [reverse("home"), reverse("meetings:list"), meeting.get_absolute_url()]


def test_a_second_anonymous_visit_touches_no_table(client, meeting, django_assert_num_queries):
    for url in urls(meeting):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200 and again.content == first.content


def test_an_answer_shows_to_the_next_visitor_at_once(client, meeting, member):
    url = meeting.get_absolute_url()
    assert "<strong>0</strong> yes" in client.get(url).content.decode()
    before = selectors.pages_generation(selectors.practice_selectors.shared_cache())
    RSVPFactory(meeting=meeting, user=member)
    assert selectors.pages_generation(selectors.practice_selectors.shared_cache()) != before
    assert "<strong>1</strong> yes" in client.get(url).content.decode()
    assert "1 going" in client.get(reverse("meetings:list")).content.decode()


def test_a_changed_meeting_or_agenda_shows_at_once(client, meeting, partnership_admin, coalition):
    for url in urls(meeting):
        client.get(url)
    meeting.title = "Curb data call, moved"
    meeting.save()
    for url in urls(meeting):
        assert "Curb data call, moved" in client.get(url).content.decode()

    practice = PracticeFactory(coalition=coalition, visibility=Practice.Visibility.PUBLIC, title="Loading zones")
    client.get(meeting.get_absolute_url())
    client.get(practice.get_absolute_url())
    services.set_agenda(by=partnership_admin, meeting=meeting, items=[{"title": "Pilot results", "practice": practice}])
    assert "Pilot results" in client.get(meeting.get_absolute_url()).content.decode()
    assert meeting.title in client.get(practice.get_absolute_url()).content.decode()  # "presented at"


def test_a_new_practice_shows_on_the_home_page_at_once(client, coalition):
    client.get(reverse("home"))
    PracticeFactory(coalition=coalition, visibility=Practice.Visibility.PUBLIC, title="Smart streetlights")
    assert "Smart streetlights" in client.get(reverse("home")).content.decode()


def test_members_pages_are_their_own(client, member_client, member, meeting):
    AgendaItemFactory(meeting=meeting, title="Members' round table")
    for url in urls(meeting):
        client.get(url)
        html = member_client.get(url).content.decode()
        assert "Log out" in html and "csrfmiddlewaretoken" in html  # the member's own page: RSVP and log-out forms
        assert "Log out" not in client.get(url).content.decode()


def test_without_a_shared_cache_each_visit_is_rendered(client, meeting, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(selectors.practice_selectors, "shared_cache", lambda: None)
    for url in urls(meeting):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) > 0, url
