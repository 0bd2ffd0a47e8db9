"""Times read in the viewer's zone and the meeting's own, each with its abbreviation."""

import datetime as dt

import pytest
import time_machine

from meetings.timefmt import format_meeting_time, format_time_range
from tests.factories import MeetingFactory, MembershipFactory, UserFactory


class Slot:
    """Just what the formatter reads: a UTC start and end and the meeting's zone."""

    def __init__(self, start, minutes=60, time_zone="America/Denver"):
        self.start = start
        self.end = start + dt.timedelta(minutes=minutes)
        self.time_zone = time_zone


WINTER = Slot(dt.datetime(2027, 1, 12, 18, 0, tzinfo=dt.UTC))  # 11:00 MST in Denver
SUMMER = Slot(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC))  # 11:00 MDT in Denver


def test_phoenix_viewer_sees_10am_in_summer_next_to_denver_time():
    assert format_meeting_time(SUMMER, "America/Phoenix") == (
        "Tue 13 Jul 2027, 10:00 MST (your time) · 11:00 MDT (Denver)"
    )


def test_phoenix_viewer_sees_11am_in_winter_said_once():
    assert format_meeting_time(WINTER, "America/Phoenix") == "Tue 12 Jan 2027, 11:00 MST (your time and Denver)"


def test_denver_viewer_sees_one_part():
    assert format_meeting_time(SUMMER, "America/Denver") == "Tue 13 Jul 2027, 11:00 MDT (Denver)"


def test_chicago_viewer_sees_noon_central():
    assert format_meeting_time(SUMMER, "America/Chicago") == (
        "Tue 13 Jul 2027, 12:00 CDT (your time) · 11:00 MDT (Denver)"
    )
    assert format_meeting_time(WINTER, "America/Chicago") == (
        "Tue 12 Jan 2027, 12:00 CST (your time) · 11:00 MST (Denver)"
    )


def test_new_york_viewer_sees_1pm_eastern():
    assert format_meeting_time(SUMMER, "America/New_York") == (
        "Tue 13 Jul 2027, 13:00 EDT (your time) · 11:00 MDT (Denver)"
    )


def test_anonymous_visitor_sees_only_the_meetings_zone():
    assert format_meeting_time(SUMMER, None) == "Tue 13 Jul 2027, 11:00 MDT (Denver)"


def test_viewer_across_midnight_gets_both_dates():
    assert format_meeting_time(SUMMER, "Asia/Tokyo") == (
        "Wed 14 Jul 2027, 02:00 JST (your time) · Tue 13 Jul 2027, 11:00 MDT (Denver)"
    )


def test_zone_without_letters_reads_as_utc_offset():
    assert "UTC-03" in format_meeting_time(SUMMER, "America/Sao_Paulo")


def test_range_in_one_zone():
    assert format_time_range(SUMMER, "America/New_York") == "13:00–14:00 EDT"


@pytest.mark.django_db
def test_meeting_page_shows_a_phoenix_member_both_times(client, coalition):
    viewer = UserFactory(profile__time_zone="America/Phoenix")
    MembershipFactory(user=viewer, coalition=coalition)
    meeting = MeetingFactory(start=SUMMER.start, end=SUMMER.end)
    with time_machine.travel(dt.datetime(2027, 7, 1, tzinfo=dt.UTC), tick=False):
        client.force_login(viewer)
        page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Tue 13 Jul 2027, 10:00 MST (your time) · 11:00 MDT (Denver)" in page


@pytest.mark.django_db
def test_meeting_page_uses_the_coalitions_zone_when_the_member_set_none(client, other_member):
    # other_member's coalition is in Chicago and their profile names no zone.
    meeting = MeetingFactory(start=SUMMER.start, end=SUMMER.end)
    client.force_login(other_member)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "12:00 CDT (your time) · 11:00 MDT (Denver)" in page


@pytest.mark.django_db
def test_meeting_page_shows_visitors_the_meetings_zone_only(client):
    meeting = MeetingFactory(start=SUMMER.start, end=SUMMER.end)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Tue 13 Jul 2027, 11:00 MDT (Denver)" in page
    assert "your time" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("viewer_zone", "summer", "winter"),
    [
        (
            "America/Phoenix",
            "Tue 13 Jul 2027, 10:00 MST (your time) · 11:00 MDT (Denver)",
            "Tue 12 Jan 2027, 11:00 MST (your time and Denver)",
        ),
        ("America/Denver", "Tue 13 Jul 2027, 11:00 MDT (Denver)", "Tue 12 Jan 2027, 11:00 MST (Denver)"),
        (
            "America/Chicago",
            "Tue 13 Jul 2027, 12:00 CDT (your time) · 11:00 MDT (Denver)",
            "Tue 12 Jan 2027, 12:00 CST (your time) · 11:00 MST (Denver)",
        ),
        (
            "America/New_York",
            "Tue 13 Jul 2027, 13:00 EDT (your time) · 11:00 MDT (Denver)",
            "Tue 12 Jan 2027, 13:00 EST (your time) · 11:00 MST (Denver)",
        ),
        (None, "Tue 13 Jul 2027, 11:00 MDT (Denver)", "Tue 12 Jan 2027, 11:00 MST (Denver)"),
    ],
)
def test_list_and_meeting_page_read_right_in_each_zone(client, coalition, viewer_zone, summer, winter):
    in_summer = MeetingFactory(start=SUMMER.start, end=SUMMER.end)
    in_winter = MeetingFactory(start=WINTER.start, end=WINTER.end)
    if viewer_zone:
        viewer = UserFactory(profile__time_zone=viewer_zone)
        MembershipFactory(user=viewer, coalition=coalition)
        client.force_login(viewer)
    with time_machine.travel(dt.datetime(2027, 1, 1, tzinfo=dt.UTC), tick=False):
        listing = client.get("/meetings/").content.decode()
        pages = [client.get(m.get_absolute_url()).content.decode() for m in (in_summer, in_winter)]
    assert summer in listing and winter in listing
    assert summer in pages[0] and winter in pages[1]
    assert ("your time" in listing) == (viewer_zone not in (None, "America/Denver"))
