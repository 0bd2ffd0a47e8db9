"""A member's last-seen time: written on signing in and then at most once an hour, never on every
request; a new visit (after a gap) moves the old time to ``previous_visit_at``."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions import services
from coalitions.models import Profile
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def profile_writes(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "coalitions_profile" in q["sql"])


def seen(user):
    profile = Profile.objects.get(user=user)
    return profile.last_seen_at, profile.previous_visit_at


def test_signing_in_records_the_visit(member):
    with time_machine.travel(START, tick=False):
        Client().force_login(member)

    assert seen(member) == (START, None)


def test_requests_within_an_hour_write_the_time_at_most_once(member):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(member)
        with CaptureQueriesContext(connection) as queries:
            for minutes in (1, 10, 30, 59):
                traveller.move_to(START + dt.timedelta(minutes=minutes))
                assert client.get(reverse("practices:list")).status_code == 200
        assert profile_writes(queries.captured_queries) == 0

        with CaptureQueriesContext(connection) as queries:
            for minutes in (61, 70, 100):
                traveller.move_to(START + dt.timedelta(minutes=minutes))
                client.get(reverse("practices:list"))
        assert profile_writes(queries.captured_queries) == 1

    assert seen(member)[0] == START + dt.timedelta(minutes=61)


def test_a_member_who_keeps_clicking_stays_in_one_visit(member):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(member)
        for minutes in (61, 125, 190):
            traveller.move_to(START + dt.timedelta(minutes=minutes))
            client.get(reverse("home"))

    assert seen(member) == (START + dt.timedelta(minutes=190), None)


def test_coming_back_after_a_gap_starts_a_new_visit(member):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(member)
        traveller.move_to(START + dt.timedelta(days=2))
        client.get(reverse("home"))

    assert seen(member) == (START + dt.timedelta(days=2), START)


def test_the_home_page_counts_new_practices_from_the_previous_visit(member, other_member):
    PracticeFactory(
        title="Shared before the last visit", author=other_member, published_at=START - dt.timedelta(hours=1)
    )
    PracticeFactory(title="Shared while away", author=other_member, published_at=START + dt.timedelta(days=1))
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(member)
        traveller.move_to(START + dt.timedelta(days=3))
        body = client.get(reverse("home")).content.decode()

    assert "New since your last visit" in body
    assert "Shared while away" in body
    assert "Shared before the last visit" not in body


def test_visitors_write_nothing(client, db):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))

    assert profile_writes(queries.captured_queries) == 0


def test_record_visit_refuses_anonymous():
    with pytest.raises(PermissionDenied):
        services.record_visit(by=AnonymousUser())
