"""Monthly rules → local dates → UTC instants. Pure functions: no database, no clock.

Occurrences are computed as calendar dates in the series' own zone, combined with its local
wall time there, and only then converted to UTC. That is what keeps "11:00 America/Denver"
at 11:00 in Denver on both sides of a daylight-saving change.

Rules we chose (and document in the series form):
- "Day 29, 30 or 31" in a month without that day moves to the month's last day, so a monthly
  meeting never silently disappears (day 31 → 28 or 29 Feb, 30 Apr…).
- A local time that does not exist (02:30 on the spring-forward day) is read with the offset in
  force before the gap, i.e. it lands one hour later on the wall clock (03:30 daylight time);
  a local time that happens twice (01:30 on the fall-back day) means the first one (daylight
  time). Both follow RFC 5545 §3.3.5, so our UTC and a calendar app reading TZID agree.
"""

import calendar
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

LAST = -1


@dataclass(frozen=True)
class Rule:
    """A monthly rule, independent of the model so it can be tested (and validated) alone."""

    kind: str  # "nth_weekday" or "day_of_month"
    week_of_month: int | None = None  # 1..4 or -1 (last)
    weekday: int | None = None  # 0 = Monday … 6 = Sunday
    day_of_month: int | None = None  # 1..31

    @classmethod
    def of(cls, series) -> "Rule":
        return cls(
            kind=series.rule_kind,
            week_of_month=series.week_of_month,
            weekday=series.weekday,
            day_of_month=series.day_of_month,
        )

    def problems(self) -> dict[str, str]:
        """Field name → message for what makes this rule unusable (empty when it is fine)."""
        errors = {}
        if self.kind == "nth_weekday":
            if self.week_of_month is None:
                errors["week_of_month"] = "Choose which week of the month (first to fourth, or last)."
            elif self.week_of_month not in (1, 2, 3, 4, LAST):
                errors["week_of_month"] = "Choose the first to fourth week, or the last: not every month has a fifth."
            if self.weekday is None:
                errors["weekday"] = "Choose the day of the week."
            elif not 0 <= self.weekday <= 6:
                errors["weekday"] = "Choose a day from Monday to Sunday."
        elif self.kind == "day_of_month":
            if self.day_of_month is None:
                errors["day_of_month"] = "Choose the day of the month (1 to 31)."
            elif not 1 <= self.day_of_month <= 31:
                errors["day_of_month"] = "A day of the month runs from 1 to 31."
        else:
            errors["rule_kind"] = "Choose how the meeting repeats."
        return errors


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def nth_weekday(year: int, month: int, week: int, weekday: int) -> date:
    """The ``week``-th (1..4, or -1 for last) ``weekday`` of the month."""
    if week == LAST:
        last_day = calendar.monthrange(year, month)[1]
        last = date(year, month, last_day)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def day_in_month(year: int, month: int, day: int) -> date:
    """That day of the month, moved to the month's last day when the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def date_in_month(rule: Rule, year: int, month: int) -> date:
    """The one date the rule gives in that month (every rule gives exactly one)."""
    if rule.problems():
        raise ValueError(f"Unusable rule: {rule.problems()}")
    if rule.kind == "nth_weekday":
        return nth_weekday(year, month, rule.week_of_month, rule.weekday)
    return day_in_month(year, month, rule.day_of_month)


def occurrence_dates(rule: Rule, first: date, last: date) -> list[date]:
    """Local dates of occurrences from ``first`` to ``last``, both included."""
    dates = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        day = date_in_month(rule, cursor.year, cursor.month)
        if first <= day <= last:
            dates.append(day)
        cursor = add_months(cursor, 1)
    return dates


def local_to_utc(day: date, wall_time: time, tz_name: str) -> datetime:
    """The UTC instant of a wall-clock time on a date in a zone (see the module notes on DST)."""
    local = datetime.combine(day, wall_time.replace(tzinfo=None), tzinfo=zoneinfo.ZoneInfo(tz_name))
    # fold=0: for a repeated time, the first (daylight) one; for a skipped time, the offset
    # before the gap. zoneinfo does exactly that for fold=0, and so does RFC 5545.
    return local.replace(fold=0).astimezone(UTC)


def occurrence_times(
    rule: Rule, *, wall_time: time, duration_minutes: int, tz_name: str, first: date, last: date
) -> list[tuple[date, datetime, datetime]]:
    """(local date, start UTC, end UTC) for each occurrence in the window."""
    result = []
    for day in occurrence_dates(rule, first, last):
        start = local_to_utc(day, wall_time, tz_name)
        result.append((day, start, start + timedelta(minutes=duration_minutes)))
    return result


def next_occurrences(
    rule: Rule, *, wall_time: time, duration_minutes: int, tz_name: str, after: datetime, count: int = 6
) -> list[tuple[date, datetime, datetime]]:
    """The first ``count`` occurrences that start after ``after``, as a series scheduled at that
    moment would create them: (local date, start UTC, end UTC). Every rule gives one date a month,
    so this looks at ``count`` + 1 months at most."""
    today = after.astimezone(zoneinfo.ZoneInfo(tz_name)).date()
    result = []
    cursor = date(today.year, today.month, 1)
    while len(result) < count:
        day = date_in_month(rule, cursor.year, cursor.month)
        start = local_to_utc(day, wall_time, tz_name)
        if start > after:
            result.append((day, start, start + timedelta(minutes=duration_minutes)))
        cursor = add_months(cursor, 1)
    return result
