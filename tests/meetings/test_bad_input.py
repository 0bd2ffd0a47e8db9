"""Bad input gets a clear message on the form, and nothing is half-saved."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Meeting, MeetingSeries
from tests.factories import AgendaItemFactory, MeetingFactory

from .test_who_may_schedule import schedule_post, series_post

pytestmark = pytest.mark.django_db


def post_series(client, **overrides):
    return client.post(reverse("meetings:series_create"), series_post(**overrides))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"week_of_month": "5"}, "week_of_month", "not every month has a fifth"),
        ({"week_of_month": ""}, "week_of_month", "Choose which week"),
        ({"weekday": ""}, "weekday", "Choose the day of the week"),
        ({"rule_kind": "day_of_month", "day_of_month": ""}, "day_of_month", "Choose the day of the month"),
        ({"rule_kind": "day_of_month", "day_of_month": "0"}, "day_of_month", "runs from 1 to 31"),
        ({"rule_kind": "day_of_month", "day_of_month": "32"}, "day_of_month", "runs from 1 to 31"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "not a time zone we know"),
        ({"video_link": "ftp://files.example.org/call"}, "video_link", "http:// or https://"),
        ({"video_link": "javascript:alert(1)"}, "video_link", "http:// or https://"),
        ({"duration_minutes": "0"}, "duration_minutes", "at least 5 minutes"),
        ({"local_start_time": "25:00"}, "local_start_time", "Enter a valid time"),
        ({"description": "[" * 5001}, "description", "at most 5000 characters"),
    ],
)
def test_series_form_explains_what_is_wrong_and_saves_nothing(partnership_admin_client, overrides, field, message):
    response = post_series(partnership_admin_client, **overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


def test_day_of_month_rule_ignores_leftover_weekday_fields(partnership_admin_client, frozen_now):
    post_series(partnership_admin_client, rule_kind="day_of_month", day_of_month="31")
    series = MeetingSeries.objects.get()
    assert (series.week_of_month, series.weekday, series.day_of_month) == (None, None, 31)


def test_series_form_help_explains_the_short_month_rule(partnership_admin_client):
    page = partnership_admin_client.get(reverse("meetings:series_create")).content.decode()
    assert "moves to the month&#x27;s last day" in page or "moves to the month's last day" in page


def test_one_off_meeting_is_stored_in_utc(partnership_admin_client):
    response = partnership_admin_client.post(reverse("meetings:schedule"), schedule_post())
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.start == dt.datetime(2030, 3, 12, 19, 0, tzinfo=dt.UTC)  # 14:00 CDT
    assert meeting.time_zone == "America/Chicago" and meeting.created_by.email == "dana@example.org"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": "13:00"}, "end_time"),
        ({"end_time": "14:00"}, "end_time"),
        ({"time_zone": "Nowhere/City"}, "time_zone"),
        ({"video_link": "mailto:x@example.org"}, "video_link"),
        ({"date": "2030-02-30"}, "date"),
        ({"title": ""}, "title"),
    ],
)
def test_one_off_meeting_with_bad_input_is_not_saved(partnership_admin_client, overrides, field):
    response = partnership_admin_client.post(reverse("meetings:schedule"), schedule_post(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Meeting.objects.exists()


def test_unknown_meeting_is_404(client, db):
    assert client.get("/meetings/424242/").status_code == 404
    assert client.get("/meetings/series/424242/").status_code == 404


def test_a_silly_page_number_still_shows_a_page(client, db):
    assert client.get(reverse("meetings:list") + "?page=abc").status_code == 200
    assert client.get(reverse("meetings:archive") + "?page=99999").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": "08:00"}, "end_time", "must end after it starts"),
        ({"time_zone": "Atlantis/Central"}, "time_zone", "not a time zone we know"),
        ({"date": "2030-13-01"}, "date", "valid date"),
        ({"start_time": "noonish"}, "start_time", "valid time"),
    ],
)
def test_moving_with_bad_input_explains_and_changes_nothing(partnership_admin_client, overrides, field, message):
    meeting = MeetingFactory()
    before = (meeting.start, meeting.end, meeting.time_zone)
    data = {"date": "2030-07-10", "start_time": "09:00", "end_time": "10:00", "time_zone": "America/Denver"}
    response = partnership_admin_client.post(reverse("meetings:move", args=[meeting.pk]), data | overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    meeting.refresh_from_db()
    assert (meeting.start, meeting.end, meeting.time_zone) == before
    assert meeting.sequence == 0 and not meeting.is_customized


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://files.example.org/x", "not a link"])
def test_editing_a_meeting_with_a_bad_video_link_changes_nothing(partnership_admin_client, link):
    meeting = MeetingFactory(video_link="https://meet.example.org/ok")
    response = partnership_admin_client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {"title": "New title", "description": "", "video_link": link, "host_coalition": ""},
    )
    assert response.status_code == 200 and response.context["form"].errors["video_link"]
    meeting.refresh_from_db()
    assert (meeting.title, meeting.video_link, meeting.sequence) == (
        "Partnership monthly call",
        "https://meet.example.org/ok",
        0,
    )


def test_an_agenda_with_a_bad_row_saves_none_of_it(partnership_admin_client):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, title="Kept item")
    data = {
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-0-title": "Fine item",
        "agenda-1-title": "Bad item",
        "agenda-1-duration_minutes": "-5",
    }
    response = partnership_admin_client.post(reverse("meetings:agenda", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert [i.title for i in meeting.agenda_items.all()] == ["Kept item"]


def test_editing_a_series_with_bad_input_leaves_it_and_its_meetings_alone(partnership_admin_client, series):
    response = partnership_admin_client.post(
        reverse("meetings:series_edit", args=[series.pk]), series_post(title="Renamed", week_of_month="5")
    )
    assert response.status_code == 200 and response.context["form"].errors["week_of_month"]
    assert "Edit “Partnership monthly call”" in response.content.decode()
    series.refresh_from_db()
    assert series.title == "Partnership monthly call"
    assert set(series.meetings.values_list("title", "sequence")) == {("Partnership monthly call", 0)}


def test_forged_agenda_row_count_builds_no_more_rows_than_an_agenda_may_have(
    coalition_admin_client, coalition, unchanged_database
):
    """A POST claiming a million agenda rows is refused without building them. Django's formsets
    stop at ``absolute_max``, which defaults to max_num + 1,000: 1,040 forms validated and rendered
    (seconds of CPU and a 1.7 MB page) for a 100-byte request, unless the formset sets it to 40."""
    meeting = MeetingFactory(host_coalition=coalition)
    data = {
        "agenda-TOTAL_FORMS": "1000000",
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
        "agenda-0-title": "Curb data standards",
        "agenda-0-duration_minutes": "15",
        "agenda-0-ORDER": "1",
    }
    with unchanged_database():
        response = coalition_admin_client.post(reverse("meetings:agenda", args=[meeting.pk]), data)
    assert response.status_code in (200, 400)
    assert len(response.context["formset"].forms) <= 40
