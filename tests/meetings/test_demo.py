"""The demo: the partnership's monthly series with three held meetings whose agendas link real demo
practices, RSVPs, and a Colorado session that ended without minutes. Safe to re-run."""

import io
import zoneinfo

import pytest
from django.urls import reverse

from coalitions import demo as coalitions_demo
from meetings import demo
from meetings.models import RSVP, Meeting, MeetingSeries
from practices import demo as practices_demo
from practices.models import Practice
from tests.conftest import kept_for_the_module
from tests.meetings.conftest import NOW

# One process seeds the demo once for the module's tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("meetings-demo")]


def _seed():
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    practices = practices_demo.seed(people=people, stdout=out)
    demo.seed(people=people, practices=practices, stdout=out)
    return people, practices


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from kept_for_the_module(django_db_blocker, tmp_path_factory, _seed, at=NOW, after_commit=False)


@pytest.fixture
def seeded(seeded_once, frozen_now):
    """The whole demo, as ``seed_demo`` runs it at ``NOW``: people, practices, meetings."""
    return seeded_once


def held_meetings():
    """The three held calls the demo gives agendas (the two years before them have minutes only)."""
    held = Meeting.objects.filter(series__title=demo.SERIES_TITLE, status=Meeting.Status.HELD)
    return list(held.filter(agenda_items__isnull=False).distinct().order_by("start"))


def test_two_years_of_calls_before_them_are_held_with_growing_attendance(seeded):
    history = list(
        Meeting.objects.filter(series__title=demo.SERIES_TITLE, status=Meeting.Status.HELD, agenda_items=None).order_by(
            "start"
        )
    )
    assert len(history) >= 20 and all(m.minutes and m.minutes_posted_at for m in history)
    assert history[0].start < held_meetings()[0].start
    yes = [m.rsvps.filter(answer="yes").count() for m in history]
    assert yes[0] < yes[-1]


def test_seed_creates_the_monthly_series_and_is_idempotent(seeded):
    people, practices = seeded
    counts = (MeetingSeries.objects.count(), Meeting.objects.count(), RSVP.objects.count())
    sequences = dict(Meeting.objects.values_list("pk", "sequence"))
    demo.seed(people=people, practices=practices, stdout=io.StringIO())
    assert (MeetingSeries.objects.count(), Meeting.objects.count(), RSVP.objects.count()) == counts
    assert dict(Meeting.objects.values_list("pk", "sequence")) == sequences  # nothing rewritten

    series = MeetingSeries.objects.get()
    assert series.created_by == people.partnership_admin
    assert series.rule_description == "Second Tuesday of every month, 11:00 (America/Denver)"
    held = held_meetings()
    assert len(held) == 3
    assert all(m.minutes and m.agenda_items.exists() for m in held)
    denver = zoneinfo.ZoneInfo("America/Denver")
    assert {m.start.astimezone(denver).strftime("%a %H:%M") for m in series.meetings.all()} == {"Tue 11:00"}
    upcoming = series.meetings.upcoming().filter(status=Meeting.Status.SCHEDULED)
    assert upcoming.count() == 12
    assert upcoming.first().rsvps.count() == len(people.everyone)
    assert upcoming.first().agenda_items.exclude(practice=None).count() == 2


def test_held_agendas_link_the_practices_they_name_presented_by_their_coalitions(seeded):
    _, practices = seeded
    items = [item for meeting in held_meetings() for item in meeting.agenda_items.exclude(practice=None)]
    assert {item.practice.slug for item in items} == {
        "curb-management-loading-zones",
        "ransomware-tabletop-exercise-kit",
        "digital-navigator-program",
        "phoenix-heat-sensor-network",
        "flood-sensor-network-sea-level-rise",
        "streetlight-led-retrofit-performance-contract",
    }
    assert all(item.presenting_coalition == item.practice.coalition for item in items)
    # Minutes were posted the day after each call, not when the demo ran.
    assert all(m.minutes_posted_at.date() > m.start.date() for m in held_meetings())


def test_a_members_only_practice_on_a_demo_agenda_stays_hidden_from_visitors(seeded, client):
    secret = Practice.objects.get(slug="ransomware-tabletop-exercise-kit")
    assert secret.visibility == Practice.Visibility.MEMBERS
    meeting = secret.agenda_items.get().meeting
    visitor_page = client.get(meeting.get_absolute_url()).content.decode()
    assert secret.title not in visitor_page and secret.get_absolute_url() not in visitor_page
    assert "Practice shared with members" in visitor_page
    client.force_login(seeded[0].members["florida"][0])
    member_page = client.get(meeting.get_absolute_url()).content.decode()
    assert secret.title in member_page and secret.get_absolute_url() in member_page


def test_a_demo_practice_page_lists_the_meeting_it_was_presented_at(seeded, client):
    practice = Practice.objects.get(slug="curb-management-loading-zones")
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "Presented at" in page
    for item in practice.agenda_items.all():
        assert item.meeting.get_absolute_url() in page


def test_archive_search_and_focus_area_filter_work_on_the_demo(seeded, client):
    by_text = client.get(reverse("meetings:archive"), {"q": "loading zones"}).context["page"]
    assert [m.agenda_items.first().meeting for m in by_text] == [held_meetings()[0]]
    by_area = client.get(reverse("meetings:archive"), {"area": "cybersecurity"}).context["page"]
    assert [m.pk for m in by_area] == [held_meetings()[0].pk]
    both = client.get(reverse("meetings:archive"), {"q": "sensors", "area": "sustainability"}).context["page"]
    assert {m.pk for m in both} == {held_meetings()[1].pk, held_meetings()[2].pk}


def test_the_colorado_session_that_ended_prompts_its_organizers_for_minutes(seeded, client):
    people, _ = seeded
    ended = Meeting.objects.get(title=demo.PAST_ONE_OFF_TITLE)
    assert ended.needs_minutes() and ended.agenda_items.exists() and ended.rsvps.exists()
    client.force_login(people.admins["colorado"])
    assert "has no minutes yet" in client.get(ended.get_absolute_url()).content.decode()
    listing = client.get(reverse("meetings:list")).content.decode()
    assert "Waiting for minutes" in listing and reverse("meetings:minutes", args=[ended.pk]) in listing
    client.force_login(people.members["colorado"][0])
    assert "has no minutes yet" not in client.get(ended.get_absolute_url()).content.decode()


def test_a_rerun_relinks_an_older_demo_agenda_but_leaves_an_organizers_own(seeded):
    people, practices = seeded
    older, rewritten = held_meetings()[:2]
    older.agenda_items.update(practice=None)
    rewritten.agenda_items.all().delete()
    rewritten.agenda_items.create(order=1, title="Our own agenda")
    demo.seed(people=people, practices=practices, stdout=io.StringIO())
    assert older.agenda_items.exclude(practice=None).count() == 2
    assert [i.title for i in rewritten.agenda_items.all()] == ["Our own agenda"]
