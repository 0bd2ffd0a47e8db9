"""How a meeting's time reads, for pages and (through the email app) for emails.

"Tue 13 Jul 2027, 10:00 MST (your time) · 11:00 MDT (Denver)": the viewer's zone first, in the
portal's one format (``coalitions.timefmt``), then the meeting's own; one part when both read the
same, and only the meeting's zone for visitors.
"""

import zoneinfo
from datetime import datetime

from coalitions.timefmt import format_clock, format_day, zone_abbreviation
from coalitions.timezones import is_valid_time_zone


def zone_city(tz_name: str) -> str:
    """ "America/New_York" → "New York"; "UTC" stays "UTC"."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def format_meeting_time(meeting, viewer_tz: str | None) -> str:
    """The meeting's start for a viewer in ``viewer_tz`` (None: an anonymous visitor).

    Works with any object that has ``start`` (aware datetime) and ``time_zone`` (IANA name).
    """
    return format_instant(meeting.start, meeting.time_zone, viewer_tz)


def format_instant(moment: datetime, event_tz: str, viewer_tz: str | None) -> str:
    event_local = moment.astimezone(zoneinfo.ZoneInfo(event_tz))
    event_part = f"{format_clock(event_local)} ({zone_city(event_tz)})"
    if not viewer_tz or viewer_tz == event_tz or not is_valid_time_zone(viewer_tz):
        return f"{format_day(event_local)}, {event_part}"
    viewer_local = moment.astimezone(zoneinfo.ZoneInfo(viewer_tz))
    if format_day(viewer_local) == format_day(event_local) and format_clock(viewer_local) == format_clock(event_local):
        # Phoenix and Denver in winter: the same wall clock and abbreviation, said once.
        return f"{format_day(event_local)}, {format_clock(event_local)} (your time and {zone_city(event_tz)})"
    if format_day(viewer_local) != format_day(event_local):
        # Across midnight (Tokyo, Honolulu), each part needs its own date.
        event_part = f"{format_day(event_local)}, {event_part}"
    return f"{format_day(viewer_local)}, {format_clock(viewer_local)} (your time) · {event_part}"


def format_time_range(meeting, tz: str) -> str:
    """ "11:00–12:00 MDT" in one zone (the end's date is shown when it falls on another day)."""
    zone = zoneinfo.ZoneInfo(tz)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    end_text = format_clock(end) if start.date() == end.date() else f"{format_day(end)}, {format_clock(end)}"
    if start.date() == end.date() and zone_abbreviation(start) == zone_abbreviation(end):
        return f"{start:%H:%M}–{end_text}"
    return f"{format_clock(start)} – {end_text}"
