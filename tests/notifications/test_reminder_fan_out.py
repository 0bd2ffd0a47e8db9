"""A reminder's fan-out is itself fanned out: the tick hands chunks of recipients to the workers.

The tick writes only the ``Dispatch`` marker and picks the recipients' ids; each chunk's rows are
written and enqueued by its own task in a fixed number of queries, so a meeting with 50,000
invitees starts sending after one chunk, not after 50,000 rows. Exactly once still holds: a
chunk run twice adds nothing, and a fan-out whose chunks never reached the broker is handed out
again by the next tick.
"""

import datetime as dt

import pytest
from celery import canvas
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from notifications import tasks
from notifications.models import Delivery, Dispatch
from notifications.outbox import collect_keys
from notifications.services import ReminderChunk, dispatch_reminder_chunk, iso
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def invitees(coalition, count, *, start=0):
    users = [UserFactory(email=f"i{start + i}@example.org") for i in range(count)]
    for user in users:
        MembershipFactory(user=user, coalition=coalition)
    return users


@pytest.fixture
def handed(settings, monkeypatch):
    """Chunks of three; records the recipients of each fan-out chunk a worker is handed."""
    settings.NOTIFICATIONS_CHUNK_SIZE = 3
    chunks: list[list[int]] = []
    original = tasks.fan_out_reminders.run

    def fan_out_reminders(**kwargs):
        chunks.append(list(kwargs["user_ids"]))
        return original(**kwargs)

    monkeypatch.setattr(tasks.fan_out_reminders, "run", fan_out_reminders)
    return chunks


def test_the_tick_hands_a_reminder_to_the_workers_in_chunks_and_every_invitee_gets_one(
    run, meeting_tomorrow, coalition, handed
):
    users = invitees(coalition, 7)

    run(tasks.tick_reminders.apply)
    run(tasks.tick_reminders.apply)  # a minute later: the marker says it is done

    assert [len(chunk) for chunk in handed] == [3, 3, 1]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert Delivery.objects.filter(kind=Delivery.Kind.REMINDER, status=Delivery.Status.SENT).count() == 7
    assert Dispatch.objects.get().recipients == 7


def test_the_tick_writes_no_reminder_rows_itself_whatever_the_audience(
    meeting_tomorrow, coalition, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_CHUNK_SIZE = 3
    published = []
    monkeypatch.setattr(canvas.group, "apply_async", lambda group, *a, **k: published.append(len(group.tasks)))
    counts = {}
    for size, start in ((3, 0), (30, 100)):
        invitees(coalition, size, start=start)
        Dispatch.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            tasks.tick_reminders.apply()
        counts[size] = len(queries)

    assert Delivery.objects.count() == 0  # the workers write them, chunk by chunk
    assert published == [1, 11]  # a task per chunk of three: 3, then 3 + 30 invitees
    assert counts[3] == counts[30]


@pytest.mark.parametrize("size", [4, 40])
def test_a_fan_out_chunk_takes_the_same_queries_at_any_size(
    size, meeting_tomorrow, coalition, settings, django_assert_max_num_queries
):
    settings.NOTIFICATIONS_CHUNK_SIZE = 500
    users = invitees(coalition, size)
    chunk = ReminderChunk(
        marker="m",
        meeting_id=meeting_tomorrow.pk,
        lead="1d",
        start=iso(meeting_tomorrow.start),
        user_ids=[u.pk for u in users],
    )
    # The meeting, the chunk's recipients, the insert (and the savepoint pair bulk_create may add).
    with django_assert_max_num_queries(5), collect_keys() as keys:
        dispatch_reminder_chunk(chunk=chunk, now=meeting_tomorrow.start - dt.timedelta(days=1))

    assert len(keys) == size
    assert Delivery.objects.count() == size


def test_a_fan_out_chunk_delivered_twice_sends_each_reminder_once(run, meeting_tomorrow, coalition):
    users = invitees(coalition, 3)
    kwargs = {
        "meeting_id": meeting_tomorrow.pk,
        "lead": "1d",
        "start": iso(meeting_tomorrow.start),
        "user_ids": [u.pk for u in users],
        "marker": "reminder:x",
        "now": meeting_tomorrow.start.isoformat(),
    }

    run(tasks.fan_out_reminders.delay, **kwargs)
    run(tasks.fan_out_reminders.delay, **kwargs)  # the broker delivered it twice

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert Delivery.objects.count() == 3


def test_a_chunk_for_a_meeting_moved_since_the_tick_writes_nothing(run, meeting_tomorrow, coalition):
    users = invitees(coalition, 2)
    old_start = iso(meeting_tomorrow.start)
    meeting_tomorrow.start += dt.timedelta(hours=2)
    meeting_tomorrow.end += dt.timedelta(hours=2)
    meeting_tomorrow.save()

    run(
        tasks.fan_out_reminders.delay,
        meeting_id=meeting_tomorrow.pk,
        lead="1d",
        start=old_start,
        user_ids=[u.pk for u in users],
        marker="reminder:x",
        now=old_start,
    )

    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_a_fan_out_the_broker_refused_is_handed_out_again_by_the_next_tick(
    run, meeting_tomorrow, coalition, monkeypatch, frozen
):
    users = invitees(coalition, 4)

    def refuse(group, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(canvas.group, "apply_async", refuse)
        run(tasks.tick_reminders.apply)
    assert not Dispatch.objects.exists()
    assert Delivery.objects.count() == 0

    frozen.shift(dt.timedelta(minutes=1))
    run(tasks.tick_reminders.apply)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert Dispatch.objects.count() == 1
