import datetime as dt
from io import StringIO

import pytest
from celery.signals import beat_init
from django.core import mail
from django.core.management import call_command

from coalitions import demo as coalitions_demo
from meetings.models import Meeting
from notifications import demo, services
from notifications.models import Delivery, Preference
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


def test_demo_gives_everyone_preferences_with_a_monthly_and_a_focused_reader_and_is_idempotent(frozen):
    FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")
    people = coalitions_demo.seed(stdout=StringIO())

    demo.seed(people=people, stdout=StringIO())
    demo.seed(people=people, stdout=StringIO())

    assert Preference.objects.count() == len(people.everyone)
    assert Preference.objects.filter(digest_frequency="monthly").count() == 1
    assert Preference.objects.filter(focus_areas__isnull=False).distinct().count() == 1
    assert not Preference.objects.filter(digest_frequency="weekly", next_digest_at__isnull=True).exists()


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def subjects(prefix):
    return [message.subject for message in mail.outbox if message.subject.startswith(prefix)]


def test_a_fresh_demo_sends_a_reminder_and_digests_within_minutes(run, frozen):
    seed_demo()
    everyone = Preference.objects.count()

    frozen.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))
    run(services.run_reminder_tick)
    run(services.run_digest_tick)

    reminders = subjects("Reminder: Drop-in office hours in one hour")
    assert len(reminders) == everyone  # every demo person wants reminders; nobody said no
    digests = subjects("Your weekly digest") + subjects("Your monthly digest")
    assert len(digests) >= everyone // 2  # some have nothing new in their focus areas
    assert subjects("Your monthly digest")
    reminder = next(m for m in mail.outbox if m.subject.startswith("Reminder"))
    assert reminder.attachments and reminder.attachments[0][0].endswith(".ics")


def test_seeding_again_reuses_the_upcoming_office_hours_and_sends_nothing_twice(run, frozen):
    seed_demo()
    frozen.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))
    run(services.run_reminder_tick)
    run(services.run_digest_tick)
    sent = len(mail.outbox)

    seed_demo()
    run(services.run_reminder_tick)
    run(services.run_digest_tick)

    assert Meeting.objects.filter(title=demo.OFFICE_HOURS_TITLE).count() == 1
    assert len(mail.outbox) == sent
    assert Delivery.objects.filter(kind=Delivery.Kind.DIGEST, status=Delivery.Status.SENT).count() == len(
        subjects("Your ")
    )


def test_a_day_later_the_demo_schedules_new_office_hours(frozen):
    seed_demo()
    first = Meeting.objects.get(title=demo.OFFICE_HOURS_TITLE)

    frozen.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    seed_demo()

    second = Meeting.objects.exclude(pk=first.pk).get(title=demo.OFFICE_HOURS_TITLE)
    assert dt.timedelta(minutes=65) <= second.start - dt.datetime.now(dt.UTC) < dt.timedelta(minutes=70)


def test_the_demo_sends_no_follow_ups_for_meetings_held_months_ago(run, frozen):
    seed_demo()

    run(services.run_reminder_tick)

    assert not subjects("Minutes:")
    assert Meeting.objects.filter(minutes_posted_at__isnull=False).count() == 3


def test_digests_due_go_out_as_soon_as_beat_starts(run, frozen):
    seed_demo()

    run(beat_init.send, sender=None)

    assert subjects("Your weekly digest")
