"""The meetings services refuse an actor who may not act, whoever calls them (a view, the admin, a
task): ``PermissionDenied`` from the service itself, no row changed, nothing announced."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import services
from meetings.models import Meeting
from tests.factories import MeetingFactory
from tests.meetings.conftest import series_data

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
# Those who do not manage what ``coalition`` hosts.
NOT_ITS_MANAGERS = ["member", "other_member", "other_admin", "outsider", "anonymous"]


@pytest.fixture
def actor(request):
    """The persona named by the test's parameter (``anonymous``: nobody signed in)."""
    return ANONYMOUS if request.param == "anonymous" else request.getfixturevalue(request.param)


def personas(*names):
    return pytest.mark.parametrize("actor", names, indirect=True)


@pytest.fixture
def hosted_meeting(coalition):
    """A meeting ``coalition`` hosts, a week ahead: its admins and partnership admins manage it."""
    return MeetingFactory(host_coalition=coalition)


@pytest.fixture
def ended_meeting(coalition):
    start = dt.datetime(2026, 1, 13, 18, 0, tzinfo=dt.UTC)
    return MeetingFactory(host_coalition=coalition, start=start, end=start + dt.timedelta(hours=1))


def one_off(host):
    start = dt.datetime(2030, 3, 1, 17, tzinfo=dt.UTC)
    return {"title": "Pop-up call", "start": start, "end": start + dt.timedelta(hours=1),
            "time_zone": "America/Denver", "host_coalition": host}  # fmt: skip


# --- scheduling --------------------------------------------------------------------------------


@personas(*NOT_ITS_MANAGERS)
def test_only_its_admins_schedule_a_series_a_coalition_hosts(assert_refused, actor, coalition, frozen_now):
    assert_refused(services.create_series, by=actor, data=series_data(host_coalition=coalition))


@personas("coalition_admin", "other_admin")
def test_coalition_admins_cannot_schedule_a_series_for_the_partnership(assert_refused, actor, frozen_now):
    assert_refused(services.create_series, by=actor, data=series_data(host_coalition=None))


def test_a_coalition_admin_cannot_schedule_for_another_coalition(assert_refused, coalition_admin, other_coalition):
    assert_refused(services.schedule_meeting, by=coalition_admin, data=one_off(other_coalition))
    assert_refused(services.schedule_meeting, by=coalition_admin, data=one_off(None))


@personas(*NOT_ITS_MANAGERS)
def test_only_its_admins_schedule_a_one_off_meeting(assert_refused, actor, coalition):
    assert_refused(services.schedule_meeting, by=actor, data=one_off(coalition))


@personas(*NOT_ITS_MANAGERS)
def test_only_those_who_manage_a_series_edit_it(assert_refused, actor, hosted_series):
    assert_refused(services.update_series, by=actor, series=hosted_series, data={"title": "Taken over"})


def test_a_series_cannot_be_handed_to_a_coalition_its_editor_does_not_run(
    assert_refused, coalition_admin, hosted_series, other_coalition
):
    assert_refused(
        services.update_series, by=coalition_admin, series=hosted_series, data={"host_coalition": other_coalition}
    )


# --- one meeting ---------------------------------------------------------------------------------


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_edit_a_meeting(assert_refused, actor, hosted_meeting):
    assert_refused(services.update_meeting, by=actor, meeting=hosted_meeting, data={"title": "Taken over"})


def test_a_meeting_cannot_be_handed_to_a_coalition_its_editor_does_not_run(
    assert_refused, coalition_admin, hosted_meeting, other_coalition
):
    data = {"host_coalition": other_coalition}
    assert_refused(services.update_meeting, by=coalition_admin, meeting=hosted_meeting, data=data)


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_move_a_meeting(assert_refused, actor, hosted_meeting):
    later = hosted_meeting.start + dt.timedelta(days=1)
    assert_refused(
        services.move_meeting, by=actor, meeting=hosted_meeting, start=later, end=later + dt.timedelta(hours=1)
    )


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_cancel_a_meeting(assert_refused, actor, hosted_meeting):
    assert_refused(services.cancel_meeting, by=actor, meeting=hosted_meeting)


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_reinstate_a_meeting(assert_refused, actor, coalition):
    cancelled = MeetingFactory(host_coalition=coalition, status=Meeting.Status.CANCELLED)
    assert_refused(services.reinstate_meeting, by=actor, meeting=cancelled)


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_set_the_agenda(assert_refused, actor, hosted_meeting):
    assert_refused(services.set_agenda, by=actor, meeting=hosted_meeting, items=[{"title": "Our pitch"}])


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_post_minutes_and_files(assert_refused, actor, ended_meeting):
    upload = SimpleUploadedFile("notes.txt", b"notes", content_type="text/plain")
    assert_refused(services.post_minutes, by=actor, meeting=ended_meeting, minutes="Nothing", new_files=[upload])


def test_the_partnership_hosts_meeting_is_managed_by_partnership_admins_only(assert_refused, coalition_admin):
    assert_refused(services.cancel_meeting, by=coalition_admin, meeting=MeetingFactory(host_coalition=None))


# --- members -------------------------------------------------------------------------------------


@personas("outsider", "anonymous")
def test_only_members_rsvp(assert_refused, actor, hosted_meeting):
    assert_refused(services.rsvp, by=actor, meeting=hosted_meeting, answer="yes")


@personas("outsider", "anonymous")
def test_only_members_get_or_reset_a_calendar_address(assert_refused, actor):
    assert_refused(services.get_calendar_token, by=actor)
    assert_refused(services.reset_calendar_token, by=actor)
