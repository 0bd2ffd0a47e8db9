"""Members answer yes, maybe or no until the meeting starts; never for cancelled or past ones."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from meetings.models import RSVP, Meeting
from tests.factories import MeetingFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db):
    return MeetingFactory()


def rsvp_url(meeting):
    return reverse("meetings:rsvp", args=[meeting.pk])


def test_member_rsvps_and_changes_their_answer(member_client, member, meeting):
    member_client.post(rsvp_url(meeting), {"answer": "yes"})
    member_client.post(rsvp_url(meeting), {"answer": "maybe"})
    assert RSVP.objects.get(meeting=meeting, user=member).answer == "maybe"
    assert RSVP.objects.count() == 1


def test_rsvp_for_a_cancelled_meeting_is_refused_with_a_message(member_client, meeting):
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    response = member_client.post(rsvp_url(meeting), {"answer": "yes"}, follow=True)
    assert "cancelled" in response.content.decode()
    assert not RSVP.objects.exists()


def test_rsvp_for_a_past_meeting_is_refused(member_client):
    start = dt.datetime(2026, 1, 13, 18, 0, tzinfo=dt.UTC)
    past = MeetingFactory(start=start, end=start + dt.timedelta(hours=1))
    response = member_client.post(rsvp_url(past), {"answer": "yes"}, follow=True)
    assert "RSVPs are closed" in response.content.decode()
    assert not RSVP.objects.exists()


def test_an_answer_cannot_change_once_the_meeting_started(member, meeting):
    RSVPFactory(meeting=meeting, user=member, answer="yes")
    with time_machine.travel(meeting.start + dt.timedelta(minutes=1), tick=False):
        client = Client()
        client.force_login(member)
        client.post(rsvp_url(meeting), {"answer": "no"})
    assert RSVP.objects.get(user=member).answer == "yes"


def test_a_nonsense_answer_is_refused(member_client, meeting):
    response = member_client.post(rsvp_url(meeting), {"answer": "perhaps"}, follow=True)
    assert response.status_code == 200
    assert "Answer yes, maybe or no" in response.content.decode()
    assert not RSVP.objects.exists()


def test_anonymous_rsvp_goes_to_login(client, meeting):
    response = client.post(rsvp_url(meeting), {"answer": "yes"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not RSVP.objects.exists()


def test_a_user_in_no_coalition_cannot_rsvp(outsider_client, meeting):
    outsider_client.post(rsvp_url(meeting), {"answer": "yes"})
    assert not RSVP.objects.exists()


def test_rsvp_by_get_is_not_allowed(member_client, meeting):
    assert member_client.get(rsvp_url(meeting) + "?answer=yes").status_code == 405
    assert not RSVP.objects.exists()


def test_link_from_an_email_shows_a_confirmation_and_changes_nothing(member_client, meeting):
    response = member_client.get(meeting.get_absolute_url() + "?rsvp=maybe")
    page = response.content.decode()
    assert "Confirm “Maybe”" in page
    assert 'name="answer" value="maybe"' in page
    assert not RSVP.objects.exists()


def test_link_from_an_email_sends_visitors_to_log_in_first(client, meeting):
    response = client.get(meeting.get_absolute_url() + "?rsvp=yes")
    assert response.status_code == 302
    assert "next=" in response["Location"] and "rsvp%3Dyes" in response["Location"]


def test_link_from_an_email_tells_someone_in_no_coalition_why_not(outsider_client, meeting):
    page = outsider_client.get(meeting.get_absolute_url() + "?rsvp=yes").content.decode()
    assert "Only members of a coalition can RSVP" in page
    assert "Confirm" not in page
    assert not RSVP.objects.exists()


def test_link_with_an_unknown_answer_shows_the_normal_choices(member_client, meeting):
    page = member_client.get(meeting.get_absolute_url() + "?rsvp=whenever").content.decode()
    assert "was not understood" in page
    assert "Confirm" not in page


def test_counts_and_attendees_grouped_by_coalition(member_client, member, other_member, coalition, meeting):
    RSVPFactory(meeting=meeting, user=member, answer="yes")
    RSVPFactory(meeting=meeting, user=other_member, answer="maybe")
    declined = UserFactory(profile__full_name="Nora No")
    MembershipFactory(user=declined, coalition=coalition)
    RSVPFactory(meeting=meeting, user=declined, answer="no")
    response = member_client.get(meeting.get_absolute_url())
    assert response.context["counts"] == {"yes": 1, "maybe": 1, "no": 1}
    groups = {name: [r.user for r in rsvps] for name, rsvps in response.context["attendees"]}
    assert groups == {"Colorado Smart Cities Alliance": [member], "North Texas Innovation Alliance": [other_member]}


def test_attendees_are_listed_by_name_under_the_coalition_they_joined_first(
    member_client, coalition, other_coalition, partnership_admin, meeting
):
    both = UserFactory(email="fay@example.org", profile__full_name="Fay Fields")
    MembershipFactory(user=both, coalition=other_coalition, joined=dt.datetime(2025, 1, 5, tzinfo=dt.UTC))
    MembershipFactory(user=both, coalition=coalition, joined=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    nameless = UserFactory(email="gus.green@example.org", profile__full_name="")
    MembershipFactory(user=nameless, coalition=coalition)
    for person in (both, nameless, partnership_admin):
        RSVPFactory(meeting=meeting, user=person, answer="yes")

    response = member_client.get(meeting.get_absolute_url())

    groups = {name: [r.listed_name for r in rsvps] for name, rsvps in response.context["attendees"]}
    assert groups == {
        "Colorado Smart Cities Alliance": ["gus.green"],
        "North Texas Innovation Alliance": ["Fay Fields"],
        "Partnership staff": ["Dana Diaz"],
    }
    page = response.content.decode()
    assert "<li>Fay Fields</li>" in page and "<li>gus.green</li>" in page
    assert "gus.green@example.org" not in page


def test_visitors_see_counts_but_not_names(client, member, meeting):
    RSVPFactory(meeting=meeting, user=member, answer="yes")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Alice Archer" not in page
    assert "<strong>1</strong> yes" in page
