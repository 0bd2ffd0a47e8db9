"""A member opens the next meeting, sees it in their own zone, RSVPs and downloads the .ics."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from icalendar import Calendar

from tests.factories import PASSWORD, MeetingFactory, MembershipFactory, UserFactory

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
