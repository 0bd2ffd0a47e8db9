"""The VTIMEZONE builder: yearly rules where a zone keeps them, exact transitions where it does not."""

import datetime as dt
import zoneinfo

import pytest

from meetings.vtimezone import vtimezone


def agrees_with_zoneinfo(component, tz_name: str, first: dt.date, last: dt.date) -> bool:
    """Every noon from ``first`` to ``last`` reads the same UTC instant through the component."""
    built, real = component.to_tz(lookup_tzid=False), zoneinfo.ZoneInfo(tz_name)
    day = first
    while day <= last:
        wall = dt.datetime.combine(day, dt.time(12, 0))
        if wall.replace(tzinfo=built).astimezone(dt.UTC) != wall.replace(tzinfo=real).astimezone(dt.UTC):
            return False
        day += dt.timedelta(days=1)
    return True


@pytest.mark.parametrize(
    ("tz_name", "daylight_rule", "standard_rule"),
    [
        ("America/New_York", b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
        ("Europe/Berlin", b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("Australia/Sydney", b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=4"),
        # Dublin's summer is its legal standard time; calendars still expect summer as daylight.
        ("Europe/Dublin", b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
    ],
)
def test_zones_with_steady_rules_get_one_yearly_rule_each_way(tz_name, daylight_rule, standard_rule):
    first, last = dt.date(2027, 1, 1), dt.date(2028, 12, 31)
    component = vtimezone(tz_name, first=first, last=last)
    (daylight,), (standard,) = component.walk("DAYLIGHT"), component.walk("STANDARD")
    assert daylight["RRULE"].to_ical() == daylight_rule
    assert standard["RRULE"].to_ical() == standard_rule
    assert daylight["TZOFFSETTO"].td > standard["TZOFFSETTO"].td
    assert agrees_with_zoneinfo(component, tz_name, first, last)


def test_a_zone_that_dropped_daylight_saving_lists_its_exact_transitions():
    # Mexico City stopped changing clocks after October 2022.
    first, last = dt.date(2022, 1, 1), dt.date(2023, 12, 31)
    component = vtimezone("America/Mexico_City", first=first, last=last)
    assert "RRULE" not in component.to_ical().decode()
    assert agrees_with_zoneinfo(component, "America/Mexico_City", first, last)


def test_a_zone_without_daylight_saving_is_one_standard_offset():
    component = vtimezone("Asia/Kolkata", first=dt.date(2027, 1, 1), last=dt.date(2027, 12, 31))
    assert not component.walk("DAYLIGHT")
    (standard,) = component.walk("STANDARD")
    assert standard["TZOFFSETTO"].td == dt.timedelta(hours=5, minutes=30)
