"""Two workers at once on PostgreSQL: each member still gets one email.

These need real concurrent transactions (threads with their own connections, committed data),
which SQLite serializes with a database-wide lock, so they run on PostgreSQL only.
"""

import threading

import pytest
from django.core import mail
from django.db import connection

from notifications.mail import send_deliveries
from notifications.models import Delivery
from notifications.outbox import collect_keys
from notifications.services import run_reminder_tick
from tests.notifications.backends import GateBackend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent claims need row-level locking and separate connections",
    ),
]


def in_threads(*targets):
    """Run each target in its own thread (own DB connection); re-raise the first error."""
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except Exception as exc:  # surfaced below, in the test's thread
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if errors:
        raise errors[0]


def addresses():
    return sorted(a for m in mail.outbox for a in m.to)


def test_two_reminder_ticks_at_once_send_one_email_per_member(meeting_tomorrow, member, coalition_admin, other_member):
    start = threading.Barrier(2)

    def tick():
        start.wait(timeout=10)
        run_reminder_tick()  # autocommit: the deliver task runs eagerly right after commit

    in_threads(tick, tick)

    assert addresses() == ["alice@example.org", "bob@example.org", "charlie@example.org"]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3


def test_two_senders_racing_on_the_same_keys_send_each_once(meeting_tomorrow, member, coalition_admin, other_member):
    with collect_keys() as keys:
        run_reminder_tick()
    start = threading.Barrier(2)

    def send():
        start.wait(timeout=10)
        send_deliveries(keys=keys)

    in_threads(send, send)

    assert addresses() == ["alice@example.org", "bob@example.org", "charlie@example.org"]


def test_a_second_attempt_while_the_first_is_mid_send_sends_nothing(settings, meeting_tomorrow, member):
    settings.EMAIL_BACKEND = "tests.notifications.backends.GateBackend"
    GateBackend.entered, GateBackend.release = threading.Event(), threading.Event()
    with collect_keys() as keys:
        run_reminder_tick()
    second = {}

    def first_worker():
        send_deliveries(keys=keys)

    def second_worker():
        assert GateBackend.entered.wait(timeout=10)  # the first worker holds the claim, inside SMTP
        second["report"] = send_deliveries(keys=keys)
        GateBackend.release.set()

    try:
        in_threads(first_worker, second_worker)
    finally:
        GateBackend.entered = GateBackend.release = None

    assert second["report"].sent == []
    assert addresses() == ["alice@example.org"]


def test_two_senders_with_overlapping_key_lists_send_each_email_once(
    meeting_tomorrow, member, coalition_admin, other_member, partnership_admin
):
    with collect_keys() as keys:
        run_reminder_tick()
    keys.sort()
    assert len(keys) == 4
    start = threading.Barrier(2)

    def sender(chunk):
        def send():
            start.wait(timeout=10)
            send_deliveries(keys=chunk)

        return send

    in_threads(sender(keys[:3]), sender(keys[1:]))

    assert addresses() == ["alice@example.org", "bob@example.org", "charlie@example.org", "dana@example.org"]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4


def test_an_overtaken_worker_leaves_alone_a_row_its_new_owner_is_still_sending(
    settings, frozen, meeting_tomorrow, member, coalition_admin, other_member
):
    """The old worker stalls in its first SMTP call past the stale-claim age; a new worker takes the
    other two rows over and is itself mid-send on one of them when the old worker wakes up."""
    import datetime as dt

    from tests.notifications.backends import HoldBackend

    settings.EMAIL_BACKEND = "tests.notifications.backends.HoldBackend"
    with collect_keys() as keys:
        run_reminder_tick()
    order = list(Delivery.objects.filter(key__in=keys).order_by("pk").values_list("key", "to_address"))
    (first, first_address), (second, second_address), (third, _) = order
    old_in, old_go, old_done, new_in, new_go = (threading.Event() for _ in range(5))
    HoldBackend.holds = {first_address: (old_in, old_go), second_address: (new_in, new_go)}

    def old_worker():
        try:
            send_deliveries(keys=[first, second, third])
        finally:
            old_done.set()

    def new_worker():
        assert old_in.wait(timeout=10)
        frozen.shift(dt.timedelta(minutes=11))  # the old worker's claim is now stale
        send_deliveries(keys=[second, third])

    def conductor():
        assert new_in.wait(timeout=10)  # the new owner is inside SMTP with the second row
        old_go.set()  # the old worker wakes up and goes on with its chunk
        assert old_done.wait(timeout=10)
        new_go.set()

    try:
        in_threads(old_worker, new_worker, conductor)
    finally:
        HoldBackend.holds = {}

    assert addresses() == ["alice@example.org", "bob@example.org", "charlie@example.org"]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
