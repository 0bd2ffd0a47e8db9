"""The monthly rules and the wall-time → UTC conversion, as pure functions."""

import datetime as dt
import zoneinfo

import pytest

from meetings.recurrence import (
    LAST,
    Rule,
    add_months,
    date_in_month,
    local_to_utc,
    nth_weekday,
    occurrence_dates,
    occurrence_times,
)

TUESDAY, FRIDAY = 1, 4


def test_second_tuesday_of_each_month():
    assert nth_weekday(2027, 1, 2, TUESDAY) == dt.date(2027, 1, 12)
    assert nth_weekday(2027, 6, 2, TUESDAY) == dt.date(2027, 6, 8)
    # The month starts on a Tuesday: the first Tuesday is the 1st, the second the 8th.
    assert nth_weekday(2027, 6, 1, TUESDAY) == dt.date(2027, 6, 1)


def test_last_weekday_of_the_month():
    assert nth_weekday(2027, 1, LAST, FRIDAY) == dt.date(2027, 1, 29)
    # The month ends on a Friday: the last Friday is the last day.
    assert nth_weekday(2027, 4, LAST, FRIDAY) == dt.date(2027, 4, 30)
    assert nth_weekday(2028, 2, LAST, TUESDAY) == dt.date(2028, 2, 29)


def test_day_31_moves_to_the_last_day_of_february_and_april():
    rule = Rule(kind="day_of_month", day_of_month=31)
    assert date_in_month(rule, 2027, 2) == dt.date(2027, 2, 28)
    assert date_in_month(rule, 2028, 2) == dt.date(2028, 2, 29)  # leap year
    assert date_in_month(rule, 2027, 4) == dt.date(2027, 4, 30)
    assert date_in_month(rule, 2027, 5) == dt.date(2027, 5, 31)


def test_day_31_rule_gives_one_meeting_every_month_of_a_year():
    dates = occurrence_dates(Rule(kind="day_of_month", day_of_month=31), dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert len(dates) == 12
    assert [d.month for d in dates] == list(range(1, 13))


def test_window_bounds_are_inclusive_and_skip_dates_outside():
    rule = Rule(kind="nth_weekday", week_of_month=2, weekday=TUESDAY)
    dates = occurrence_dates(rule, dt.date(2027, 1, 12), dt.date(2027, 3, 8))
    assert dates == [dt.date(2027, 1, 12), dt.date(2027, 2, 9)]


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 15), 3) == dt.date(2028, 2, 15)
    assert add_months(dt.date(2027, 3, 10), -4) == dt.date(2026, 11, 10)


def test_denver_11am_stays_11am_across_the_march_change():
    rule = Rule(kind="nth_weekday", week_of_month=2, weekday=TUESDAY)
    times = occurrence_times(
        rule, wall_time=dt.time(11), duration_minutes=60, tz_name="America/Denver",
        first=dt.date(2027, 2, 1), last=dt.date(2027, 4, 30),
    )  # fmt: skip
    denver = zoneinfo.ZoneInfo("America/Denver")
    # 2027 springs forward on 14 March: 9 Feb and 9 Mar are MST (UTC-7), 13 Apr is MDT (UTC-6).
    assert [start for _, start, _ in times] == [
        dt.datetime(2027, 2, 9, 18, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 9, 18, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 4, 13, 17, 0, tzinfo=dt.UTC),
    ]
    assert {start.astimezone(denver).strftime("%H:%M") for _, start, _ in times} == {"11:00"}
    assert all(end - start == dt.timedelta(hours=1) for _, start, end in times)


def test_denver_series_moves_one_hour_in_utc_between_before_and_after_daylight_saving():
    rule = Rule(kind="nth_weekday", week_of_month=3, weekday=TUESDAY)
    march = local_to_utc(date_in_month(rule, 2027, 3), dt.time(11), "America/Denver")  # 16 Mar: MDT
    november = local_to_utc(date_in_month(rule, 2027, 11), dt.time(11), "America/Denver")  # 16 Nov: MST
    october = local_to_utc(date_in_month(rule, 2027, 10), dt.time(11), "America/Denver")  # 19 Oct: MDT
    assert march == dt.datetime(2027, 3, 16, 17, 0, tzinfo=dt.UTC)
    assert october == dt.datetime(2027, 10, 19, 17, 0, tzinfo=dt.UTC)
    assert november == dt.datetime(2027, 11, 16, 18, 0, tzinfo=dt.UTC)


def test_a_skipped_local_time_on_spring_forward_day_lands_an_hour_later():
    # 14 Mar 2027, 02:30 does not exist in Denver: read with the offset before the gap (MST).
    start = local_to_utc(dt.date(2027, 3, 14), dt.time(2, 30), "America/Denver")
    assert start == dt.datetime(2027, 3, 14, 9, 30, tzinfo=dt.UTC)
    assert start.astimezone(zoneinfo.ZoneInfo("America/Denver")).strftime("%H:%M %Z") == "03:30 MDT"


def test_a_repeated_local_time_on_fall_back_day_means_the_first_one():
    # 7 Nov 2027, 01:30 happens twice in Denver; the first is still daylight time (UTC-6).
    start = local_to_utc(dt.date(2027, 11, 7), dt.time(1, 30), "America/Denver")
    assert start == dt.datetime(2027, 11, 7, 7, 30, tzinfo=dt.UTC)


def test_phoenix_has_no_daylight_saving():
    winter = local_to_utc(dt.date(2027, 1, 12), dt.time(11), "America/Phoenix")
    summer = local_to_utc(dt.date(2027, 7, 13), dt.time(11), "America/Phoenix")
    assert winter.hour == summer.hour == 18


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule(kind="nth_weekday", week_of_month=5, weekday=TUESDAY), "week_of_month"),
        (Rule(kind="nth_weekday", week_of_month=None, weekday=TUESDAY), "week_of_month"),
        (Rule(kind="nth_weekday", week_of_month=2, weekday=None), "weekday"),
        (Rule(kind="nth_weekday", week_of_month=2, weekday=7), "weekday"),
        (Rule(kind="day_of_month", day_of_month=None), "day_of_month"),
        (Rule(kind="day_of_month", day_of_month=0), "day_of_month"),
        (Rule(kind="day_of_month", day_of_month=32), "day_of_month"),
        (Rule(kind="weekly"), "rule_kind"),
    ],
)
def test_unusable_rules_are_named_by_field(rule, field):
    assert field in rule.problems()
    with pytest.raises(ValueError):
        date_in_month(rule, 2027, 1)


def test_usable_rules_have_no_problems():
    assert Rule(kind="nth_weekday", week_of_month=LAST, weekday=6).problems() == {}
    assert Rule(kind="day_of_month", day_of_month=29).problems() == {}


# --- Windows that do not start on the 1st or end on the last day ---------------------------------


@pytest.mark.parametrize(
    ("rule", "first", "last", "expected"),
    [
        # Starts mid-month after that month's meeting: the first one is next month's.
        (
            Rule(kind="nth_weekday", week_of_month=2, weekday=TUESDAY),
            dt.date(2027, 1, 20),
            dt.date(2027, 4, 30),
            [dt.date(2027, 2, 9), dt.date(2027, 3, 9), dt.date(2027, 4, 13)],
        ),
        # Starts mid-month before that month's meeting: this month's counts.
        (
            Rule(kind="day_of_month", day_of_month=20),
            dt.date(2027, 1, 15),
            dt.date(2027, 3, 31),
            [dt.date(2027, 1, 20), dt.date(2027, 2, 20), dt.date(2027, 3, 20)],
        ),
        # Ends on the 1st, and the rule meets on the 1st: that last day is in.
        (
            Rule(kind="day_of_month", day_of_month=1),
            dt.date(2027, 3, 15),
            dt.date(2027, 6, 1),
            [dt.date(2027, 4, 1), dt.date(2027, 5, 1), dt.date(2027, 6, 1)],
        ),
        # Ends on the 1st, the month's meeting is later: nothing after the window.
        (
            Rule(kind="nth_weekday", week_of_month=LAST, weekday=FRIDAY),
            dt.date(2027, 1, 15),
            dt.date(2027, 4, 1),
            [dt.date(2027, 1, 29), dt.date(2027, 2, 26), dt.date(2027, 3, 26)],
        ),
        # A window inside one month, across the year's end, and a single day.
        (
            Rule(kind="day_of_month", day_of_month=31),
            dt.date(2027, 2, 10),
            dt.date(2027, 2, 28),
            [dt.date(2027, 2, 28)],
        ),
        (
            Rule(kind="day_of_month", day_of_month=5),
            dt.date(2027, 12, 6),
            dt.date(2028, 2, 5),
            [dt.date(2028, 1, 5), dt.date(2028, 2, 5)],
        ),
        (Rule(kind="day_of_month", day_of_month=1), dt.date(2027, 6, 1), dt.date(2027, 6, 1), [dt.date(2027, 6, 1)]),
    ],
)
def test_windows_keep_every_occurrence_in_range_and_none_outside(rule, first, last, expected):
    assert occurrence_dates(rule, first, last) == expected


def test_a_twelve_month_plan_from_mid_month_holds_twelve_or_thirteen_meetings_all_in_range():
    rule = Rule(kind="day_of_month", day_of_month=1)
    today = dt.date(2027, 5, 17)

    dates = occurrence_dates(rule, today, add_months(today, 12))

    assert dates[0] == dt.date(2027, 6, 1)
    assert dates[-1] == dt.date(2028, 5, 1)
    assert len(dates) == 12
    assert all(today <= day <= add_months(today, 12) for day in dates)


def test_occurrence_times_follow_the_same_window():
    rule = Rule(kind="day_of_month", day_of_month=1)
    times = occurrence_times(
        rule, wall_time=dt.time(9, 30), duration_minutes=45, tz_name="America/Chicago",
        first=dt.date(2027, 1, 2), last=dt.date(2027, 3, 1),
    )  # fmt: skip
    utc = dt.UTC
    assert times == [
        (dt.date(2027, 2, 1), dt.datetime(2027, 2, 1, 15, 30, tzinfo=utc), dt.datetime(2027, 2, 1, 16, 15, tzinfo=utc)),
        (dt.date(2027, 3, 1), dt.datetime(2027, 3, 1, 15, 30, tzinfo=utc), dt.datetime(2027, 3, 1, 16, 15, tzinfo=utc)),
    ]
