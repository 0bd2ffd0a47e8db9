"""One meeting at a time: move, cancel, reinstate, agenda, minutes; each change calendars must see
bumps the sequence."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import services
from meetings.models import Meeting
from meetings.signals import meeting_changed, minutes_posted
from tests.factories import AgendaItemFactory, MeetingFactory, MeetingSeriesFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db):
    return MeetingFactory()


@pytest.fixture
def ended_meeting(db):
    start = dt.datetime(2026, 1, 13, 18, 0, tzinfo=dt.UTC)
    return MeetingFactory(start=start, end=start + dt.timedelta(hours=1))


def test_moving_a_meeting_bumps_sequence_and_marks_it_customized(
    meeting, django_capture_on_commit_callbacks, partnership_admin
):
    heard = []
    meeting_changed.connect(lambda **kw: heard.append(kw["change"]), weak=False, dispatch_uid="test-move")
    new_start = meeting.start + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_meeting(
            by=partnership_admin, meeting=meeting, start=new_start, end=new_start + dt.timedelta(hours=2)
        )
    meeting_changed.disconnect(dispatch_uid="test-move")
    meeting.refresh_from_db()
    assert meeting.start == new_start
    assert meeting.sequence == 1
    assert meeting.is_customized
    assert heard == ["moved"]


def test_moving_to_an_end_before_the_start_is_refused(meeting, partnership_admin):
    with pytest.raises(ValidationError):
        services.move_meeting(
            by=partnership_admin, meeting=meeting, start=meeting.start, end=meeting.start - dt.timedelta(minutes=1)
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_a_meeting_that_ended_cannot_be_moved_or_cancelled(ended_meeting, partnership_admin):
    with pytest.raises(ValidationError):
        services.cancel_meeting(by=partnership_admin, meeting=ended_meeting)
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        services.move_meeting(
            by=partnership_admin, meeting=ended_meeting, start=later, end=later + dt.timedelta(hours=1)
        )


def test_cancel_then_reinstate_each_bump_the_sequence(meeting, partnership_admin):
    services.cancel_meeting(by=partnership_admin, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.sequence == 1
    with pytest.raises(ValidationError):
        services.cancel_meeting(by=partnership_admin, meeting=meeting)
    services.reinstate_meeting(by=partnership_admin, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.sequence == 2


def test_a_cancelled_meeting_cannot_be_reinstated_once_its_time_came(meeting, partnership_admin):
    services.cancel_meeting(by=partnership_admin, meeting=meeting)
    with time_machine.travel(meeting.start + dt.timedelta(minutes=5), tick=False), pytest.raises(ValidationError):
        services.reinstate_meeting(by=partnership_admin, meeting=meeting)


def test_editing_details_keeps_them_through_series_edits(meeting, partnership_admin):
    services.update_meeting(by=partnership_admin, meeting=meeting, data={"title": "Special edition", "video_link": ""})
    meeting.refresh_from_db()
    assert meeting.title == "Special edition" and meeting.video_link == ""
    assert meeting.is_customized and meeting.sequence == 1


def test_set_agenda_replaces_items_in_order_and_bumps_sequence(meeting, partnership_admin):
    AgendaItemFactory(meeting=meeting, title="Old item")
    practice = PracticeFactory()
    services.set_agenda(
        by=partnership_admin,
        meeting=meeting,
        items=[{"title": "Welcome", "duration_minutes": 5}, {"title": "Case study", "practice": practice}],
    )
    assert [(i.order, i.title) for i in meeting.agenda_items.all()] == [(1, "Welcome"), (2, "Case study")]
    assert meeting.agenda_items.get(order=2).practice == practice
    meeting.refresh_from_db()
    assert meeting.sequence == 1


def test_posting_minutes_marks_the_meeting_held_and_announces_once(
    ended_meeting, partnership_admin, django_capture_on_commit_callbacks
):
    announced = []
    minutes_posted.connect(lambda **kw: announced.append(kw["meeting"].pk), weak=False, dispatch_uid="test-minutes")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_minutes(meeting=ended_meeting, by=partnership_admin, minutes="## Decisions\n\n- Ship it")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_minutes(meeting=ended_meeting, by=partnership_admin, minutes="## Decisions\n\n- Ship it soon")
    minutes_posted.disconnect(dispatch_uid="test-minutes")
    ended_meeting.refresh_from_db()
    assert ended_meeting.status == Meeting.Status.HELD
    assert ended_meeting.minutes_posted_at is not None
    assert announced == [ended_meeting.pk]


def test_minutes_before_the_meeting_starts_are_refused_but_files_are_welcome(meeting, partnership_admin):
    with pytest.raises(ValidationError):
        services.post_minutes(meeting=meeting, by=partnership_admin, minutes="Too early")
    slides = SimpleUploadedFile("agenda.txt", b"Slides to read ahead", content_type="text/plain")
    slides.checked_content_type = "text/plain"
    services.post_minutes(meeting=meeting, by=partnership_admin, minutes="", new_files=[slides])
    stored = meeting.files.get()
    assert stored.original_name == "agenda.txt" and stored.size == 20
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.minutes_posted_at is None


def test_removing_a_file_deletes_it(ended_meeting, partnership_admin, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain")
    services.post_minutes(meeting=ended_meeting, by=partnership_admin, minutes="", new_files=[upload])
    stored = ended_meeting.files.get()
    storage, name = stored.file.storage, stored.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.post_minutes(meeting=ended_meeting, by=partnership_admin, minutes="", remove_file_ids=[stored.pk])
    assert not ended_meeting.files.exists()
    assert not storage.exists(name)


def test_a_recording_link_must_be_a_web_address(ended_meeting, partnership_admin):
    with pytest.raises(ValidationError):
        services.post_minutes(
            meeting=ended_meeting, by=partnership_admin, minutes="ok", recording_link="javascript:alert(1)"
        )
    ended_meeting.refresh_from_db()
    assert ended_meeting.minutes == ""


def test_one_off_meeting_with_end_before_start_is_not_saved(partnership_admin):
    start = dt.datetime(2027, 3, 1, 17, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        services.schedule_meeting(
            by=partnership_admin,
            data={"title": "x", "start": start, "end": start, "time_zone": "America/Denver"},
        )
    assert not Meeting.objects.exists()


def test_organizers_are_partnership_admins_host_admins_and_the_series_creator(
    partnership_admin, coalition_admin, member, other_member, coalition
):
    creator = member  # a plain member who created the series while they were an admin
    series = MeetingSeriesFactory(created_by=creator, host_coalition=coalition)
    meeting = MeetingFactory(series=series, host_coalition=coalition)
    assert set(meeting.organizers()) == {partnership_admin, coalition_admin, creator}


def test_ended_meetings_without_minutes_need_them(ended_meeting, meeting, partnership_admin):
    cancelled = MeetingFactory(start=ended_meeting.start, end=ended_meeting.end, status=Meeting.Status.CANCELLED)
    assert list(Meeting.objects.needing_minutes()) == [ended_meeting]
    assert ended_meeting.needs_minutes() and not meeting.needs_minutes() and not cancelled.needs_minutes()
    services.post_minutes(meeting=ended_meeting, by=partnership_admin, minutes="Notes")
    assert not Meeting.objects.needing_minutes().exists()
