"""VTIMEZONE components that Google Calendar, Outlook and Apple Calendar all read the same way.

Google and Apple look a TZID such as ``America/Denver`` up in their own database; Outlook on
Windows does not: it builds the zone from the VTIMEZONE in the file, and it reads only yearly
RRULEs there (RDATE lists, which icalendar's ``add_missing_timezones`` writes, are ignored, and
summer events import an hour off). So a zone whose daylight-saving rule is the same every year
of the window ("second Sunday of March, 02:00") is written as a DAYLIGHT and a STANDARD
sub-component, each with ``RRULE:FREQ=YEARLY;BYMONTH=…;BYDAY=…``, the way Google and Outlook
export their own calendars; a zone without daylight saving (``America/Phoenix``) as one STANDARD.
A zone whose rules change inside the window falls back to icalendar's exact transition list.

The transitions come from zoneinfo, so they are the ones our own UTC times were computed with.
"""

import calendar
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True)
class Transition:
    onset: datetime  # local wall time of the change, read with the offset in force before it (RFC 5545)
    offset_from: timedelta
    offset_to: timedelta
    name: str  # abbreviation after the change: MDT, MST…
    is_daylight: bool

    def pattern(self) -> tuple:
        """What must repeat every year for one RRULE to describe this change."""
        return (
            self.onset.month,
            self.onset.weekday(),
            self.onset.time(),
            self.offset_from,
            self.offset_to,
            self.name,
            self.is_daylight,
        )

    @property
    def week(self) -> int:
        """1..4 for the first to fourth such weekday of the month, 5 for a fifth one."""
        return (self.onset.day - 1) // 7 + 1

    @property
    def is_last_of_month(self) -> bool:
        return self.onset.day + 7 > calendar.monthrange(self.onset.year, self.onset.month)[1]


def _offset(zone: zoneinfo.ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset()


def transitions(zone: zoneinfo.ZoneInfo, year: int) -> list[Transition]:
    """Every change of UTC offset (or abbreviation) in ``zone`` during ``year``, in order."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)

    def state(moment):
        local = moment.astimezone(zone)
        return (local.utcoffset(), local.tzname())

    while day < end:
        following = day + timedelta(days=1)
        if state(day) != state(following):
            # Narrow the change down to the second: zones change on whole minutes at worst.
            low, high = day, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if state(middle) == state(low) else (low, middle)
            before, after = high - timedelta(seconds=1), high
            offset_from = _offset(zone, before)
            local_after = after.astimezone(zone)
            found.append(
                Transition(
                    onset=(after + offset_from).replace(tzinfo=None),
                    offset_from=offset_from,
                    offset_to=local_after.utcoffset(),
                    name=local_after.tzname(),
                    # Clocks going forward start daylight time. (zoneinfo's dst() would call Dublin's
                    # winter the "daylight" part, which no calendar app expects.)
                    is_daylight=local_after.utcoffset() > offset_from,
                )
            )
        day = following
    return found


def _yearly_rule(changes: list[Transition]) -> dict | None:
    """An RRULE for the same change in consecutive years, or None when no single rule fits."""
    if len({change.pattern() for change in changes}) != 1:
        return None
    first = changes[0]
    weekday = WEEKDAY_CODES[first.onset.weekday()]
    weeks = {change.week for change in changes}
    if len(weeks) == 1 and weeks != {5}:
        return {"freq": "yearly", "bymonth": first.onset.month, "byday": f"{weeks.pop()}{weekday}"}
    if all(change.is_last_of_month for change in changes):
        return {"freq": "yearly", "bymonth": first.onset.month, "byday": f"-1{weekday}"}
    return None


def _sub_component(change: Transition, rule: dict | None):
    part = TimezoneDaylight() if change.is_daylight else TimezoneStandard()
    part.add("tzname", change.name)
    part.add("tzoffsetfrom", change.offset_from)
    part.add("tzoffsetto", change.offset_to)
    part.add("dtstart", change.onset)
    if rule:
        part.add("rrule", rule)
    return part


@lru_cache(maxsize=64)
def _build(tz_name: str, first_year: int, last_year: int) -> bytes:
    zone = zoneinfo.ZoneInfo(tz_name)
    years = range(first_year, last_year + 1)
    per_year = [transitions(zone, year) for year in years]
    component = Timezone()
    component.add("tzid", tz_name)
    component.add("x-lic-location", tz_name)

    if not any(per_year):
        # No change in the window (Phoenix, Honolulu): one fixed offset, standard time.
        start = datetime(first_year, 1, 1, tzinfo=zone)
        fixed = Transition(start.replace(tzinfo=None), start.utcoffset(), start.utcoffset(), start.tzname(), False)
        component.add_component(_sub_component(fixed, None))
        return component.to_ical()

    if all(len(changes) == 2 for changes in per_year):
        pairs = [sorted(changes, key=lambda change: change.is_daylight) for changes in per_year]
        standard_changes = [pair[0] for pair in pairs]
        daylight_changes = [pair[1] for pair in pairs]
        if daylight_changes[0].is_daylight and not standard_changes[0].is_daylight:
            rules = (_yearly_rule(daylight_changes), _yearly_rule(standard_changes))
            if all(rules):
                component.add_component(_sub_component(daylight_changes[0], rules[0]))
                component.add_component(_sub_component(standard_changes[0], rules[1]))
                return component.to_ical()

    # Rules that change inside the window: every transition, listed (exact, if less portable).
    exact = Timezone.from_tzid(tz_name, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1))
    return exact.to_ical()


def vtimezone(tz_name: str, *, first: date, last: date) -> Timezone:
    """The VTIMEZONE for ``tz_name`` covering events from ``first`` to ``last`` (a year each side)."""
    return Timezone.from_ical(_build(tz_name, first.year - 1, last.year + 1))
