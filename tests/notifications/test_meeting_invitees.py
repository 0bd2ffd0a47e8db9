"""Invitees by name: one invitation email each, the reminders (unless they said no), exactly once.

A one-off meeting with invitees (a working group) reminds its invitees and whoever answers yes or
maybe, not every member; a series' audience still decides for its occurrences, invitees added.
"""

import email

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services as meeting_services
from meetings.models import RSVP, MeetingSeries
from notifications import tasks
from notifications.models import Delivery
from notifications.services import run_reminder_tick
from tests.factories import (
    InviteeFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MembershipFactory,
    RSVPFactory,
    UserFactory,
)
from tests.factories.notifications import PreferenceFactory

pytestmark = pytest.mark.django_db


def to(address):
    return [m for m in mail.outbox if address in m.to]


def members(coalition, count, *, prefix="m"):
    users = [UserFactory(email=f"{prefix}{i}@example.org") for i in range(count)]
    for user in users:
        MembershipFactory(user=user, coalition=coalition)
    return users


# --- The invitation -------------------------------------------------------------------------------


def test_an_invitee_gets_one_invitation_with_rsvp_links_and_the_calendar_file(
    run, frozen, partnership_admin, member, meeting_tomorrow
):
    run(meeting_services.invite_members, by=partnership_admin, meeting=meeting_tomorrow, users=[member])
    run(meeting_services.invite_members, by=partnership_admin, meeting=meeting_tomorrow, users=[member])

    (message,) = to("alice@example.org")
    assert message.subject.startswith("You are invited: Partnership monthly call")
    assert "Dana Diaz invited you" in message.body
    assert f"http://testserver/meetings/{meeting_tomorrow.pk}/?rsvp=yes" in message.body
    parsed = email.message_from_bytes(message.message().as_bytes())
    assert [part.get_content_type() for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert Delivery.objects.get(kind=Delivery.Kind.INVITED).key == f"invited:{meeting_tomorrow.pk}:{member.pk}"


def test_removed_and_invited_again_a_member_is_not_emailed_twice(
    run, frozen, partnership_admin, member, meeting_tomorrow
):
    run(meeting_services.set_invitees, by=partnership_admin, meeting=meeting_tomorrow, users=[member])
    run(meeting_services.set_invitees, by=partnership_admin, meeting=meeting_tomorrow, users=[])
    run(meeting_services.set_invitees, by=partnership_admin, meeting=meeting_tomorrow, users=[member])

    assert len(to("alice@example.org")) == 1
    assert meeting_tomorrow.invitees.count() == 1


def test_an_invitation_waiting_when_the_invitee_is_removed_is_skipped(
    run, frozen, partnership_admin, member, meeting_tomorrow, django_capture_on_commit_callbacks
):
    # The invitation is queued but its sending waits (the broker is slow); meanwhile the admin removes her.
    with django_capture_on_commit_callbacks() as waiting:
        meeting_services.invite_members(by=partnership_admin, meeting=meeting_tomorrow, users=[member])
    meeting_services.set_invitees(by=partnership_admin, meeting=meeting_tomorrow, users=[])
    with django_capture_on_commit_callbacks(execute=True):
        for callback in waiting:
            callback()

    assert mail.outbox == []
    assert Delivery.objects.get(kind=Delivery.Kind.INVITED).status == Delivery.Status.SKIPPED


def test_the_invitation_is_sent_whatever_the_reminder_settings(
    run, frozen, partnership_admin, member, meeting_tomorrow
):
    PreferenceFactory(user=member, wants_reminders=False)

    run(meeting_services.invite_members, by=partnership_admin, meeting=meeting_tomorrow, users=[member])

    assert len(to("alice@example.org")) == 1


# --- Reminders ------------------------------------------------------------------------------------


def test_a_one_off_meeting_with_invitees_reminds_them_once_not_every_member(run, meeting_tomorrow, coalition, member):
    InviteeFactory(meeting=meeting_tomorrow, user=member)
    bystander, coming = members(coalition, 2)
    RSVPFactory(meeting=meeting_tomorrow, user=coming, answer=RSVP.Answer.MAYBE)

    run(run_reminder_tick)
    run(run_reminder_tick)  # the next minute's tick: the marker says it is done

    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, coming.email])
    assert Delivery.objects.filter(kind=Delivery.Kind.REMINDER).count() == 2
    assert to(bystander.email) == []


def test_the_beat_tick_hands_invitees_reminders_to_the_workers_once(run, meeting_tomorrow, coalition, settings):
    settings.NOTIFICATIONS_CHUNK_SIZE = 2
    invited = members(coalition, 5, prefix="inv")
    for user in invited:
        InviteeFactory(meeting=meeting_tomorrow, user=user)
    members(coalition, 3, prefix="other")

    run(tasks.tick_reminders.apply)
    run(tasks.tick_reminders.apply)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in invited)


def test_an_invitee_who_declined_gets_no_reminder(run, meeting_tomorrow, member, other_member):
    InviteeFactory(meeting=meeting_tomorrow, user=member)
    InviteeFactory(meeting=meeting_tomorrow, user=other_member)
    RSVPFactory(meeting=meeting_tomorrow, user=member, answer=RSVP.Answer.NO)

    run(run_reminder_tick)

    assert to("alice@example.org") == []
    assert len(to("charlie@example.org")) == 1


def test_an_invitee_of_an_rsvped_audience_series_meeting_gets_its_reminder(run, meeting_tomorrow, coalition, member):
    meeting_tomorrow.series = MeetingSeriesFactory(reminder_audience=MeetingSeries.Audience.RSVPED)
    meeting_tomorrow.save()
    InviteeFactory(meeting=meeting_tomorrow, user=member)
    (bystander,) = members(coalition, 1)

    run(run_reminder_tick)

    assert [m.to[0] for m in mail.outbox] == [member.email]


def test_a_meeting_without_invitees_still_reminds_every_member(run, meeting_tomorrow, member, other_member):
    run(run_reminder_tick)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, other_member.email])


@pytest.mark.parametrize("size", [3, 30])
def test_the_reminder_recipients_of_a_meeting_with_invitees_cost_the_same_at_any_size(
    size, meeting_tomorrow, coalition, settings
):
    from notifications.services import reminder_recipients

    for user in members(coalition, size):
        InviteeFactory(meeting=meeting_tomorrow, user=user)

    with CaptureQueriesContext(connection) as queries:
        recipients = reminder_recipients(meeting=meeting_tomorrow, lead="1d")

    assert len(recipients) == size
    assert len(queries) == 1


def test_the_invitation_of_a_meeting_moved_since_is_followed_by_a_change_notice(
    run, frozen, partnership_admin, member, meeting_tomorrow
):
    import datetime as dt

    far = MeetingFactory(
        start=meeting_tomorrow.start + dt.timedelta(days=20), end=meeting_tomorrow.end + dt.timedelta(days=20)
    )
    run(meeting_services.invite_members, by=partnership_admin, meeting=far, users=[member])
    meeting_services.move_meeting(
        by=partnership_admin, meeting=far, start=far.start + dt.timedelta(hours=2), end=far.end + dt.timedelta(hours=2)
    )

    run(run_reminder_tick)

    subjects = [m.subject.split(":")[0] for m in to("alice@example.org") if "1 Dec" in m.subject]
    assert subjects == ["You are invited", "Moved"]
