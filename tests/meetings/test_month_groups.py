"""Meeting lists (upcoming, past, a series' page) read as a calendar: under month headings, each
month taken in the zone the rows show (the viewer's, or the meeting's own for visitors)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from tests.factories import MeetingFactory, MeetingSeriesFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def meeting(start, **kwargs):
    return MeetingFactory(start=start, end=start + dt.timedelta(hours=1), **kwargs)


def months_and_titles(html: str) -> list:
    """[("December 2026", ["A", "B"]), …] in page order."""
    found = []
    for month, body in re.findall(r'class="meeting-month-heading"[^>]*>([^<]+)</h2>(.*?)</section>', html, re.S):
        found.append((month, re.findall(r'<h3 class="meeting-row-title"><a [^>]*>([^<]+)</a>', body)))
    return found


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_upcoming_meetings_sit_under_their_month(client, frozen):
    meeting(dt.datetime(2026, 12, 8, 18, tzinfo=dt.UTC), title="December call")
    meeting(dt.datetime(2026, 12, 19, 21, tzinfo=dt.UTC), title="December session")
    meeting(dt.datetime(2027, 1, 12, 18, tzinfo=dt.UTC), title="January call")
    page = client.get(reverse("meetings:list")).content.decode()
    assert months_and_titles(page) == [
        ("December 2026", ["December call", "December session"]),
        ("January 2027", ["January call"]),
    ]


def test_a_new_years_eve_evening_in_phoenix_is_a_december_meeting_for_phoenix_and_january_for_tokyo(
    client, coalition, frozen
):
    # 03:00 UTC on 1 January is 20:00 on 31 December in Phoenix (and in Denver, the meeting's zone),
    # but noon on 1 January in Tokyo.
    meeting(dt.datetime(2027, 1, 1, 3, tzinfo=dt.UTC), title="Year-end social", time_zone="America/Denver")
    assert months_and_titles(client.get(reverse("meetings:list")).content.decode())[0][0] == "December 2026"
    for zone, month in [("America/Phoenix", "December 2026"), ("Asia/Tokyo", "January 2027")]:
        viewer = UserFactory(profile__time_zone=zone)
        MembershipFactory(user=viewer, coalition=coalition)
        client.force_login(viewer)
        assert months_and_titles(client.get(reverse("meetings:list")).content.decode())[0][0] == month


def test_past_meetings_group_newest_month_first(client, frozen):
    meeting(dt.datetime(2026, 9, 8, 17, tzinfo=dt.UTC), title="September call")
    meeting(dt.datetime(2026, 10, 13, 17, tzinfo=dt.UTC), title="October call")
    meeting(dt.datetime(2026, 10, 20, 17, tzinfo=dt.UTC), title="October session")
    page = client.get(reverse("meetings:archive")).content.decode()
    assert months_and_titles(page) == [
        ("October 2026", ["October session", "October call"]),
        ("September 2026", ["September call"]),
    ]


def test_a_series_page_groups_its_meetings_by_month(client, frozen):
    series = MeetingSeriesFactory()
    meeting(dt.datetime(2026, 12, 8, 18, tzinfo=dt.UTC), title="Monthly call", series=series)
    meeting(dt.datetime(2027, 1, 12, 18, tzinfo=dt.UTC), title="Monthly call", series=series)
    page = client.get(series.get_absolute_url()).content.decode()
    assert [month for month, _ in months_and_titles(page)] == ["December 2026", "January 2027"]


def test_an_empty_list_says_so_without_headings(client, frozen):
    page = client.get(reverse("meetings:list")).content.decode()
    assert "No meetings are scheduled yet." in page
    assert months_and_titles(page) == []
