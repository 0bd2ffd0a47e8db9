"""The portal's one way to write a moment: "Tue 8 Dec 2026, 11:00 MST".

In the viewer's zone, with that zone's abbreviation (Arizona, ``America/Phoenix``, keeps MST all
year). Pages use the ``when`` filter (``{% load when %}``), which reads the active zone: the
middleware activates a member's, the mail helper the recipient's. Emails and calendar text call
``format_when`` with the zone. Day-only and month-only forms ("Tue 8 Dec 2026", "December 2026")
are the same format cut short, for a date that has no time worth showing.
"""

import zoneinfo
from datetime import date, datetime, tzinfo

from django.utils import timezone


def zone_abbreviation(moment: datetime) -> str:
    """MST, MDT, CET… Zones without a letter abbreviation ("-03") read as "UTC-03"."""
    abbreviation = moment.strftime("%Z")
    if abbreviation and abbreviation[0] in "+-":
        return f"UTC{abbreviation}"
    return abbreviation


def _zone(zone: str | tzinfo | None) -> tzinfo:
    if zone is None:
        return timezone.get_current_timezone()
    return zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone


def in_zone(moment: datetime, zone: str | tzinfo | None = None) -> datetime:
    """``moment`` on the wall clock of ``zone`` (None: the active zone). A naive datetime is taken
    to be in the default zone already, as Django stores none."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment.astimezone(_zone(zone))


def format_day(value: date) -> str:
    """ "Tue 8 Dec 2026" for a date, or a datetime already on the wanted wall clock."""
    # %-d is glibc-only; the day goes without a leading zero portably.
    return f"{value:%a} {value.day} {value:%b %Y}"


def format_clock(local: datetime) -> str:
    """ "11:00 MST" for a datetime already on the wanted wall clock."""
    return f"{local:%H:%M} {zone_abbreviation(local)}"


def format_when(moment: datetime, zone: str | tzinfo | None = None) -> str:
    """ "Tue 8 Dec 2026, 11:00 MST": ``moment`` in ``zone`` (an IANA name; None: the active zone)."""
    local = in_zone(moment, zone)
    return f"{format_day(local)}, {format_clock(local)}"


def format_when_day(value: date | datetime, zone: str | tzinfo | None = None) -> str:
    """ "Tue 8 Dec 2026": the day a moment falls on in ``zone``; a plain date as it is."""
    return format_day(in_zone(value, zone) if isinstance(value, datetime) else value)


def format_month(value: date | datetime, zone: str | tzinfo | None = None) -> str:
    """ "December 2026": for headings that group by month, and "member since"."""
    local = in_zone(value, zone) if isinstance(value, datetime) else value
    return f"{local:%B %Y}"
