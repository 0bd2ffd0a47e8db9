"""Named invitees: partnership admins add and remove them (nobody else), invitees see that they are
invited (meeting page, home page, calendar feed), admins see who answered what."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.models import RSVP, Invitee
from notifications.models import Delivery
from tests.factories import InviteeFactory, MeetingFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def edit_body(meeting, invitees: str) -> dict:
    return {"title": meeting.title, "description": "", "video_link": "", "host_coalition": "", "invitees": invitees}


def invited_ids(meeting) -> set[int]:
    return set(meeting.invitees.values_list("user_id", flat=True))


@pytest.fixture
def meeting(db):
    return MeetingFactory(title="Curb data working group")


# --- Who may invite ---------------------------------------------------------------------------------


def test_partnership_admin_invites_members_by_address_on_the_edit_form(
    partnership_admin_client, meeting, member, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = partnership_admin_client.post(
            reverse("meetings:edit", args=[meeting.pk]), edit_body(meeting, "alice@example.org\nCHARLIE@example.org")
        )

    assert response.status_code == 302
    assert invited_ids(meeting) == {member.pk, other_member.pk}
    assert set(Delivery.objects.filter(kind=Delivery.Kind.INVITED).values_list("user_id", flat=True)) == {
        member.pk,
        other_member.pk,
    }


def test_partnership_admin_removes_an_invitee_by_leaving_them_out(
    partnership_admin_client, meeting, member, other_member
):
    InviteeFactory(meeting=meeting, user=member)
    InviteeFactory(meeting=meeting, user=other_member)

    partnership_admin_client.post(
        reverse("meetings:edit", args=[meeting.pk]), edit_body(meeting, "charlie@example.org")
    )

    assert invited_ids(meeting) == {other_member.pk}


@pytest.mark.parametrize("persona", ["member", "coalition_admin", "other_admin", "outsider"])
def test_only_partnership_admins_may_add_invitees(request, assert_refused, meeting, member, persona):
    assert_refused(services.invite_members, by=request.getfixturevalue(persona), meeting=meeting, users=[member])


@pytest.mark.parametrize("persona", ["member", "coalition_admin", "other_admin", "outsider"])
def test_only_partnership_admins_may_remove_invitees(request, assert_refused, meeting, member, persona):
    InviteeFactory(meeting=meeting, user=member)
    assert_refused(services.set_invitees, by=request.getfixturevalue(persona), meeting=meeting, users=[])


def test_a_host_coalition_admin_edits_details_but_posted_invitees_change_nothing(
    coalition_admin_client, coalition, member, other_member
):
    hosted = MeetingFactory(host_coalition=coalition)
    InviteeFactory(meeting=hosted, user=member)
    body = {**edit_body(hosted, "charlie@example.org"), "host_coalition": coalition.pk, "title": "Renamed"}

    response = coalition_admin_client.post(reverse("meetings:edit", args=[hosted.pk]), body)

    hosted.refresh_from_db()
    assert response.status_code == 302 and hosted.title == "Renamed"
    assert invited_ids(hosted) == {member.pk}
    assert (
        'name="invitees"' not in coalition_admin_client.get(reverse("meetings:edit", args=[hosted.pk])).content.decode()
    )


def test_a_member_cannot_open_the_edit_form_and_nothing_changes(
    member_client, meeting, other_member, unchanged_database
):
    with unchanged_database():
        response = member_client.post(
            reverse("meetings:edit", args=[meeting.pk]), edit_body(meeting, "charlie@example.org")
        )
    assert response.status_code == 403


# --- Bad input ------------------------------------------------------------------------------------


def test_an_unknown_address_is_named_and_nothing_is_saved(partnership_admin_client, meeting, member):
    response = partnership_admin_client.post(
        reverse("meetings:edit", args=[meeting.pk]), edit_body(meeting, "alice@example.org\nnobody@example.org")
    )

    assert response.status_code == 200
    assert "No member has the address nobody@example.org" in response.content.decode()
    assert invited_ids(meeting) == set()


def test_an_invitee_who_left_every_coalition_does_not_block_saving_the_form(
    partnership_admin_client, meeting, member, other_member
):
    InviteeFactory(meeting=meeting, user=member)
    member.memberships.all().delete()

    response = partnership_admin_client.post(
        reverse("meetings:edit", args=[meeting.pk]), edit_body(meeting, "alice@example.org\ncharlie@example.org")
    )

    assert response.status_code == 302
    assert invited_ids(meeting) == {member.pk, other_member.pk}


def test_the_form_refuses_to_newly_invite_someone_in_no_coalition(partnership_admin_client, meeting, outsider):
    response = partnership_admin_client.post(
        reverse("meetings:edit", args=[meeting.pk]), edit_body(meeting, "erin@example.org")
    )

    assert "Only active members of a coalition can be invited" in response.content.decode()
    assert invited_ids(meeting) == set()


def test_someone_in_no_coalition_cannot_be_invited(partnership_admin, meeting, outsider):
    with pytest.raises(ValidationError, match="members of a coalition"):
        services.invite_members(by=partnership_admin, meeting=meeting, users=[outsider])
    assert not Invitee.objects.exists()


def test_a_cancelled_meeting_takes_no_new_invitees(partnership_admin, meeting, member):
    services.cancel_meeting(by=partnership_admin, meeting=meeting)
    with pytest.raises(ValidationError, match="cancelled or past"):
        services.invite_members(by=partnership_admin, meeting=meeting, users=[member])


def test_inviting_someone_twice_keeps_one_row_and_reports_them_once(partnership_admin, meeting, member):
    assert services.invite_members(by=partnership_admin, meeting=meeting, users=[member]) == [member.pk]
    assert services.invite_members(by=partnership_admin, meeting=meeting, users=[member]) == []
    assert meeting.invitees.count() == 1


def test_scheduling_a_meeting_may_invite_members_at_once(partnership_admin_client, member):
    day = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    body = {"title": "Signals group", "description": "", "date": day, "start_time": "10:00", "end_time": "11:00",
            "time_zone": "America/Denver", "video_link": "", "host_coalition": "",
            "invitees": "alice@example.org"}  # fmt: skip

    partnership_admin_client.post(reverse("meetings:schedule"), body)

    assert Invitee.objects.get().user == member


# --- The picker's search ------------------------------------------------------------------------


def test_the_member_search_finds_members_by_name_for_partnership_admins(partnership_admin_client, member, outsider):
    response = partnership_admin_client.get(reverse("meetings:member_search"), {"q": "alice arch"})

    assert response.json() == {
        "results": [{"email": "alice@example.org", "name": "Alice Archer", "coalitions": "CSCA"}]
    }
    assert partnership_admin_client.get(reverse("meetings:member_search"), {"q": "erin"}).json() == {"results": []}


def test_the_member_search_reads_control_characters_as_spaces(partnership_admin_client, member):
    """A NUL would make PostgreSQL refuse the query (a 500): it separates words like a space."""
    response = partnership_admin_client.get(reverse("meetings:member_search"), {"q": "alice\x00arch"})

    assert response.status_code == 200
    assert [row["email"] for row in response.json()["results"]] == ["alice@example.org"]


@pytest.mark.parametrize("persona", ["member_client", "coalition_admin_client"])
def test_the_member_search_is_refused_to_everyone_else(request, persona, member):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("meetings:member_search"), {"q": "alice"}).status_code == 403


def test_the_edit_form_offers_the_picker_script_to_partnership_admins(partnership_admin_client, meeting):
    body = partnership_admin_client.get(reverse("meetings:edit", args=[meeting.pk])).content.decode()
    assert "js/invitee-picker" in body and f'data-search-url="{reverse("meetings:member_search")}"' in body


# --- What invitees and admins see ---------------------------------------------------------------


def test_partnership_admins_see_each_invitee_and_their_answer(partnership_admin_client, meeting, member, other_member):
    InviteeFactory(meeting=meeting, user=member)
    InviteeFactory(meeting=meeting, user=other_member)
    RSVPFactory(meeting=meeting, user=member, answer=RSVP.Answer.NO)

    response = partnership_admin_client.get(meeting.get_absolute_url())

    rows = {invitee.user_id: answer for invitee, answer in response.context["invitees"]}
    assert rows == {member.pk: "no", other_member.pk: ""}
    body = response.content.decode()
    assert "Alice Archer" in body and "no answer yet" in body


def test_an_invitee_sees_they_are_invited_and_others_do_not(member_client, other_member_client, meeting, member):
    InviteeFactory(meeting=meeting, user=member)

    invitee_page = member_client.get(meeting.get_absolute_url())
    other_page = other_member_client.get(meeting.get_absolute_url())

    assert "You are invited to this meeting" in invitee_page.content.decode()
    assert invitee_page.context["invitees"] is None  # the list itself is for partnership admins
    assert "You are invited" not in other_page.content.decode()


def test_the_invitation_shows_on_the_invitees_home_with_a_one_click_rsvp(member_client, member):
    far = MeetingFactory(title="Curb data working group", start=dt.datetime.now(dt.UTC) + dt.timedelta(days=40))
    InviteeFactory(meeting=far, user=member)
    for day in range(1, 4):  # the next three meetings fill "Your next meetings"
        MeetingFactory(title=f"Monthly call {day}", start=dt.datetime.now(dt.UTC) + dt.timedelta(days=day))

    body = member_client.get(reverse("home")).content.decode()

    invited = body[body.index('id="invitations"') : body.index('id="meetings"')]
    assert "Curb data working group" in invited
    assert f'action="{reverse("home_rsvp", args=[far.pk])}"' in invited

    member_client.post(reverse("home_rsvp", args=[far.pk]), {"answer": "yes"})
    assert RSVP.objects.get(meeting=far, user=member).answer == RSVP.Answer.YES


def test_the_invitees_calendar_feed_carries_the_meeting(client, meeting, member):
    InviteeFactory(meeting=meeting, user=member)
    url = reverse("meetings:feed", args=[services.get_calendar_token(by=member).token])

    calendar = Calendar.from_ical(client.get(url).content)

    assert f"meeting-{meeting.pk}@smartregions.org" in {str(event["UID"]) for event in calendar.walk("VEVENT")}


@pytest.mark.parametrize("size", [3, 40])
def test_meeting_page_with_many_invitees_runs_a_fixed_number_of_queries(
    partnership_admin_client, meeting, coalition, size, django_assert_max_num_queries
):
    for index in range(size):
        user = UserFactory()
        MembershipFactory(user=user, coalition=coalition)
        InviteeFactory(meeting=meeting, user=user)
        if index % 2:
            RSVPFactory(meeting=meeting, user=user, answer=RSVP.Answer.MAYBE)

    with django_assert_max_num_queries(14):
        response = partnership_admin_client.get(meeting.get_absolute_url())

    assert len(response.context["invitees"]) == size
