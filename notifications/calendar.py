"""The ``.ics`` attached to reminders and change notices.

The meetings app will provide ``meetings.calendar.meeting_ics(meeting) -> bytes``; until it lands on
main this module builds an equivalent file itself, so reminders carry a calendar entry either way.
"""

import zoneinfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .timefmt import absolute_url

try:  # pragma: no cover - depends on the meetings branch being merged
    from meetings.calendar import meeting_ics as _meetings_ics
except ImportError:  # pragma: no cover
    _meetings_ics = None


def meeting_ics(meeting) -> bytes:
    if _meetings_ics is not None:  # pragma: no cover
        return _meetings_ics(meeting)
    return _fallback_ics(meeting)


def _fallback_ics(meeting) -> bytes:
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SITE_NAME}//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{settings.SITE_URL.split('://')[-1]}")
    event.add("dtstamp", timezone.now())
    # The event's own zone (rule 7): calendar apps then show it right across daylight saving.
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    event.add("summary", meeting.title)
    event.add("sequence", meeting.sequence)
    event.add("url", absolute_url(meeting.get_absolute_url()))
    description = meeting.description or ""
    if meeting.video_link:
        event.add("location", meeting.video_link)
        description = f"{description}\n\nJoin: {meeting.video_link}".strip()
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
