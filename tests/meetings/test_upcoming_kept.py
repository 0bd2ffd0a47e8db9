"""The upcoming meetings list's rows are kept for readers alike: the same time zone and the same answers to
the page's meetings; a meeting's page reads the meeting another signed-in reader loaded. A reader's own
answer, zone and invitation, and a new answer from anyone, show at once."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions.models import Membership
from practices import selectors as practice_selectors
from tests.factories import InviteeFactory, MeetingFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("meetings:list")
ROW = "meetings/includes/_meeting_row.html"


@pytest.fixture(autouse=True)
def _a_shared_cache():
    assert practice_selectors.shared_cache() is not None, "the tests' settings keep a shared cache"


@pytest.fixture
def meetings(coalition):
    start = dt.datetime(2027, 1, 14, 17, 0, tzinfo=dt.UTC)  # 10:00 in Denver, 10:00 in Phoenix (no DST in winter)
    return [
        MeetingFactory(title=f"Monthly call {i}", host_coalition=coalition, start=start + dt.timedelta(days=30 * i))
        for i in range(3)
    ]


def member_in(coalition, name, **profile) -> Client:
    user = UserFactory(profile__full_name=name, **{f"profile__{k}": v for k, v in profile.items()})
    MembershipFactory(user=user, coalition=coalition, role=Membership.Role.MEMBER)
    client = Client()
    client.force_login(user)
    return client


def user_of(client):
    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def visit(client):
    response = client.get(LIST)
    assert response.status_code == 200
    return response


def rows_rendered(response) -> int:
    return sum(1 for template in response.templates if template.name == ROW)


def test_a_reader_alike_is_served_the_rows_kept(meetings, coalition):
    first_client, second_client = member_in(coalition, "Ana Ruiz"), member_in(coalition, "Ben Ortiz")
    first = visit(first_client)
    second = visit(second_client)
    assert rows_rendered(first) == 3 and rows_rendered(second) == 0
    assert second.context["upcoming"] == first.context["upcoming"]
    assert "Ben Ortiz" in second.content.decode()  # the header is the reader's own


def test_a_readers_own_answer_is_on_their_rows(meetings, coalition):
    answering, other = member_in(coalition, "Ben Ortiz"), member_in(coalition, "Cleo Park")
    RSVPFactory(meeting=meetings[1], user=user_of(answering), answer="maybe")
    assert "You: maybe" not in visit(other).content.decode()  # kept for readers who gave no answer
    assert "You: maybe" in visit(answering).content.decode()
    assert "You: maybe" not in visit(other).content.decode()


def test_a_new_answer_counts_on_the_next_visit(meetings, coalition):
    reader = member_in(coalition, "Ana Ruiz")
    assert "1 going" not in visit(reader).content.decode()
    RSVPFactory(meeting=meetings[0], user=UserFactory(), answer="yes")
    assert "1 going" in visit(reader).content.decode()


def test_another_time_zone_gets_its_own_rows(meetings, coalition):
    denver = visit(member_in(coalition, "Ana Ruiz")).content.decode()
    eastern = visit(member_in(coalition, "Ben Ortiz", time_zone="America/New_York"))
    assert rows_rendered(eastern) == 3
    assert "MST" in denver and "EST" in eastern.content.decode()


# --- A meeting's page: the loaded meeting kept for every signed-in reader --------------------------


def page_of(client, meeting):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_a_meetings_page_is_read_from_the_meeting_another_reader_loaded(meetings, coalition):
    meeting = meetings[0]
    answering, other = member_in(coalition, "Ben Ortiz"), member_in(coalition, "Cleo Park")
    RSVPFactory(meeting=meeting, user=user_of(answering), answer="maybe")
    first, cold = page_of(other, meeting)
    body, warm = page_of(answering, meeting)
    assert any('FROM "meetings_rsvp"' in sql for sql in cold)
    assert not any('FROM "meetings_rsvp"' in sql or 'FROM "meetings_meeting"' in sql for sql in warm)
    assert "Your answer: <strong>Maybe</strong>" in body and "Your answer:" not in first
    assert "Ben Ortiz" in body  # among those coming, for members


def test_an_invitation_is_on_the_meetings_page_at_once(meetings, coalition):
    meeting = meetings[0]
    reader = member_in(coalition, "Ben Ortiz")
    assert "You are invited" not in page_of(reader, meeting)[0]
    InviteeFactory(meeting=meeting, user=user_of(reader))  # nobody new: only the invitation renews the page
    assert "You are invited" in page_of(reader, meeting)[0]


def test_an_unknown_meeting_is_still_a_404_for_members(coalition):
    assert member_in(coalition, "Ben Ortiz").get(reverse("meetings:detail", args=[999999])).status_code == 404
