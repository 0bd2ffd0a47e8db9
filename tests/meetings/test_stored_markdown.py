"""Series and meeting descriptions, agenda notes and minutes keep their rendered, sanitized HTML,
made when they are saved; occurrences copy their series' HTML."""

import datetime as dt

import pytest

from meetings import services
from meetings.models import AgendaItem, Meeting, MeetingSeries
from tests.factories import MeetingFactory

from .conftest import NOW, series_data

pytestmark = pytest.mark.django_db


def test_a_new_series_and_every_occurrence_store_the_description_html(partnership_admin, frozen_now):
    series = services.create_series(
        by=partnership_admin, data=series_data(description="**Updates** <script>x()</script>")
    )
    assert MeetingSeries.objects.get(pk=series.pk).description_html == "<p><strong>Updates</strong> </p>\n"
    assert set(series.meetings.values_list("description_html", flat=True)) == {"<p><strong>Updates</strong> </p>\n"}


def test_editing_the_series_description_re_renders_future_occurrences(series, frozen_now, partnership_admin):
    services.update_series(by=partnership_admin, series=series, data={"description": "_Agenda_ first"})
    assert MeetingSeries.objects.get(pk=series.pk).description_html == "<p><em>Agenda</em> first</p>\n"
    assert set(series.meetings.values_list("description_html", flat=True)) == {"<p><em>Agenda</em> first</p>\n"}


def test_one_off_meeting_and_its_edits_store_the_description_html(partnership_admin, frozen_now):
    start = NOW + dt.timedelta(days=3)
    meeting = services.schedule_meeting(
        by=partnership_admin,
        data={"title": "Call", "description": "- one", "start": start, "end": start + dt.timedelta(hours=1),
              "time_zone": "America/Denver"},
    )  # fmt: skip
    assert Meeting.objects.get(pk=meeting.pk).description_html == "<ul>\n<li>one</li>\n</ul>\n"
    services.update_meeting(by=partnership_admin, meeting=meeting, data={"description": "1. two"})
    assert Meeting.objects.get(pk=meeting.pk).description_html == "<ol>\n<li>two</li>\n</ol>\n"


def test_posted_minutes_store_their_html(partnership_admin, frozen_now):
    meeting = MeetingFactory(start=NOW - dt.timedelta(hours=2), end=NOW - dt.timedelta(hours=1))
    services.post_minutes(meeting=meeting, by=partnership_admin, minutes="## Decisions\n\nRFP term | approved")
    assert Meeting.objects.get(pk=meeting.pk).minutes_html == "<h2>Decisions</h2>\n<p>RFP term | approved</p>\n"


def test_agenda_notes_store_their_html(frozen_now, partnership_admin):
    meeting = MeetingFactory(start=NOW + dt.timedelta(days=1), end=NOW + dt.timedelta(days=1, hours=1))
    services.set_agenda(
        by=partnership_admin, meeting=meeting, items=[{"title": "Curbs", "notes": "See [the map](https://x.org)"}]
    )
    assert AgendaItem.objects.get().notes_html == (
        '<p>See <a href="https://x.org" rel="nofollow noopener">the map</a></p>\n'
    )
