"""Calendar files that Google Calendar, Outlook and Apple Calendar import alike: RFC 5545 framing,
a VTIMEZONE each app reads the same way, and times that round-trip exactly around daylight saving."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.calendar import feed_ics, meeting_ics
from meetings.models import Meeting
from tests.factories import AgendaItemFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

DENVER, PHOENIX = "America/Denver", "America/Phoenix"


def meeting_at(utc: dt.datetime, time_zone: str = DENVER, **kwargs) -> Meeting:
    return MeetingFactory(start=utc, end=utc + dt.timedelta(hours=1), time_zone=time_zone, **kwargs)


def raw_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    return body[:-2].split(b"\r\n")


def timezone_of(body: bytes, tzid: str):
    (component,) = [tz for tz in Calendar.from_ical(body).walk("VTIMEZONE") if str(tz["TZID"]) == tzid]
    return component


def read_like_outlook(body: bytes) -> dict[str, dt.datetime]:
    """UID → start in UTC, worked out from the file's own VTIMEZONE (not a zone database): what
    Outlook on Windows does with a TZID it does not know."""
    cal = Calendar.from_ical(body)
    zones = {str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in cal.walk("VTIMEZONE")}
    starts = {}
    for event in cal.walk("VEVENT"):
        wall = event["DTSTART"].dt.replace(tzinfo=None)
        zone = zones[str(event["DTSTART"].params["TZID"])]
        starts[str(event["UID"])] = wall.replace(tzinfo=zone).astimezone(dt.UTC)
    return starts


def test_every_line_ends_in_crlf_and_long_lines_fold_at_75_octets(coalition):
    meeting = meeting_at(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC), description="Ünïcödé — " * 30)
    AgendaItemFactory(meeting=meeting, title="Smart-streetlight RFP: pilot reports from São Paulo " * 3)
    body = meeting_ics(meeting)
    lines = raw_lines(body)
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded continuation lines exist
    description = str(Calendar.from_ical(body).walk("VEVENT")[0]["DESCRIPTION"])
    assert description.startswith("Ünïcödé — Ünïcödé")  # folding never splits a character
    assert "São Paulo" in description


@pytest.mark.parametrize("make", ["download", "feed"])
def test_calendar_header_names_version_product_scale_and_method(make, member):
    meeting = meeting_at(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC))
    body = meeting_ics(meeting) if make == "download" else feed_ics([meeting], name="Meetings")
    lines = raw_lines(body)
    assert lines[:5] == [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        b"PRODID:-//Smart Regions Exchange//Meetings//EN",
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
    ]
    # Zones come before the events that use them.
    assert lines.index(b"BEGIN:VTIMEZONE") < lines.index(b"BEGIN:VEVENT")


def test_denver_zone_is_a_yearly_daylight_and_standard_rule():
    body = meeting_ics(meeting_at(dt.datetime(2027, 3, 9, 18, 0, tzinfo=dt.UTC)))
    zone = timezone_of(body, DENVER)
    daylight, standard = zone.walk("DAYLIGHT"), zone.walk("STANDARD")
    assert len(daylight) == 1 and len(standard) == 1
    assert daylight[0]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"
    assert standard[0]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"
    # The onsets are local times read with the offset before the change (02:00 both ways).
    assert daylight[0].decoded("DTSTART").time() == dt.time(2, 0)
    assert standard[0].decoded("DTSTART").time() == dt.time(2, 0)
    assert (str(daylight[0]["TZNAME"]), str(standard[0]["TZNAME"])) == ("MDT", "MST")
    # Outlook ignores RDATE lists in a VTIMEZONE; none are written.
    assert b"RDATE" not in body


def test_phoenix_zone_is_standard_time_only():
    body = meeting_ics(meeting_at(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC), time_zone=PHOENIX))
    zone = timezone_of(body, PHOENIX)
    assert not zone.walk("DAYLIGHT")
    (standard,) = zone.walk("STANDARD")
    assert str(standard["TZNAME"]) == "MST"
    assert standard["TZOFFSETFROM"].td == standard["TZOFFSETTO"].td == dt.timedelta(hours=-7)


@pytest.mark.parametrize(
    ("utc", "time_zone", "wall", "abbreviation"),
    [
        # Second Tuesday of March 2027 (the 9th) is before the 14 March change: standard time.
        (dt.datetime(2027, 3, 9, 18, 0, tzinfo=dt.UTC), DENVER, "11:00", "MST"),
        # A week later, after the change: the same 11:00 is an hour earlier in UTC.
        (dt.datetime(2027, 3, 16, 17, 0, tzinfo=dt.UTC), DENVER, "11:00", "MDT"),
        # 2 November 2027 is before the 7 November change; the second Tuesday (the 9th) after it.
        (dt.datetime(2027, 11, 2, 17, 0, tzinfo=dt.UTC), DENVER, "11:00", "MDT"),
        (dt.datetime(2027, 11, 9, 18, 0, tzinfo=dt.UTC), DENVER, "11:00", "MST"),
        # Phoenix never changes: 10:00 MST while Denver is on daylight time.
        (dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC), PHOENIX, "10:00", "MST"),
        (dt.datetime(2027, 1, 12, 18, 0, tzinfo=dt.UTC), PHOENIX, "11:00", "MST"),
    ],
)
def test_times_round_trip_exactly_by_zone_name_and_by_the_files_own_vtimezone(utc, time_zone, wall, abbreviation):
    meeting = meeting_at(utc, time_zone=time_zone)
    body = meeting_ics(meeting)
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    # Google and Apple: TZID looked up in their zone database.
    assert event["DTSTART"].params["TZID"] == time_zone
    assert event.decoded("DTSTART") == meeting.start and event.decoded("DTEND") == meeting.end
    assert event.decoded("DTSTART").strftime("%H:%M %Z") == f"{wall} {abbreviation}"
    # Outlook: the VTIMEZONE in the file.
    assert read_like_outlook(body) == {f"meeting-{meeting.pk}@smartregions.org": utc}


def test_a_denver_series_round_trips_through_the_feed_in_every_month(series, member):
    body = feed_ics(series.meetings.all(), name="Meetings")
    expected = {f"meeting-{m.pk}@smartregions.org": m.start for m in series.meetings.all()}
    assert len(expected) == 12
    assert read_like_outlook(body) == expected
    walls = {e.decoded("DTSTART").strftime("%H:%M") for e in Calendar.from_ical(body).walk("VEVENT")}
    assert walls == {"11:00"}


def test_feed_names_the_calendar_and_the_members_zone(client, coalition):
    phoenix_member = UserFactory(profile__time_zone=PHOENIX)
    phoenix_member.memberships.create(coalition=coalition)
    meeting_at(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC))
    token = services.get_calendar_token(by=phoenix_member).token
    cal = Calendar.from_ical(client.get(reverse("meetings:feed", args=[token])).content)
    assert str(cal["X-WR-CALNAME"]) == "Smart Regions Exchange meetings"
    assert str(cal["X-WR-TIMEZONE"]) == PHOENIX
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [DENVER]


def test_a_single_download_is_not_a_named_calendar():
    cal = Calendar.from_ical(meeting_ics(meeting_at(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC))))
    assert "X-WR-CALNAME" not in cal and "X-WR-TIMEZONE" not in cal


def test_feed_with_meetings_in_two_zones_carries_both(member):
    denver = meeting_at(dt.datetime(2027, 7, 13, 17, 0, tzinfo=dt.UTC))
    phoenix = meeting_at(dt.datetime(2027, 7, 14, 17, 0, tzinfo=dt.UTC), time_zone=PHOENIX)
    body = feed_ics([denver, phoenix], name="Meetings")
    assert sorted(str(tz["TZID"]) for tz in Calendar.from_ical(body).walk("VTIMEZONE")) == [DENVER, PHOENIX]
    assert set(read_like_outlook(body).values()) == {denver.start, phoenix.start}


def event_of(meeting: Meeting):
    meeting.refresh_from_db()
    return Calendar.from_ical(meeting_ics(meeting)).walk("VEVENT")[0]


def test_uid_stays_and_sequence_grows_through_every_kind_of_edit(series, frozen_now, partnership_admin):
    meeting = series.meetings.order_by("start")[1]
    seen = [event_of(meeting)]
    services.update_meeting(by=partnership_admin, meeting=meeting, data={"title": "Partnership call: budget special"})
    seen.append(event_of(meeting))
    services.set_agenda(by=partnership_admin, meeting=meeting, items=[{"title": "Budget"}])
    seen.append(event_of(meeting))
    services.move_meeting(
        by=partnership_admin,
        meeting=meeting,
        start=meeting.start + dt.timedelta(hours=2),
        end=meeting.end + dt.timedelta(hours=2),
    )
    seen.append(event_of(meeting))
    services.update_series(
        by=partnership_admin, series=series, data={"video_link": "https://meet.example.org/new"}, reset_customized=True
    )
    seen.append(event_of(meeting))
    services.cancel_meeting(by=partnership_admin, meeting=meeting)
    seen.append(event_of(meeting))
    services.reinstate_meeting(by=partnership_admin, meeting=meeting)
    seen.append(event_of(meeting))

    assert {str(event["UID"]) for event in seen} == {f"meeting-{meeting.pk}@smartregions.org"}
    sequences = [int(event["SEQUENCE"]) for event in seen]
    assert sequences == sorted(set(sequences)), sequences  # strictly growing
    assert [str(event["STATUS"]) for event in seen[-2:]] == ["CANCELLED", "CONFIRMED"]
    # The reset put it back at 11:00 Denver time.
    assert seen[4].decoded("DTSTART").strftime("%H:%M") == "11:00"
