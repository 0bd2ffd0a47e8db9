"""A meeting cancelled and then reinstated: those told it was cancelled hear once that it is back on."""

import datetime as dt

import pytest
from django.core import mail

from meetings import services as meetings
from notifications.mail import send_deliveries
from notifications.models import Delivery
from notifications.services import run_reminder_tick
from tests.factories import MembershipFactory, PreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(db):
    """A partnership admin who moves and cancels the meeting; reminders off, so every email counted
    below is a member's."""
    user = UserFactory(email="olga@example.org", is_staff=True)
    PreferenceFactory(user=user, wants_reminders=False)
    return user


def subjects(address):
    return [m.subject for m in mail.outbox if address in m.to]


@pytest.fixture
def told_cancelled(run, meeting_tomorrow, member, organizer):
    """Alice got the day-before reminder, then the cancellation notice."""
    run(run_reminder_tick)
    meetings.cancel_meeting(by=organizer, meeting=meeting_tomorrow)
    run(run_reminder_tick)
    assert subjects("alice@example.org")[-1].startswith("Cancelled:")
    return meeting_tomorrow


def test_reinstated_meeting_sends_one_back_on_notice_with_a_calendar_file(run, told_cancelled, member, organizer):
    meetings.reinstate_meeting(by=organizer, meeting=told_cancelled)

    run(run_reminder_tick)
    run(run_reminder_tick)

    back_on = [m for m in mail.outbox if m.subject.startswith("Back on:")]
    assert [m.subject for m in back_on] == ["Back on: Partnership monthly call, Wed 11 Nov 2026, 07:59 MST (Denver)"]
    assert "is back on: the cancellation is undone" in back_on[0].body
    assert "Was:" not in back_on[0].body  # same time as before: nothing moved
    assert back_on[0].attachments[0][0].endswith(".ics")
    assert "is back on" in back_on[0].alternatives[0][0]


def test_back_on_notice_goes_only_to_those_told_it_was_cancelled(run, told_cancelled, coalition, organizer):
    newcomer = UserFactory(email="newcomer@example.org")
    MembershipFactory(user=newcomer, coalition=coalition)

    meetings.reinstate_meeting(by=organizer, meeting=told_cancelled)
    run(run_reminder_tick)

    assert subjects("newcomer@example.org") == []
    assert Delivery.objects.filter(kind=Delivery.Kind.CHANGE, params__cancelled=False).count() == 1


def test_after_the_back_on_notice_the_hour_before_reminder_still_goes_out(run, frozen, told_cancelled, organizer):
    meetings.reinstate_meeting(by=organizer, meeting=told_cancelled)
    run(run_reminder_tick)

    frozen.move_to(told_cancelled.start - dt.timedelta(minutes=59))
    run(run_reminder_tick)

    assert subjects("alice@example.org")[-1].startswith("Reminder: Partnership monthly call in one hour")
    assert len(subjects("alice@example.org")) == 4  # reminder, cancelled, back on, reminder


def test_cancelled_again_after_reinstating_sends_a_second_cancellation(run, told_cancelled, organizer):
    meetings.reinstate_meeting(by=organizer, meeting=told_cancelled)
    run(run_reminder_tick)
    meetings.cancel_meeting(by=organizer, meeting=told_cancelled)

    run(run_reminder_tick)
    run(run_reminder_tick)

    assert [s.split(":")[0] for s in subjects("alice@example.org")] == ["Reminder", "Cancelled", "Back on", "Cancelled"]


def test_cancelled_and_reinstated_before_the_notice_went_out_sends_neither(
    run, meeting_tomorrow, member, django_capture_on_commit_callbacks, organizer
):
    run(run_reminder_tick)
    meetings.cancel_meeting(by=organizer, meeting=meeting_tomorrow)
    with django_capture_on_commit_callbacks(execute=False):
        run_reminder_tick()  # the cancellation notice is queued, not yet sent
    meetings.reinstate_meeting(by=organizer, meeting=meeting_tomorrow)

    run(run_reminder_tick)
    send_deliveries(keys=list(Delivery.objects.filter(kind=Delivery.Kind.CHANGE).values_list("key", flat=True)))

    assert subjects("alice@example.org") == [mail.outbox[0].subject]  # the reminder alone
    notice = Delivery.objects.get(kind=Delivery.Kind.CHANGE)
    assert notice.status == Delivery.Status.SKIPPED


def test_moved_after_a_back_on_notice_tells_the_new_time_once(run, told_cancelled, organizer):
    meetings.reinstate_meeting(by=organizer, meeting=told_cancelled)
    run(run_reminder_tick)
    new_start = told_cancelled.start + dt.timedelta(days=2)
    meetings.move_meeting(by=organizer, meeting=told_cancelled, start=new_start, end=new_start + dt.timedelta(hours=1))

    run(run_reminder_tick)
    run(run_reminder_tick)

    moved = "Moved: Partnership monthly call is now Fri 13 Nov 2026, 07:59 MST (Denver)"
    assert subjects("alice@example.org")[-1] == moved
    assert len(subjects("alice@example.org")) == 4
