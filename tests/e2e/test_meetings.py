"""Meetings in a browser: a member RSVPs and downloads the .ics, an admin schedules a series and its
agenda, and a member answers a reminder's RSVP link."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from meetings.models import MeetingSeries
from notifications.services import run_reminder_tick
from tests.factories import PASSWORD, MeetingFactory, MembershipFactory, PracticeFactory, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_sees_their_time_rsvps_and_downloads_the_calendar_file(page, live_server, coalition):
    member = UserFactory(email="paz@example.org", profile__time_zone="America/New_York")
    MembershipFactory(user=member, coalition=coalition)
    # Next week at 11:00 Denver time, whatever today is.
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    meeting = MeetingFactory(title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1))

    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/")
    page.get_by_role("link", name="Partnership monthly call").click()

    when = page.locator(".meeting-when-large").inner_text()
    assert "(your time)" in when and "(Denver)" in when
    assert any(abbr in when for abbr in ("EST", "EDT"))

    page.get_by_role("button", name="Yes").click()
    assert "your answer is “yes”" in page.locator(".messages").inner_text()
    assert "Your answer: Yes" in page.locator("#rsvp").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"meeting-{meeting.pk}.ics"
    event = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == meeting.start
    assert "meet.example.org" in str(event["DESCRIPTION"])


def test_an_rsvp_link_on_a_phone_signs_in_and_shows_the_question_and_button_above_the_fold(
    page, live_server, coalition
):
    member = UserFactory(email="lin@example.org")
    MembershipFactory(user=member, coalition=coalition)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    meeting = MeetingFactory(title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}{meeting.get_absolute_url()}?rsvp=yes")
    assert "You are answering a meeting invitation." in page.locator("main").inner_text()
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    question = page.locator(".rsvp-confirm-top")
    assert "Confirm: you will attend Partnership monthly call on" in question.inner_text()
    button = page.get_by_role("button", name="Confirm “Yes”").bounding_box()
    assert button["y"] + button["height"] <= 844, "the confirm button is below the fold on a phone"
    assert not meeting.rsvps.exists()  # opening the link recorded nothing

    page.get_by_role("button", name="Confirm “Yes”").click()
    assert meeting.rsvps.get(user=member).answer == "yes"


def test_admin_schedules_a_monthly_series_and_builds_an_agenda(
    page, live_server, coalition, partnership_admin, viewport, check
):
    PracticeFactory(title="Curb occupancy sensors", coalition=coalition)
    login(page, live_server, partnership_admin.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/")
    check(page, "meetings", full_page=True)

    # The series: second Tuesday, 11:00 in Denver.
    page.get_by_role("link", name="New monthly series").click()
    page.get_by_label(re.compile(r"^Title:?$")).fill("Partnership monthly call")
    page.get_by_label("Nth weekday of the month").check()
    page.get_by_label("Week of the month").select_option(label="Second")
    page.get_by_label("Day of the week").select_option(label="Tuesday")
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("Time zone").select_option("America/Denver")
    check(page, "series-form", full_page=True)
    page.get_by_role("button", name="Create series").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership monthly call")
    check(page, "series")
    series = MeetingSeries.objects.get(title="Partnership monthly call")
    first = series.meetings.order_by("start").first()
    assert first.start.astimezone(ZoneInfo("America/Denver")).strftime("%a %H:%M") == "Tue 11:00"

    # The first meeting's agenda: one item about a practice.
    page.get_by_role("main").get_by_role("link", name="Partnership monthly call").first.click()
    page.get_by_role("navigation", name="Manage this meeting").get_by_role("link", name="Agenda").click()
    page.get_by_label(re.compile(r"^Title:?$")).first.fill("Sensors at the curb")
    # A searchable picker (discovery's search) that the deferred script puts in the list's place. Found by
    # its class, not by the label: until the script has run, the label names the plain list, and a fill
    # aimed at that list waits for it to show again after the script hides it.
    picker = page.locator(".picker-input").first
    expect(picker).to_have_accessible_name(re.compile(r"^Practice discussed"))
    picker.fill("curb sensors")
    page.get_by_role("option", name="Curb occupancy sensors").first.click()
    expect(picker).to_have_value("Curb occupancy sensors")
    check(page, "agenda-editor", full_page=True)
    page.get_by_role("button", name="Save agenda").click()
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda).to_contain_text("Sensors at the curb")
    expect(agenda.get_by_role("link", name="Curb occupancy sensors")).to_be_visible()
    check(page, "meeting", full_page=True)
    assert list(first.agenda_items.values_list("title", flat=True)) == ["Sensors at the curb"]


def test_signed_out_member_rsvps_from_the_link_in_a_reminder(page, live_server, coalition, viewport, check):
    member = UserFactory(email="paz@example.org")
    MembershipFactory(user=member, coalition=coalition)
    start = timezone.now() + dt.timedelta(days=1) - dt.timedelta(minutes=1)
    meeting = MeetingFactory(title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1))
    run_reminder_tick()  # autocommit here: the eager deliver task sends right after the fan-out commits
    (reminder,) = mail.outbox
    yes = re.search(r"Yes: (\S+)", reminder.body).group(1).replace(settings.SITE_URL, live_server.url)

    page.goto(yes)  # signed out: the login page first, then back to the question
    check(page, "login")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name=re.compile("sign in|log in", re.IGNORECASE)).click()
    confirm = page.get_by_role("button", name=re.compile("Confirm"))
    expect(confirm).to_be_visible()
    check(page, "rsvp-confirm")
    confirm.click()
    expect(page.get_by_role("region", name="Who's coming")).to_contain_text("Your answer: Yes")
    check(page, "rsvp-answered")
    assert meeting.rsvps.get(user=member).answer == "yes"


def test_partnership_admin_finds_a_member_with_the_invitee_picker_and_invites_them(page, live_server, coalition):
    admin = UserFactory(email="pat@example.org", is_staff=True)
    invitee = UserFactory(email="quinn@example.org", profile__full_name="Quinn Rivera")
    MembershipFactory(user=invitee, coalition=coalition)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=9)
    meeting = MeetingFactory(title="Curb data working group", start=start, end=start + dt.timedelta(hours=1))

    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/edit/")
    page.get_by_label("Find a member to invite").fill("quinn riv")
    page.get_by_role("button", name="Invite Quinn Rivera").click()
    expect(page.get_by_label("Invitees:", exact=True)).to_have_value("quinn@example.org")
    page.get_by_role("button", name="Save").click()

    invitees = page.locator("#invitees")
    expect(invitees).to_contain_text("Quinn Rivera")
    expect(invitees).to_contain_text("no answer yet")
    assert list(meeting.invitees.values_list("user__email", flat=True)) == ["quinn@example.org"]
