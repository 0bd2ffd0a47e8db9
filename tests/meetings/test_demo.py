"""The demo: the partnership's monthly series with three held meetings and RSVPs, safe to re-run."""

import io
import zoneinfo

import pytest

from coalitions import demo as coalitions_demo
from meetings import demo
from meetings.models import RSVP, Meeting, MeetingSeries
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def test_seed_creates_the_monthly_series_and_is_idempotent(frozen_now):
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    practice = PracticeFactory(title="Curb sensors RFP")
    demo.seed(people=people, practices={practice.slug: practice}, stdout=out)
    counts = (MeetingSeries.objects.count(), Meeting.objects.count(), RSVP.objects.count())
    demo.seed(people=people, practices={practice.slug: practice}, stdout=out)
    assert (MeetingSeries.objects.count(), Meeting.objects.count(), RSVP.objects.count()) == counts

    series = MeetingSeries.objects.get()
    assert series.created_by == people.partnership_admin
    assert series.rule_description == "Second Tuesday of every month, 11:00 (America/Denver)"
    held = list(series.meetings.filter(status=Meeting.Status.HELD).order_by("start"))
    assert len(held) == 3
    assert all(m.minutes and m.agenda_items.exists() for m in held)
    assert any(item.practice == practice for m in held for item in m.agenda_items.all())
    denver = zoneinfo.ZoneInfo("America/Denver")
    assert {m.start.astimezone(denver).strftime("%a %H:%M") for m in series.meetings.all()} == {"Tue 11:00"}
    upcoming = series.meetings.upcoming().filter(status=Meeting.Status.SCHEDULED)
    assert upcoming.count() == 12
    assert upcoming.first().rsvps.count() == len(people.everyone)
    assert Meeting.objects.filter(series=None, host_coalition=people.coalitions["colorado"]).count() == 1


def test_seed_works_before_any_practice_exists(frozen_now):
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    demo.seed(people=people, practices={}, stdout=out)
    assert Meeting.objects.filter(status=Meeting.Status.HELD).count() == 3
