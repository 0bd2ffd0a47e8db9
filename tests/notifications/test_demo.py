import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from celery.signals import beat_init
from django.core import mail
from django.core.management import call_command

from coalitions import demo as coalitions_demo
from meetings.models import Meeting
from notifications import demo, services, tasks  # noqa: F401  (tasks connects the beat_init receiver, as the worker's autodiscovery does)
from notifications.models import Delivery, Preference
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


def test_demo_gives_everyone_preferences_with_a_monthly_and_a_focused_reader_and_is_idempotent(frozen):
    people = seed_office_hours()

    demo.seed(people=people, stdout=StringIO())

    assert Preference.objects.count() == len(people.everyone)
    assert Preference.objects.filter(digest_frequency="monthly").count() == 1
    assert Preference.objects.filter(focus_areas__isnull=False).distinct().count() == 1
    assert not Preference.objects.filter(digest_frequency="weekly", next_digest_at__isnull=True).exists()


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def seed_office_hours():
    """What the demo's office hours and their reminder rest on, as ``seed_demo`` seeds it: the people, their
    email preferences and the session (the practices and meetings seeded around them change neither)."""
    FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")
    people = coalitions_demo.seed(stdout=StringIO())
    demo.seed(people=people, stdout=StringIO())
    return people


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
    assert dt.timedelta(minutes=61) <= second.start - dt.datetime.now(dt.UTC) < dt.timedelta(minutes=62)


def test_the_demo_sends_no_follow_ups_for_meetings_held_months_ago(run, frozen):
    seed_demo()

    run(services.run_reminder_tick)

    assert not subjects("Minutes:")
    # The three calls with agendas and the two years of calls before them, all with minutes posted long ago.
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert held.count() > 3 and not held.filter(minutes_posted_at=None).exists()


def test_digests_due_go_out_as_soon_as_beat_starts(run, frozen):
    seed_demo()

    run(beat_init.send, sender=None)

    assert subjects("Your weekly digest")


# Seeding at any second of a minute (and on either side of a five-minute mark), then the server and
# the worker starting a little later, as `make run` does after migrating and collecting static files.
@pytest.mark.parametrize("seeded_at", ["16:00:00", "16:00:01", "16:04:59", "16:07:30", "16:09:59"])
@pytest.mark.parametrize("server_starts_after", [dt.timedelta(seconds=5), dt.timedelta(seconds=90)])
def test_the_demo_reminder_arrives_within_five_minutes_of_the_server_starting(
    run, frozen, seeded_at, server_starts_after
):
    seeded = dt.datetime.fromisoformat(f"2026-11-17T{seeded_at}+00:00")
    frozen.move_to(seeded)
    seed_office_hours()
    started = seeded + server_starts_after

    # Beat ticks the reminders as it starts, then once a minute.
    arrived = None
    for minute in range(6):
        frozen.move_to(started + dt.timedelta(minutes=minute))
        run(beat_init.send, sender=None) if minute == 0 else run(services.run_reminder_tick)
        if subjects("Reminder: Drop-in office hours in one hour"):
            arrived = minute
            break

    assert arrived is not None and arrived <= 5, "no reminder within five minutes of the server starting"


def test_seed_demo_prints_the_office_hours_in_the_zone_it_names_and_when_the_reminder_is_due(frozen, settings):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    meeting = Meeting.objects.get(title=demo.OFFICE_HOURS_TITLE)
    local = meeting.start.astimezone(meeting.zone)
    admin = meeting.start.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    printed = out.getvalue()
    assert f"{local:%H:%M} {local.tzname()} ({meeting.time_zone}" in printed
    assert f"{admin:%H:%M} {admin.tzname()} in the admin, TIME_ZONE {settings.TIME_ZONE}" in printed
    assert "its one-hour reminder falls due in 1 minute;" in printed  # NOW is 15:00:00 on the dot


def test_the_readme_says_when_the_demo_reminder_arrives_and_which_zone_the_admin_shows(settings):
    readme = " ".join((settings.BASE_DIR / "README.md").read_text(encoding="utf-8").split())
    assert "within about three minutes of `make run`" in readme
    assert f"`TIME_ZONE`, which is `{settings.TIME_ZONE}`" in readme
