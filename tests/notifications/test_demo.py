import datetime as dt
from io import StringIO

import pytest
from celery.signals import beat_init

from coalitions import demo as coalitions_demo
from notifications import demo, services, tasks  # noqa: F401  (tasks connects the beat_init receiver, as the worker's autodiscovery does)
from notifications.models import Preference
from tests.factories import FocusAreaFactory
from tests.notifications.conftest import subjects

pytestmark = pytest.mark.django_db


def test_demo_gives_everyone_preferences_with_a_monthly_and_a_focused_reader_and_is_idempotent(frozen):
    people = seed_office_hours()

    demo.seed(people=people, stdout=StringIO())

    assert Preference.objects.count() == len(people.everyone)
    assert Preference.objects.filter(digest_frequency="monthly").count() == 1
    assert Preference.objects.filter(focus_areas__isnull=False).distinct().count() == 1
    assert not Preference.objects.filter(digest_frequency="weekly", next_digest_at__isnull=True).exists()


def seed_office_hours():
    """What the demo's office hours and their reminder rest on, as ``seed_demo`` seeds it: the people, their
    email preferences and the session (the practices and meetings seeded around them change neither)."""
    FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")
    people = coalitions_demo.seed(stdout=StringIO())
    demo.seed(people=people, stdout=StringIO())
    return people


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


def test_the_readme_says_when_the_demo_reminder_arrives_and_which_zone_the_admin_shows(settings):
    readme = " ".join((settings.BASE_DIR / "README.md").read_text(encoding="utf-8").split())
    assert "within about three minutes of `make run`" in readme
    assert f"`TIME_ZONE`, which is `{settings.TIME_ZONE}`" in readme
