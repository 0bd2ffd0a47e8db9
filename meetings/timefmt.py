"""How a meeting's time reads, for pages and (through the email app) for emails.

"Tue 13 Jul 2027, 10:00 MST (your time) · 11:00 MDT (Denver)": the viewer's zone first, then the
meeting's own; one part when both read the same, and only the meeting's zone for visitors.
"""

import zoneinfo
from datetime import datetime

from coalitions.timezones import is_valid_time_zone


def zone_city(tz_name: str) -> str:
    """ "America/New_York" → "New York"; "UTC" stays "UTC"."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def zone_abbreviation(moment: datetime) -> str:
    """MST, MDT, CET… Zones without a letter abbreviation ("-03") read as "UTC-03"."""
    abbreviation = moment.strftime("%Z")
    if abbreviation and abbreviation[0] in "+-":
        return f"UTC{abbreviation}"
    return abbreviation


def _day(moment: datetime) -> str:
    # %-d is glibc-only; build the day without a leading zero portably.
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M} {zone_abbreviation(moment)}"


def format_meeting_time(meeting, viewer_tz: str | None) -> str:
    """The meeting's start for a viewer in ``viewer_tz`` (None: an anonymous visitor).

    Works with any object that has ``start`` (aware datetime) and ``time_zone`` (IANA name).
    """
    return format_instant(meeting.start, meeting.time_zone, viewer_tz)


def format_instant(moment: datetime, event_tz: str, viewer_tz: str | None) -> str:
    event_local = moment.astimezone(zoneinfo.ZoneInfo(event_tz))
    event_part = f"{_clock(event_local)} ({zone_city(event_tz)})"
    if not viewer_tz or viewer_tz == event_tz or not is_valid_time_zone(viewer_tz):
        return f"{_day(event_local)}, {event_part}"
    viewer_local = moment.astimezone(zoneinfo.ZoneInfo(viewer_tz))
    if _day(viewer_local) == _day(event_local) and _clock(viewer_local) == _clock(event_local):
        # Phoenix and Denver in winter: the same wall clock and abbreviation, said once.
        return f"{_day(event_local)}, {_clock(event_local)} (your time and {zone_city(event_tz)})"
    if _day(viewer_local) != _day(event_local):
        # Across midnight (Tokyo, Honolulu), each part needs its own date.
        event_part = f"{_day(event_local)}, {event_part}"
    return f"{_day(viewer_local)}, {_clock(viewer_local)} (your time) · {event_part}"


def format_time_range(meeting, tz: str) -> str:
    """ "11:00–12:00 MDT" in one zone (the end's date is shown when it falls on another day)."""
    zone = zoneinfo.ZoneInfo(tz)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    end_text = _clock(end) if start.date() == end.date() else f"{_day(end)}, {_clock(end)}"
    if start.date() == end.date() and zone_abbreviation(start) == zone_abbreviation(end):
        return f"{start:%H:%M}–{end_text}"
    return f"{_clock(start)} – {end_text}"
