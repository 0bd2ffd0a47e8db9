"""Meeting reminders: who gets which, when, what they say; moves, cancellations, nudges, follow-ups."""

import datetime as dt
import email

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import RSVP, Meeting, MeetingSeries
from notifications.models import Delivery
from notifications.services import due_reminders, run_reminder_tick
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MembershipFactory,
    PracticeFactory,
    RSVPFactory,
    UserFactory,
)
from tests.factories.notifications import PreferenceFactory

pytestmark = pytest.mark.django_db


def to(address):
    return [m for m in mail.outbox if address in m.to]


def html_of(message):
    return message.alternatives[0][0]


def test_day_before_reminder_goes_to_every_member_with_time_video_agenda_and_rsvp_links(
    run, meeting_tomorrow, member, coalition
):
    practice = PracticeFactory(title="Smart streetlight RFP", slug="smart-streetlight-rfp", coalition=coalition)
    AgendaItemFactory(meeting=meeting_tomorrow, title="Streetlights in Boulder", practice=practice)

    run(run_reminder_tick)

    (message,) = to("alice@example.org")
    assert message.subject.startswith("Reminder: Partnership monthly call tomorrow")
    # Alice has no zone of her own: her coalition's (Denver), the meeting's too. 14:59 UTC is 07:59 MST.
    assert "Wed 11 Nov 2026, 07:59 MST (Denver)" in message.body
    assert "https://meet.example.org/partnership" in message.body
    assert "http://testserver/practices/smart-streetlight-rfp/" in html_of(message)
    meeting_url = f"http://testserver/meetings/{meeting_tomorrow.pk}/"
    for answer in ("yes", "maybe", "no"):
        assert f"{meeting_url}?rsvp={answer}" in message.body


def test_reminder_carries_an_ics_attachment_for_the_meeting(run, meeting_tomorrow, member):
    run(run_reminder_tick)

    (message,) = to("alice@example.org")
    parsed = email.message_from_bytes(message.message().as_bytes())
    (attachment,) = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    ics = attachment.get_payload(decode=True).decode()
    assert "BEGIN:VEVENT" in ics
    assert "SUMMARY:Partnership monthly call" in ics
    assert "TZID=America/Denver" in ics


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/Phoenix", "Wed 11 Nov 2026, 07:59 MST (your time and Denver)"),
        ("America/New_York", "Wed 11 Nov 2026, 09:59 EST (your time) · 07:59 MST (Denver)"),
    ],
)
def test_reminder_shows_the_time_in_the_recipients_own_zone(run, meeting_tomorrow, coalition, zone, expected):
    user = UserFactory(email="zoned@example.org", profile__time_zone=zone)
    MembershipFactory(user=user, coalition=coalition)

    run(run_reminder_tick)

    (message,) = to("zoned@example.org")
    assert expected in message.body
    assert expected in html_of(message)


def test_phoenix_keeps_mst_in_summer_while_new_york_moves_to_edt(run, frozen, coalition):
    frozen.move_to(dt.datetime(2026, 7, 14, 15, 0, tzinfo=dt.UTC))
    start = timezone.now() + dt.timedelta(hours=1)
    MeetingFactory(start=start, end=start + dt.timedelta(hours=1))
    for address, zone in [("phx@example.org", "America/Phoenix"), ("nyc@example.org", "America/New_York")]:
        MembershipFactory(user=UserFactory(email=address, profile__time_zone=zone), coalition=coalition)

    run(run_reminder_tick)

    assert "Tue 14 Jul 2026, 09:00 MST (your time) · 10:00 MDT (Denver)" in to("phx@example.org")[0].body
    assert "Tue 14 Jul 2026, 12:00 EDT (your time) · 10:00 MDT (Denver)" in to("nyc@example.org")[0].body


def test_hour_before_reminder_is_its_own_email(run, frozen, meeting_tomorrow, member):
    run(run_reminder_tick)
    frozen.move_to(meeting_tomorrow.start - dt.timedelta(minutes=59))
    run(run_reminder_tick)

    subjects = [m.subject for m in to("alice@example.org")]
    assert len(subjects) == 2
    assert "in one hour" in subjects[1]


def test_only_the_due_lead_is_sent_for_a_meeting_created_at_short_notice(run, frozen, member):
    start = timezone.now() + dt.timedelta(minutes=50)
    MeetingFactory(start=start, end=start + dt.timedelta(hours=1))

    run(run_reminder_tick)

    assert [m.subject.split(" — ")[0] for m in to("alice@example.org")] == [
        "Reminder: Partnership monthly call in one hour"
    ]


def test_due_reminders_skip_started_cancelled_and_not_yet_due_meetings(frozen):
    now = timezone.now()
    due = MeetingFactory(start=now + dt.timedelta(minutes=59), end=now + dt.timedelta(hours=2))
    MeetingFactory(start=now - dt.timedelta(minutes=5), end=now + dt.timedelta(minutes=55))
    MeetingFactory(
        start=now + dt.timedelta(minutes=59), end=now + dt.timedelta(hours=2), status=Meeting.Status.CANCELLED
    )
    MeetingFactory(start=now + dt.timedelta(hours=3), end=now + dt.timedelta(hours=4))

    assert due_reminders(now=now) == [(due, "1h")]


def test_members_choose_their_leads_or_turn_reminders_off(run, meeting_tomorrow, member, coalition_admin, other_member):
    PreferenceFactory(user=member, reminder_leads=["1h"])
    PreferenceFactory(user=coalition_admin, wants_reminders=False)

    run(run_reminder_tick)

    assert [address for m in mail.outbox for address in m.to] == ["charlie@example.org"]


def test_rsvped_audience_reminds_only_yes_and_maybe(run, meeting_tomorrow, member, coalition_admin, other_member):
    series = MeetingSeriesFactory(reminder_audience=MeetingSeries.Audience.RSVPED)
    Meeting.objects.filter(pk=meeting_tomorrow.pk).update(series=series, occurrence_date=dt.date(2026, 11, 11))
    RSVPFactory(meeting=meeting_tomorrow, user=member, answer=RSVP.Answer.YES)
    RSVPFactory(meeting=meeting_tomorrow, user=coalition_admin, answer=RSVP.Answer.MAYBE)

    run(run_reminder_tick)

    assert sorted(a for m in mail.outbox for a in m.to) == ["alice@example.org", "bob@example.org"]


def test_all_members_audience_leaves_out_those_who_said_no(run, meeting_tomorrow, member, coalition_admin, outsider):
    RSVPFactory(meeting=meeting_tomorrow, user=coalition_admin, answer=RSVP.Answer.NO)

    run(run_reminder_tick)

    # Erin belongs to no coalition: no meeting reminders either.
    assert [a for m in mail.outbox for a in m.to] == ["alice@example.org"]


def test_moved_meeting_gets_one_change_notice_and_a_reminder_at_the_new_time(run, frozen, meeting_tomorrow, member):
    run(run_reminder_tick)
    new_start = meeting_tomorrow.start + dt.timedelta(days=2)
    Meeting.objects.filter(pk=meeting_tomorrow.pk).update(
        start=new_start, end=new_start + dt.timedelta(hours=1), sequence=1
    )

    run(run_reminder_tick)
    run(run_reminder_tick)

    subjects = [m.subject for m in to("alice@example.org")]
    assert len(subjects) == 2
    assert subjects[1] == "Moved: Partnership monthly call is now Fri 13 Nov 2026, 07:59 MST (Denver)"
    notice = to("alice@example.org")[1]
    assert "Wed 11 Nov 2026, 07:59 MST (Denver)" in notice.body  # what it was
    assert Delivery.objects.filter(
        kind=Delivery.Kind.CHANGE, key=f"change:{meeting_tomorrow.pk}:{member.pk}:1"
    ).exists()

    frozen.move_to(new_start - dt.timedelta(days=1) + dt.timedelta(minutes=1))
    run(run_reminder_tick)

    assert to("alice@example.org")[2].subject.startswith("Reminder: Partnership monthly call tomorrow — Fri 13 Nov")


def test_a_reminder_queued_before_a_move_is_not_sent_for_the_old_time(
    run, meeting_tomorrow, member, django_capture_on_commit_callbacks
):
    from notifications.mail import send_deliveries

    with django_capture_on_commit_callbacks(execute=False):
        run_reminder_tick()
    Meeting.objects.filter(pk=meeting_tomorrow.pk).update(
        start=meeting_tomorrow.start + dt.timedelta(hours=2), end=meeting_tomorrow.end + dt.timedelta(hours=2)
    )

    send_deliveries(keys=list(Delivery.objects.values_list("key", flat=True)))

    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_cancelled_meeting_notifies_only_those_who_got_a_reminder(run, meeting_tomorrow, member, coalition):
    run(run_reminder_tick)
    latecomer = UserFactory(email="late@example.org")
    MembershipFactory(user=latecomer, coalition=coalition)
    Meeting.objects.filter(pk=meeting_tomorrow.pk).update(status=Meeting.Status.CANCELLED, sequence=1)

    run(run_reminder_tick)
    run(run_reminder_tick)

    assert [m.subject for m in mail.outbox][1:] == [
        "Cancelled: Partnership monthly call (Wed 11 Nov 2026, 07:59 MST (Denver))"
    ]
    assert to("late@example.org") == []


def test_cancellation_notice_carries_the_cancelled_calendar_event(run, meeting_tomorrow, member):
    run(run_reminder_tick)
    Meeting.objects.filter(pk=meeting_tomorrow.pk).update(status=Meeting.Status.CANCELLED, sequence=1)

    run(run_reminder_tick)

    notice = mail.outbox[-1]
    assert notice.subject.startswith("Cancelled:")
    [(filename, content, mimetype)] = notice.attachments
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    # The same UID as the reminder's file, so a calendar that imported it drops the event.
    assert str(event["UID"]) == f"meeting-{meeting_tomorrow.pk}@smartregions.org"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_organizers_get_one_minutes_nudge_a_day_after_the_meeting(
    run, frozen, coalition, member, coalition_admin, partnership_admin
):
    creator = UserFactory(email="creator@example.org")
    series = MeetingSeriesFactory(created_by=creator)
    start = timezone.now() - dt.timedelta(days=1, hours=2)
    meeting = MeetingFactory(
        start=start,
        end=start + dt.timedelta(hours=1),
        host_coalition=coalition,
        series=series,
        occurrence_date=start.date(),
    )

    run(run_reminder_tick)
    run(run_reminder_tick)

    nudged = sorted(a for m in mail.outbox for a in m.to)
    assert nudged == ["bob@example.org", "creator@example.org", "dana@example.org"]
    assert mail.outbox[0].subject == "Minutes for Partnership monthly call?"
    assert f"http://testserver/meetings/{meeting.pk}/" in mail.outbox[0].body


@pytest.mark.parametrize(("ended_days_ago", "said"), [(1, "ended a day ago"), (6, "ended 6 days ago")])
def test_the_minutes_nudge_says_how_long_ago_the_meeting_really_ended(
    run, frozen, coalition, coalition_admin, ended_days_ago, said
):
    end = timezone.now() - dt.timedelta(days=ended_days_ago, hours=2)
    MeetingFactory(start=end - dt.timedelta(hours=1), end=end, host_coalition=coalition)

    run(run_reminder_tick)

    (nudge,) = [m for m in mail.outbox if m.subject.startswith("Minutes for")]
    assert said in nudge.body and said in html_of(nudge)
    assert "ended a day ago" not in nudge.body or ended_days_ago == 1


def test_no_nudge_when_minutes_are_posted(run, frozen, coalition, coalition_admin):
    start = timezone.now() - dt.timedelta(days=1, hours=2)
    MeetingFactory(
        start=start,
        end=start + dt.timedelta(hours=1),
        host_coalition=coalition,
        minutes="Done.",
        minutes_posted_at=start + dt.timedelta(hours=2),
    )

    run(run_reminder_tick)

    assert [m.subject for m in mail.outbox if m.subject.startswith("Minutes for")] == []


def test_posted_minutes_bring_one_follow_up_to_yes_and_maybe(run, frozen, member, coalition_admin, other_member):
    start = timezone.now() - dt.timedelta(hours=5)
    meeting = MeetingFactory(
        start=start,
        end=start + dt.timedelta(hours=1),
        minutes="## Decisions\n\nPilot <script>x</script> approved.",
        minutes_posted_at=timezone.now() - dt.timedelta(minutes=3),
        recording_link="https://video.example.org/rec/42",
    )
    RSVPFactory(meeting=meeting, user=member, answer=RSVP.Answer.YES)
    RSVPFactory(meeting=meeting, user=coalition_admin, answer=RSVP.Answer.MAYBE)
    RSVPFactory(meeting=meeting, user=other_member, answer=RSVP.Answer.NO)

    run(run_reminder_tick)
    run(run_reminder_tick)

    assert sorted(a for m in mail.outbox for a in m.to) == ["alice@example.org", "bob@example.org"]
    html = html_of(mail.outbox[0])
    assert "<h2>Decisions</h2>" in html
    assert "<script>" not in html
    assert "https://video.example.org/rec/42" in mail.outbox[0].body
