"""Times in emails, in the recipient's own zone with its abbreviation (MST, EDT…)."""

import zoneinfo
from datetime import datetime

from django.conf import settings


def absolute_url(path: str) -> str:
    """A link that works from a mail client: SITE_URL, never a request's Host header."""
    return f"{settings.SITE_URL}{path}"


def format_local(moment: datetime, zone_name: str) -> str:
    """``Tuesday, November 10, 2026, 11:00 AM MST`` in the given IANA zone.

    Meetings will offer their own formatter; this one stays small so the lead can fold them together.
    """
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_name))
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%A, %B} {local.day}, {local.year}, {hour}:{local:%M} {local:%p} {local:%Z}"


def format_local_time(moment: datetime, zone_name: str) -> str:
    """``11:00 AM MST``: for a line that already shows the date."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_name))
    return f"{local.strftime('%I').lstrip('0')}:{local:%M} {local:%p} {local:%Z}"
