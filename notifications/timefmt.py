"""Times in emails, in the recipient's own zone with its abbreviation (MST, EDT…)."""

from datetime import datetime

from django.conf import settings

from coalitions.timefmt import format_clock, format_when, in_zone


def absolute_url(path: str) -> str:
    """A link that works from a mail client: SITE_URL, never a request's Host header."""
    return f"{settings.SITE_URL}{path}"


def format_local(moment: datetime, zone_name: str) -> str:
    """``Tue 10 Nov 2026, 11:00 MST`` in the given IANA zone: the portal's one format."""
    return format_when(moment, zone_name)


def format_local_time(moment: datetime, zone_name: str) -> str:
    """``11:00 MST``: for a line that already shows the date."""
    return format_clock(in_zone(moment, zone_name))
