"""Calendar files (RFC 5545) for one meeting and for a member's subscription feed.

Each event carries its meeting's own zone: DTSTART/DTEND with TZID and the matching VTIMEZONE,
so a calendar app shows the right wall time wherever its user is. The UID never changes for a
meeting; SEQUENCE grows with every change, and a cancelled meeting is sent as STATUS:CANCELLED so
calendars drop it.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting
from .vtimezone import vtimezone

PRODID = "-//Smart Regions Exchange//Meetings//EN"
UID_DOMAIN = "smartregions.org"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def meeting_url(meeting: Meeting) -> str:
    return f"{settings.SITE_URL}{meeting.get_absolute_url()}"


def _description(meeting: Meeting, *, include_private: bool) -> str:
    parts = []
    if meeting.description.strip():
        parts.append(meeting.description.strip())
    items = list(meeting.agenda_items.all())
    if items:
        lines = ["Agenda:"]
        for number, item in enumerate(items, start=1):
            line = f"{number}. {item.title}"
            if item.duration_minutes:
                line += f" ({item.duration_minutes} min)"
            if item.presenting_coalition_id:
                line += f" — {item.presenting_coalition.short_name}"
            lines.append(line)
        parts.append("\n".join(lines))
    if include_private and meeting.video_link:
        parts.append(f"Join: {meeting.video_link}")
    parts.append(f"Details and RSVP: {meeting_url(meeting)}")
    return "\n\n".join(parts)


def _event(meeting: Meeting, *, include_private: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence)
    summary = meeting.title if not meeting.is_cancelled else f"Cancelled: {meeting.title}"
    event.add("summary", summary)
    # Wall times in the meeting's zone, with TZID; the VTIMEZONE is added for the whole calendar.
    event.add("dtstart", meeting.local_start())
    event.add("dtend", meeting.local_end())
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("url", meeting_url(meeting))
    event.add("description", _description(meeting, include_private=include_private))
    event.add("location", meeting.video_link if include_private and meeting.video_link else "Online")
    event.add("last-modified", meeting.updated.astimezone(UTC))
    return event


def _calendar(
    meetings: list[Meeting], *, include_private: bool, name: str | None = None, time_zone: str | None = None
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
        if time_zone:
            # The subscriber's zone: Google and Apple use it as the calendar's default zone.
            cal.add("x-wr-timezone", time_zone)
        # Hints for subscribing apps (Apple, Outlook, Google honour one or the other).
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    stamp = timezone.now().astimezone(UTC).replace(microsecond=0)
    events = [_event(meeting, include_private=include_private, stamp=stamp) for meeting in meetings]
    if meetings:
        # One VTIMEZONE per zone the events name, written before them, covering every event.
        first = min(m.start for m in meetings).date()
        last = max(m.end for m in meetings).date()
        zones = sorted({str(event["DTSTART"].params["TZID"]) for event in events if "TZID" in event["DTSTART"].params})
        for zone in zones:
            cal.add_component(vtimezone(zone, first=first, last=last))
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def meeting_ics(meeting: Meeting, *, include_private: bool = True) -> bytes:
    """One VCALENDAR with the meeting's VEVENT and VTIMEZONE (emails attach this).

    ``include_private=False`` leaves the video link out, for visitors who are not members.
    """
    return _calendar([meeting], include_private=include_private)


def feed_ics(meetings: Iterable[Meeting], *, name: str, time_zone: str | None = None) -> bytes:
    """A member's subscription: many events, one VTIMEZONE per zone used; ``time_zone`` is the
    member's own, announced as the calendar's default (X-WR-TIMEZONE)."""
    return _calendar(list(meetings), include_private=True, name=name, time_zone=time_zone)
