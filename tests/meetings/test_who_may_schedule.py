"""Partnership admins schedule everything; coalition admins what their coalition hosts; members,
other coalitions' admins and visitors never."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import services
from meetings.models import CalendarToken, Meeting, MeetingFile, MeetingSeries
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


@pytest.fixture
def hosted_meeting(coalition):
    return MeetingFactory(host_coalition=coalition)


MEETING_PAGES = ["meetings:edit", "meetings:move", "meetings:cancel", "meetings:agenda", "meetings:minutes"]


def posts_for(meeting):
    """A valid POST for each management page, so a refusal is about the role, not the input."""
    local = meeting.local_start()
    return {
        "meetings:edit": {"title": "Hijacked", "description": "", "video_link": "", "host_coalition": ""},
        "meetings:move": {
            "date": (local + dt.timedelta(days=1)).date().isoformat(),
            "start_time": "09:00",
            "end_time": "10:00",
            "time_zone": "America/Denver",
        },
        "meetings:cancel": {},
        "meetings:agenda": {
            "agenda-TOTAL_FORMS": "1",
            "agenda-INITIAL_FORMS": "0",
            "agenda-0-title": "Hijacked item",
        },
        "meetings:minutes": {"minutes": "Hijacked minutes"},
    }


def assert_unchanged(meeting):
    before_start = meeting.start
    meeting.refresh_from_db()
    assert meeting.title != "Hijacked"
    assert meeting.start == before_start
    assert meeting.status == Meeting.Status.SCHEDULED
    assert meeting.sequence == 0
    assert not meeting.agenda_items.exists()
    assert meeting.minutes == ""


@pytest.mark.parametrize("url_name", MEETING_PAGES)
def test_member_cannot_change_a_meeting(member_client, hosted_meeting, url_name):
    url = reverse(url_name, args=[hosted_meeting.pk])
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, posts_for(hosted_meeting)[url_name]).status_code == 403
    assert_unchanged(hosted_meeting)


@pytest.mark.parametrize("url_name", MEETING_PAGES)
def test_admin_of_another_coalition_cannot_change_a_meeting(other_admin_client, hosted_meeting, url_name):
    url = reverse(url_name, args=[hosted_meeting.pk])
    assert other_admin_client.post(url, posts_for(hosted_meeting)[url_name]).status_code == 403
    assert_unchanged(hosted_meeting)


@pytest.mark.parametrize("url_name", MEETING_PAGES)
def test_visitor_is_sent_to_log_in(client, hosted_meeting, url_name):
    response = client.post(reverse(url_name, args=[hosted_meeting.pk]), posts_for(hosted_meeting)[url_name])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert_unchanged(hosted_meeting)


def test_coalition_admin_cannot_change_a_partnership_meeting(coalition_admin_client):
    partnership_meeting = MeetingFactory(host_coalition=None)
    response = coalition_admin_client.post(reverse("meetings:cancel", args=[partnership_meeting.pk]), CONFIRMED)
    assert response.status_code == 403
    assert_unchanged(partnership_meeting)


def test_host_coalition_admin_cancels_their_meeting(coalition_admin_client, hosted_meeting):
    response = coalition_admin_client.post(reverse("meetings:cancel", args=[hosted_meeting.pk]), CONFIRMED)
    assert response.status_code == 302
    hosted_meeting.refresh_from_db()
    assert hosted_meeting.status == Meeting.Status.CANCELLED


def test_partnership_admin_edits_any_meeting(partnership_admin_client, hosted_meeting):
    data = posts_for(hosted_meeting)["meetings:edit"] | {"title": "Renamed"}
    assert partnership_admin_client.post(reverse("meetings:edit", args=[hosted_meeting.pk]), data).status_code == 302
    hosted_meeting.refresh_from_db()
    assert hosted_meeting.title == "Renamed"


def test_host_admin_reinstates_a_cancelled_meeting_after_confirming(coalition_admin_client, hosted_meeting):
    hosted_meeting.status = Meeting.Status.CANCELLED
    hosted_meeting.save()
    url = reverse("meetings:reinstate", args=[hosted_meeting.pk])
    assert "Reinstate this meeting?" in coalition_admin_client.get(url).content.decode()
    coalition_admin_client.post(url, CONFIRMED)
    hosted_meeting.refresh_from_db()
    assert hosted_meeting.status == Meeting.Status.SCHEDULED


def series_post(**overrides):
    data = {
        "title": "Monthly call",
        "description": "",
        "rule_kind": "nth_weekday",
        "week_of_month": "2",
        "weekday": "1",
        "day_of_month": "",
        "local_start_time": "11:00",
        "duration_minutes": "60",
        "time_zone": "America/Denver",
        "video_link": "https://meet.example.org/x",
        "host_coalition": "",
        "reminder_audience": "all",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("page", ["meetings:series_create", "meetings:schedule"])
def test_member_cannot_open_the_scheduling_forms(member_client, page):
    assert member_client.get(reverse(page)).status_code == 403


def test_member_cannot_create_a_series(member_client, coalition):
    response = member_client.post(reverse("meetings:series_create"), series_post(host_coalition=coalition.pk))
    assert response.status_code == 403
    assert not MeetingSeries.objects.exists()


def test_visitor_cannot_create_a_series(client, db):
    assert client.post(reverse("meetings:series_create"), series_post()).status_code == 302
    assert not MeetingSeries.objects.exists()


def test_coalition_admin_creates_a_series_only_for_their_own_coalition(
    coalition_admin_client, coalition, other_coalition
):
    refused = coalition_admin_client.post(
        reverse("meetings:series_create"), series_post(host_coalition=other_coalition.pk)
    )
    assert refused.status_code == 200 and refused.context["form"].errors["host_coalition"]
    partnership_wide = coalition_admin_client.post(reverse("meetings:series_create"), series_post())
    assert partnership_wide.context["form"].errors["host_coalition"]
    assert not MeetingSeries.objects.exists()
    created = coalition_admin_client.post(reverse("meetings:series_create"), series_post(host_coalition=coalition.pk))
    assert created.status_code == 302
    assert MeetingSeries.objects.get().host_coalition == coalition


def test_admin_of_another_coalition_cannot_edit_a_hosted_series(other_admin_client, hosted_series):
    url = reverse("meetings:series_edit", args=[hosted_series.pk])
    assert other_admin_client.post(url, series_post(title="Hijacked")).status_code == 403
    hosted_series.refresh_from_db()
    assert hosted_series.title == "CSCA mobility call"


def test_member_cannot_edit_a_series(member_client, hosted_series):
    assert (
        member_client.post(reverse("meetings:series_edit", args=[hosted_series.pk]), series_post()).status_code == 403
    )


def test_partnership_admin_creates_a_series_and_sees_its_meetings(partnership_admin_client, frozen_now):
    response = partnership_admin_client.post(reverse("meetings:series_create"), series_post())
    series = MeetingSeries.objects.get()
    assert response["Location"] == series.get_absolute_url()
    assert series.meetings.count() == 12
    page = partnership_admin_client.get(series.get_absolute_url()).content.decode()
    assert "Second Tuesday of every month, 11:00 (America/Denver)" in page


def test_host_admin_edits_the_series_and_resets_changed_occurrences(coalition_admin_client, hosted_series, coalition):
    moved = hosted_series.meetings.order_by("start")[2]
    moved.title = "Special"
    moved.is_customized = True
    moved.save()
    url = reverse("meetings:series_edit", args=[hosted_series.pk])
    data = series_post(title="CSCA call", host_coalition=coalition.pk, reset_customized="on")
    assert coalition_admin_client.post(url, data).status_code == 302
    moved.refresh_from_db()
    assert moved.title == "CSCA call"


@pytest.fixture
def cancelled_meeting(coalition):
    return MeetingFactory(host_coalition=coalition, status=Meeting.Status.CANCELLED)


@pytest.mark.parametrize("who", ["member_client", "other_admin_client"])
def test_only_organizers_may_reinstate(request, cancelled_meeting, who):
    url = reverse("meetings:reinstate", args=[cancelled_meeting.pk])
    caller = request.getfixturevalue(who)
    assert caller.get(url).status_code == 403
    assert caller.post(url).status_code == 403
    cancelled_meeting.refresh_from_db()
    assert cancelled_meeting.status == Meeting.Status.CANCELLED and cancelled_meeting.sequence == 0


def test_visitor_cannot_reinstate(client, cancelled_meeting):
    response = client.post(reverse("meetings:reinstate", args=[cancelled_meeting.pk]), CONFIRMED)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    cancelled_meeting.refresh_from_db()
    assert cancelled_meeting.status == Meeting.Status.CANCELLED


def pdf_upload():
    return SimpleUploadedFile("slides.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


@pytest.mark.parametrize("who", ["member_client", "other_admin_client", "client"])
def test_only_organizers_may_upload_files(request, hosted_meeting, who):
    response = request.getfixturevalue(who).post(
        reverse("meetings:minutes", args=[hosted_meeting.pk]), {"minutes": "", "files": [pdf_upload()]}
    )
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    assert not MeetingFile.objects.exists()


def test_host_admin_shares_slides_before_the_meeting(coalition_admin_client, hosted_meeting):
    response = coalition_admin_client.post(
        reverse("meetings:minutes", args=[hosted_meeting.pk]), {"minutes": "", "files": [pdf_upload()]}
    )
    assert response.status_code == 302
    assert hosted_meeting.files.get().original_name == "slides.pdf"


def test_visitor_cannot_reset_a_calendar_address(client, member):
    token = services.get_calendar_token(by=member).token
    response = client.post(reverse("meetings:calendar_reset"), CONFIRMED)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert CalendarToken.objects.get(user=member).token == token


def test_someone_in_no_coalition_has_no_calendar_address_to_reset(outsider_client, outsider):
    assert outsider_client.post(reverse("meetings:calendar_reset"), CONFIRMED).status_code == 403
    assert not CalendarToken.objects.filter(user=outsider).exists()


def schedule_post(**overrides):
    """A valid one-off meeting form: 14:00–15:00 Chicago time on 12 March 2030."""
    data = {
        "title": "Procurement clinic",
        "description": "",
        "date": "2030-03-12",
        "start_time": "14:00",
        "end_time": "15:00",
        "time_zone": "America/Chicago",
        "video_link": "https://meet.example.org/clinic",
        "host_coalition": "",
    }
    data.update(overrides)
    return data


def test_member_cannot_schedule_a_one_off_meeting(member_client, coalition):
    response = member_client.post(reverse("meetings:schedule"), schedule_post(host_coalition=coalition.pk))
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_visitor_cannot_schedule_a_one_off_meeting(client, db):
    response = client.post(reverse("meetings:schedule"), schedule_post())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Meeting.objects.exists()


def test_coalition_admin_schedules_one_off_meetings_for_their_coalition_only(
    coalition_admin_client, other_admin_client, coalition, other_coalition, unchanged_database
):
    url = reverse("meetings:schedule")
    with unchanged_database():
        refusals = (  # another coalition, or the partnership itself
            other_admin_client.post(url, schedule_post(host_coalition=coalition.pk)),
            other_admin_client.post(url, schedule_post()),
            coalition_admin_client.post(url, schedule_post(host_coalition=other_coalition.pk)),
            coalition_admin_client.post(url, schedule_post()),
        )
    for refused in refusals:
        assert refused.status_code == 200 and refused.context["form"].errors["host_coalition"]
    assert not Meeting.objects.exists()
    created = coalition_admin_client.post(reverse("meetings:schedule"), schedule_post(host_coalition=coalition.pk))
    meeting = Meeting.objects.get()
    assert created["Location"] == meeting.get_absolute_url()
    assert meeting.host_coalition == coalition and meeting.series is None


def test_host_admin_cannot_hand_their_meeting_to_another_coalition(
    coalition_admin_client, hosted_meeting, other_coalition
):
    data = posts_for(hosted_meeting)["meetings:edit"] | {"title": "Moved away", "host_coalition": other_coalition.pk}
    response = coalition_admin_client.post(reverse("meetings:edit", args=[hosted_meeting.pk]), data)
    assert response.context["form"].errors["host_coalition"]
    hosted_meeting.refresh_from_db()
    assert hosted_meeting.title != "Moved away"


def test_visitor_cannot_edit_a_series(client, hosted_series):
    response = client.post(reverse("meetings:series_edit", args=[hosted_series.pk]), series_post(title="Hijacked"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    hosted_series.refresh_from_db()
    assert hosted_series.title == "CSCA mobility call"


def test_coalition_admin_cannot_edit_the_partnership_series(coalition_admin_client, series, coalition):
    url = reverse("meetings:series_edit", args=[series.pk])
    assert coalition_admin_client.get(url).status_code == 403
    assert (
        coalition_admin_client.post(url, series_post(title="Hijacked", host_coalition=coalition.pk)).status_code == 403
    )
    series.refresh_from_db()
    assert series.title == "Partnership monthly call" and series.host_coalition is None


def test_host_admin_cannot_hand_their_series_to_another_coalition(
    coalition_admin_client, hosted_series, other_coalition, unchanged_database
):
    url = reverse("meetings:series_edit", args=[hosted_series.pk])
    with unchanged_database():
        response = coalition_admin_client.post(url, series_post(title="Gone", host_coalition=other_coalition.pk))
    assert response.context["form"].errors["host_coalition"]
    hosted_series.refresh_from_db()
    assert hosted_series.title == "CSCA mobility call"
    assert set(hosted_series.meetings.values_list("title", flat=True)) == {"CSCA mobility call"}


def test_partnership_admin_edits_a_series_keeping_occurrences_changed_one_by_one(partnership_admin_client, series):
    special = series.meetings.order_by("start")[2]
    special.title = "Special budget call"
    special.is_customized = True
    special.save()
    url = reverse("meetings:series_edit", args=[series.pk])
    page = partnership_admin_client.get(url).content.decode()
    assert "Also reset occurrences that were changed one by one" in page
    response = partnership_admin_client.post(url, series_post(title="Partnership call", local_start_time="12:00"))
    assert response.status_code == 302
    special.refresh_from_db()
    assert special.title == "Special budget call"
    others = series.meetings.exclude(pk=special.pk)
    assert set(others.values_list("title", flat=True)) == {"Partnership call"}
    assert {m.local_start().strftime("%H:%M") for m in others} == {"12:00"}
