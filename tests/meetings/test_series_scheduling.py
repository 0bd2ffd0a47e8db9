"""Creating and editing a series plans its occurrences in the series' zone, future only."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import Meeting, MeetingSeries
from meetings.tasks import extend_horizons

from .conftest import NOW, series_data

pytestmark = pytest.mark.django_db
DENVER = zoneinfo.ZoneInfo("America/Denver")


def test_creating_a_series_plans_twelve_months_at_11_denver_time(series):
    meetings = list(series.meetings.order_by("start"))
    assert len(meetings) == 12
    assert meetings[0].occurrence_date == dt.date(2027, 1, 12)
    assert meetings[-1].occurrence_date == dt.date(2027, 12, 14)
    assert {m.start.astimezone(DENVER).strftime("%H:%M") for m in meetings} == {"11:00"}
    # UTC moves with daylight saving: 18:00 UTC in winter, 17:00 UTC in summer.
    by_month = {m.occurrence_date.month: m.start for m in meetings}
    assert by_month[3] == dt.datetime(2027, 3, 9, 18, 0, tzinfo=dt.UTC)
    assert by_month[4] == dt.datetime(2027, 4, 13, 17, 0, tzinfo=dt.UTC)
    assert by_month[11] == dt.datetime(2027, 11, 9, 18, 0, tzinfo=dt.UTC)
    assert all(m.end - m.start == dt.timedelta(hours=1) for m in meetings)
    assert all(m.created_by == series.created_by and m.video_link == series.video_link for m in meetings)


def test_a_series_whose_day_already_passed_this_month_starts_next_month(partnership_admin, frozen_now):
    # 5 Jan: the first Monday (4 Jan) has passed.
    created = services.create_series(by=partnership_admin, data=series_data(week_of_month=1, weekday=0))
    assert created.meetings.order_by("start").first().occurrence_date == dt.date(2027, 2, 1)


def test_extending_the_horizon_twice_adds_nothing_the_second_time(series):
    assert services.extend_series_horizon(series=series) == 0
    assert series.meetings.count() == 12


def test_the_horizon_rolls_forward_a_month_later(series):
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        assert services.extend_series_horizon(series=series) == 1
    assert series.meetings.order_by("start").last().occurrence_date == dt.date(2028, 1, 11)


def test_the_daily_task_extends_every_series_and_is_safe_to_repeat(series):
    with time_machine.travel(NOW + dt.timedelta(days=62), tick=False):
        assert extend_horizons.delay().get() == 2
        assert extend_horizons.delay().get() == 0
    assert series.meetings.count() == 14


def test_the_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "meetings.tasks.extend_horizons" in tasks


def test_a_last_friday_series(partnership_admin, frozen_now):
    created = services.create_series(by=partnership_admin, data=series_data(week_of_month=-1, weekday=4))
    dates = [m.occurrence_date for m in created.meetings.order_by("start")[:4]]
    assert dates == [dt.date(2027, 1, 29), dt.date(2027, 2, 26), dt.date(2027, 3, 26), dt.date(2027, 4, 30)]


def test_a_day_31_series_meets_on_the_last_day_of_short_months(partnership_admin, frozen_now):
    created = services.create_series(
        by=partnership_admin,
        data=series_data(
            rule_kind=MeetingSeries.RuleKind.DAY_OF_MONTH, week_of_month=None, weekday=None, day_of_month=31
        ),
    )
    dates = {m.occurrence_date.month: m.occurrence_date for m in created.meetings.all()}
    assert dates[2] == dt.date(2027, 2, 28)
    assert dates[4] == dt.date(2027, 4, 30)
    assert dates[5] == dt.date(2027, 5, 31)
    assert len(dates) == 12


def test_editing_the_time_changes_future_occurrences_only(series, partnership_admin):
    past = series.meetings.order_by("start").first()
    with time_machine.travel(dt.datetime(2027, 2, 1, tzinfo=dt.UTC), tick=False):
        changed = services.update_series(by=partnership_admin, series=series, data={"local_start_time": dt.time(9, 30)})
    past.refresh_from_db()
    assert past.start.astimezone(DENVER).strftime("%H:%M") == "11:00"
    assert past.sequence == 0
    future = list(series.meetings.filter(start__gt=dt.datetime(2027, 2, 1, tzinfo=dt.UTC)).order_by("start"))
    assert changed == 11
    # Eleven re-planned (calendars see a new SEQUENCE), and the horizon rolled on by one month.
    assert len(future) == 12
    assert {m.start.astimezone(DENVER).strftime("%H:%M") for m in future} == {"09:30"}
    assert [m.sequence for m in future] == [1] * 11 + [0]


def test_editing_the_rule_moves_each_future_meeting_within_its_month(series, frozen_now, partnership_admin):
    rsvp_meeting = series.meetings.get(occurrence_date=dt.date(2027, 3, 9))
    services.update_series(
        by=partnership_admin, series=series, data={"week_of_month": 3, "weekday": 2}
    )  # third Wednesday
    rsvp_meeting.refresh_from_db()
    assert rsvp_meeting.occurrence_date == dt.date(2027, 3, 17)
    assert series.meetings.count() == 12  # the same meetings (and their RSVPs), re-dated


def test_editing_keeps_occurrences_changed_one_by_one(series, frozen_now, partnership_admin):
    moved = series.meetings.get(occurrence_date=dt.date(2027, 5, 11))
    new_start = dt.datetime(2027, 5, 12, 16, 0, tzinfo=dt.UTC)
    services.move_meeting(by=partnership_admin, meeting=moved, start=new_start, end=new_start + dt.timedelta(hours=1))
    services.update_series(by=partnership_admin, series=series, data={"title": "Partnership call"})
    moved.refresh_from_db()
    assert moved.start == new_start
    assert moved.title == "Partnership monthly call"
    assert series.meetings.filter(title="Partnership call").count() == 11


def test_editing_with_reset_returns_changed_occurrences_to_the_schedule(series, frozen_now, partnership_admin):
    moved = series.meetings.get(occurrence_date=dt.date(2027, 5, 11))
    cancelled = series.meetings.get(occurrence_date=dt.date(2027, 6, 8))
    new_start = dt.datetime(2027, 5, 12, 16, 0, tzinfo=dt.UTC)
    services.move_meeting(by=partnership_admin, meeting=moved, start=new_start, end=new_start + dt.timedelta(hours=1))
    services.cancel_meeting(by=partnership_admin, meeting=cancelled)
    services.update_series(
        by=partnership_admin, series=series, data={"title": "Partnership call"}, reset_customized=True
    )
    moved.refresh_from_db()
    cancelled.refresh_from_db()
    assert moved.start == dt.datetime(2027, 5, 11, 17, 0, tzinfo=dt.UTC)
    assert not moved.is_customized and moved.title == "Partnership call"
    assert cancelled.status == Meeting.Status.SCHEDULED
    assert cancelled.sequence == 2  # cancelled, then reinstated by the reset


def test_a_meeting_whose_new_time_already_passed_is_cancelled(series, partnership_admin):
    # On 10 Jan, move the series from the second Tuesday (12 Jan) to the first Tuesday (5 Jan).
    with time_machine.travel(dt.datetime(2027, 1, 10, tzinfo=dt.UTC), tick=False):
        services.update_series(by=partnership_admin, series=series, data={"week_of_month": 1})
    january = series.meetings.get(occurrence_date=dt.date(2027, 1, 5))
    assert january.status == Meeting.Status.CANCELLED
    assert not series.meetings.filter(status=Meeting.Status.SCHEDULED, start__lt=dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    assert series.meetings.get(occurrence_date=dt.date(2027, 2, 2)).status == Meeting.Status.SCHEDULED


def test_an_unusable_rule_is_refused_and_nothing_is_saved(partnership_admin, frozen_now):
    with pytest.raises(ValidationError) as refused:
        services.create_series(by=partnership_admin, data=series_data(week_of_month=5))
    assert "week_of_month" in refused.value.message_dict
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


def test_an_edit_with_an_unknown_zone_changes_nothing(series, partnership_admin):
    with pytest.raises(ValidationError):
        services.update_series(
            by=partnership_admin, series=series, data={"time_zone": "Mars/Olympus_Mons", "title": "Changed"}
        )
    series.refresh_from_db()
    assert series.title == "Partnership monthly call"
    assert series.time_zone == "America/Denver"
