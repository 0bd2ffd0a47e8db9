"""The whole demo as ``seed_demo`` leaves it, seeded once for the module at ``NOW`` (each test runs in a
savepoint of it): the office hours' reminder, the digests, and seeding again."""

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from celery.signals import beat_init
from django.core import mail
from django.core.management import call_command

from meetings.models import Meeting
from notifications import demo, services, tasks  # noqa: F401  (tasks connects the beat_init receiver, as the worker's autodiscovery does)
from notifications.models import Delivery, Preference
from tests.conftest import kept_for_the_module
from tests.notifications.conftest import NOW, subjects

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("notifications-demo")]


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """What ``seed_demo`` printed; its rows stay for the module. Its after-commit work is not run, as in a
    test that calls it."""
    yield from kept_for_the_module(django_db_blocker, tmp_path_factory, seed_demo, at=NOW, after_commit=False)


@pytest.fixture
def seeded(seeded_once, frozen):
    return seeded_once


def test_a_fresh_demo_sends_a_reminder_and_digests_within_minutes(run, frozen, seeded):
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


def test_seeding_again_reuses_the_upcoming_office_hours_and_sends_nothing_twice(run, frozen, seeded):
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


def test_a_day_later_the_demo_schedules_new_office_hours(frozen, seeded):
    first = Meeting.objects.get(title=demo.OFFICE_HOURS_TITLE)

    frozen.move_to(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    seed_demo()

    second = Meeting.objects.exclude(pk=first.pk).get(title=demo.OFFICE_HOURS_TITLE)
    assert dt.timedelta(minutes=61) <= second.start - dt.datetime.now(dt.UTC) < dt.timedelta(minutes=62)


def test_the_demo_sends_no_follow_ups_for_meetings_held_months_ago(run, frozen, seeded):

    run(services.run_reminder_tick)

    assert not subjects("Minutes:")
    # The three calls with agendas and the two years of calls before them, all with minutes posted long ago.
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert held.count() > 3 and not held.filter(minutes_posted_at=None).exists()


def test_digests_due_go_out_as_soon_as_beat_starts(run, frozen, seeded):

    run(beat_init.send, sender=None)

    assert subjects("Your weekly digest")


def test_seed_demo_prints_the_office_hours_in_the_zone_it_names_and_when_the_reminder_is_due(seeded, settings):

    meeting = Meeting.objects.get(title=demo.OFFICE_HOURS_TITLE)
    local = meeting.start.astimezone(meeting.zone)
    admin = meeting.start.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    printed = seeded
    assert f"{local:%H:%M} {local.tzname()} ({meeting.time_zone}" in printed
    assert f"{admin:%H:%M} {admin.tzname()} in the admin, TIME_ZONE {settings.TIME_ZONE}" in printed
    assert "its one-hour reminder falls due in 1 minute;" in printed  # NOW is 15:00:00 on the dot
