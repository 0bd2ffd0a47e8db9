"""Meetings fixtures: a series scheduled at a fixed moment."""

import datetime as dt

import pytest
import time_machine

from meetings import services
from meetings.models import MeetingSeries

# A Tuesday in January: standard time in Denver, the second Tuesday a week away.
NOW = dt.datetime(2027, 1, 5, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _long_sessions(settings):
    # Clients log in at the real time, then tests travel to NOW and beyond: keep them signed in.
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 365 * 20


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def series_data(**overrides) -> dict:
    """What the series form hands the service: second Tuesday, 11:00 Denver, one hour."""
    data = {
        "title": "Partnership monthly call",
        "description": "Updates from every coalition.",
        "rule_kind": MeetingSeries.RuleKind.NTH_WEEKDAY,
        "week_of_month": 2,
        "weekday": 1,
        "day_of_month": None,
        "local_start_time": dt.time(11, 0),
        "duration_minutes": 60,
        "time_zone": "America/Denver",
        "video_link": "https://meet.example.org/partnership",
        "host_coalition": None,
        "reminder_audience": MeetingSeries.Audience.ALL_MEMBERS,
    }
    data.update(overrides)
    return data


@pytest.fixture
def series(partnership_admin, frozen_now):
    return services.create_series(by=partnership_admin, data=series_data())


@pytest.fixture
def hosted_series(coalition_admin, coalition, frozen_now):
    """A series the ``coalition`` hosts (so its admin manages it)."""
    return services.create_series(
        by=coalition_admin, data=series_data(title="CSCA mobility call", host_coalition=coalition)
    )
