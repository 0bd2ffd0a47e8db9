"""The .ics download and the personal feed parse with icalendar and round-trip times exactly."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.calendar import meeting_ics
from meetings.models import CalendarToken
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends

SUMMER_START = dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def meeting(coalition):
    meeting = MeetingFactory(start=SUMMER_START, end=SUMMER_START + dt.timedelta(minutes=90))
    AgendaItemFactory(
        meeting=meeting, title="Curb sensors case study", duration_minutes=20, presenting_coalition=coalition
    )
    return meeting


def only_event(body: bytes):
    cal = Calendar.from_ical(body)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return cal, events[0]


def test_ics_round_trips_the_times_in_the_meetings_zone(meeting):
    cal, event = only_event(meeting_ics(meeting))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == meeting.start and end == meeting.end
    assert event["DTSTART"].params["TZID"] == "America/Denver"
    assert start.strftime("%H:%M") == "11:00"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Denver"]


def test_ics_has_a_stable_uid_status_url_stamp_and_agenda(meeting):
    _, event = only_event(meeting_ics(meeting))
    assert str(event["UID"]) == f"meeting-{meeting.pk}@smartregions.org"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://testserver/meetings/{meeting.pk}/"
    assert "DTSTAMP" in event
    description = str(event["DESCRIPTION"])
    assert "1. Curb sensors case study (20 min) — CSCA" in description
    assert "Join: https://meet.example.org/partnership" in description


def test_sequence_grows_with_each_change_and_cancellation_is_carried(meeting, partnership_admin):
    _, before = only_event(meeting_ics(meeting))
    services.move_meeting(
        by=partnership_admin,
        meeting=meeting,
        start=SUMMER_START + dt.timedelta(hours=1),
        end=SUMMER_START + dt.timedelta(hours=2),
    )
    meeting.refresh_from_db()
    _, moved = only_event(meeting_ics(meeting))
    services.cancel_meeting(by=partnership_admin, meeting=meeting)
    meeting.refresh_from_db()
    _, cancelled = only_event(meeting_ics(meeting))
    assert int(before["SEQUENCE"]) < int(moved["SEQUENCE"]) < int(cancelled["SEQUENCE"])
    assert moved.decoded("DTSTART") == SUMMER_START + dt.timedelta(hours=1)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(before["UID"]) == str(cancelled["UID"])


def test_a_winter_meeting_round_trips_in_standard_time():
    start = dt.datetime(2027, 1, 12, 18, 0, tzinfo=dt.UTC)
    _, event = only_event(meeting_ics(MeetingFactory(start=start, end=start + dt.timedelta(hours=1))))
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").strftime("%H:%M %Z") == "11:00 MST"


def test_download_is_a_calendar_attachment(client, meeting):
    response = client.get(reverse("meetings:ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="meeting-{meeting.pk}.ics"' in response["Content-Disposition"]
    only_event(response.content)


def test_download_leaves_the_video_link_out_for_visitors(client, member_client, meeting):
    assert b"meet.example.org" not in client.get(reverse("meetings:ics", args=[meeting.pk])).content
    assert b"meet.example.org" in member_client.get(reverse("meetings:ics", args=[meeting.pk])).content


def test_download_of_an_unknown_meeting_is_404(client, db):
    assert client.get(reverse("meetings:ics", args=[999999])).status_code == 404


def feed_url(user):
    return reverse("meetings:feed", args=[services.get_calendar_token(by=user).token])


def test_feed_lists_upcoming_meetings_with_cancelled_ones_marked(client, member, meeting, partnership_admin):
    cancelled = MeetingFactory(title="Cancelled call", start=SUMMER_START + dt.timedelta(days=30),
                               end=SUMMER_START + dt.timedelta(days=30, hours=1))  # fmt: skip
    services.cancel_meeting(by=partnership_admin, meeting=cancelled)
    long_ago = MeetingFactory(
        start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), end=dt.datetime(2020, 1, 1, 1, tzinfo=dt.UTC)
    )
    response = client.get(feed_url(member))
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"meeting-{meeting.pk}@smartregions.org", f"meeting-{cancelled.pk}@smartregions.org"}
    assert str(events[f"meeting-{cancelled.pk}@smartregions.org"]["STATUS"]) == "CANCELLED"
    assert events[f"meeting-{meeting.pk}@smartregions.org"].decoded("DTEND") == meeting.end
    assert cal.walk("VTIMEZONE")
    assert f"meeting-{long_ago.pk}@" not in response.content.decode()


def test_feed_with_a_wrong_token_is_404(client, member):
    assert client.get(reverse("meetings:feed", args=["not-a-real-token"])).status_code == 404


@pytest.mark.parametrize("token", ["nul%00byte", "a%20b", "%C3%A9t%C3%A9"])
def test_feed_with_a_malformed_token_is_404_not_a_server_error(client, db, token):
    # PostgreSQL refuses NUL bytes in a query: the URL pattern must stop them first.
    assert client.get(f"/meetings/feed/{token}.ics").status_code == 404


def test_a_reset_token_stops_the_old_address(client, member_client, member):
    old = feed_url(member)
    response = member_client.post(reverse("meetings:calendar_reset"), CONFIRMED, follow=True)
    assert "was reset" in response.content.decode()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(member)).status_code == 200


def test_feed_of_someone_who_left_every_coalition_is_404(client, member):
    url = feed_url(member)
    member.memberships.all().delete()
    assert client.get(url).status_code == 404


def test_calendar_page_shows_the_subscription_address(member_client, member):
    page = member_client.get(reverse("meetings:calendar")).content.decode()
    token = CalendarToken.objects.get(user=member).token
    assert f"http://testserver/meetings/feed/{token}.ics" in page
    assert f"webcal://testserver/meetings/feed/{token}.ics" in page


def test_calendar_page_needs_a_login_and_a_coalition(client, outsider_client):
    assert client.get(reverse("meetings:calendar")).status_code == 302
    assert outsider_client.get(reverse("meetings:calendar")).status_code == 403


def test_reset_by_get_asks_first_and_changes_nothing(member_client, member):
    token = services.get_calendar_token(by=member).token

    page = member_client.get(reverse("meetings:calendar_reset"))
    stray = member_client.post(reverse("meetings:calendar_reset"))  # a POST not sent from the page

    assert page.status_code == 200 and "Reset your calendar address?" in page.content.decode()
    assert stray.status_code == 200 and "Reset your calendar address?" in stray.content.decode()
    assert CalendarToken.objects.get(user=member).token == token


@pytest.mark.parametrize("size", [2, 12])
def test_feed_runs_a_fixed_number_of_queries(client, member, coalition, size, django_assert_max_num_queries):
    for day in range(size):
        start = SUMMER_START + dt.timedelta(days=day)
        meeting = MeetingFactory(start=start, end=start + dt.timedelta(hours=1))
        AgendaItemFactory.create_batch(2, meeting=meeting, presenting_coalition=coalition)
    url = feed_url(member)
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == size
