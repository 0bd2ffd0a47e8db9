"""The series form previews the next six meetings before anything is saved, worked out by the same
recurrence code that schedules the series: as an HTML fragment for the form's script, and on the
page itself through a "Preview dates" button without JavaScript."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Meeting, MeetingSeries
from meetings.recurrence import Rule, next_occurrences
from tests.meetings.conftest import NOW
from tests.meetings.test_who_may_schedule import series_post

pytestmark = pytest.mark.django_db

SECOND_TUESDAY = Rule(kind="nth_weekday", week_of_month=2, weekday=1)
URL = reverse("meetings:series_preview")


def test_the_next_six_start_after_now_in_the_series_zone():
    # 5 Jan 2027: the second Tuesday of January (the 12th) is still ahead.
    found = next_occurrences(
        SECOND_TUESDAY, wall_time=dt.time(11), duration_minutes=60, tz_name="America/Denver", after=NOW
    )
    assert [day for day, _, _ in found] == [
        dt.date(2027, 1, 12),
        dt.date(2027, 2, 9),
        dt.date(2027, 3, 9),
        dt.date(2027, 4, 13),
        dt.date(2027, 5, 11),
        dt.date(2027, 6, 8),
    ]
    # 11:00 in Denver on both sides of the 14 March change: 18:00 UTC in winter, 17:00 in summer.
    assert [start.hour for _, start, _ in found] == [18, 18, 18, 17, 17, 17]
    assert all(end - start == dt.timedelta(hours=1) for _, start, end in found)


def test_a_date_already_past_this_month_is_skipped():
    after_the_12th = dt.datetime(2027, 1, 12, 18, 30, tzinfo=dt.UTC)
    found = next_occurrences(
        SECOND_TUESDAY, wall_time=dt.time(11), duration_minutes=60, tz_name="America/Denver", after=after_the_12th
    )
    assert found[0][0] == dt.date(2027, 2, 9) and len(found) == 6


def test_phoenix_has_no_daylight_saving_so_the_utc_hour_never_moves():
    found = next_occurrences(
        SECOND_TUESDAY, wall_time=dt.time(11), duration_minutes=60, tz_name="America/Phoenix", after=NOW
    )
    assert {start.hour for _, start, _ in found} == {18}


def test_the_fragment_lists_six_dates_in_the_viewers_zone_and_the_series_own(partnership_admin_client, frozen_now):
    # Dana has no zone of her own and no coalition: she sees Chicago time first.
    response = partnership_admin_client.get(URL, series_post())
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.count("<li>") == 6
    assert "Tue 12 Jan 2027, 12:00 CST (your time) · 11:00 MST (Denver)" in html
    assert "Tue 13 Apr 2027, 12:00 CDT (your time) · 11:00 MDT (Denver)" in html


def test_a_day_of_month_rule_shows_its_month_end_dates(partnership_admin_client, frozen_now):
    html = partnership_admin_client.get(
        URL, series_post(rule_kind="day_of_month", day_of_month="31", week_of_month="", weekday="")
    ).content.decode()
    assert "Sun 31 Jan 2027" in html and "Sun 28 Feb 2027" in html and "Fri 30 Apr 2027" in html


def test_the_fragment_says_what_to_fill_in_instead_of_failing(partnership_admin_client, frozen_now):
    html = partnership_admin_client.get(
        URL, {"rule_kind": "nth_weekday", "time_zone": "America/Denver"}
    ).content.decode()
    assert "To see the dates, fill in" in html
    assert "Day of the week" in html and "Start time" in html
    assert "<ol" not in html


@pytest.mark.parametrize(
    "bad",
    [
        {"weekday": "9"},
        {"week_of_month": "5"},
        {"time_zone": "Mars/Olympus_Mons"},
        {"local_start_time": "25:99"},
        {"duration_minutes": "-5"},
        {"rule_kind": "weekly"},
        {"day_of_month": "x", "rule_kind": "day_of_month"},
    ],
)
def test_bad_values_get_a_message_not_an_error_page(partnership_admin_client, frozen_now, bad):
    response = partnership_admin_client.get(URL, series_post(**bad))
    assert response.status_code == 200
    assert "To see the dates, fill in" in response.content.decode()


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
def test_only_those_who_schedule_may_preview(request, persona, frozen_now):
    assert request.getfixturevalue(persona).get(URL, series_post()).status_code == 403


def test_visitors_are_sent_to_log_in(client, frozen_now):
    response = client.get(URL, series_post())
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_the_preview_costs_a_fixed_number_of_queries(
    partnership_admin_client, frozen_now, django_assert_max_num_queries
):
    partnership_admin_client.get(URL, series_post())  # the first request of the day records the visit
    with django_assert_max_num_queries(6):
        partnership_admin_client.get(URL, series_post())


def test_without_javascript_the_preview_button_shows_dates_and_saves_nothing(coalition_admin_client, frozen_now):
    response = coalition_admin_client.post(reverse("meetings:series_create"), series_post(action="preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Next six meetings" in html and "Tue 12 Jan 2027, 11:00 MST (Denver)" in html
    assert 'value="Monthly call"' in html  # what was typed stays
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_previewing_an_edit_changes_nothing(partnership_admin_client, series):
    url = reverse("meetings:series_edit", args=[series.pk])
    shown = partnership_admin_client.get(url).content.decode()
    assert "Tue 12 Jan 2027, 12:00 CST (your time) · 11:00 MST (Denver)" in shown  # the stored rule
    starts = sorted(series.meetings.values_list("start", flat=True))
    response = partnership_admin_client.post(
        url, series_post(title="Renamed", week_of_month="1", local_start_time="09:30", action="preview")
    )
    assert "Tue 2 Feb 2027, 10:30 CST (your time) · 09:30 MST (Denver)" in response.content.decode()
    series.refresh_from_db()
    assert series.title == "Partnership monthly call" and series.week_of_month == 2
    assert sorted(series.meetings.values_list("start", flat=True)) == starts


def test_the_form_page_loads_its_script_from_a_file(partnership_admin_client, frozen_now):
    html = partnership_admin_client.get(reverse("meetings:series_create")).content.decode()
    assert 'src="/static/js/series-form.js"' in html
    assert f'data-preview-url="{URL}"' in html
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script
