"""Send runs that overlap: each email leaves once, and the last word on a row is its current owner's.

These run in one thread on any database: the "other worker" runs inside the first one's SMTP call
(a backend that calls back), which is exactly the interleaving a race would produce.
"""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from notifications.mail import send_deliveries
from notifications.models import Delivery
from tests.factories import DeliveryFactory, JoinRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


class InterruptingBackend(locmem.EmailBackend):
    """Runs ``interrupt`` once, inside the first SMTP conversation, before that message is accepted.

    ``outcome`` is what that first conversation then does: None delivers it, an exception fails it.
    """

    interrupt = None
    outcome = None

    def send_messages(self, messages):
        interrupt, InterruptingBackend.interrupt = InterruptingBackend.interrupt, None
        if interrupt is not None:
            interrupt()
            if InterruptingBackend.outcome is not None:
                raise InterruptingBackend.outcome
        return super().send_messages(messages)


@pytest.fixture
def interrupting(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_send_races.InterruptingBackend"
    InterruptingBackend.interrupt = InterruptingBackend.outcome = None
    yield InterruptingBackend
    InterruptingBackend.interrupt = InterruptingBackend.outcome = None


def join_decisions(count):
    """``count`` pending join-decision emails, one per new member, in key order."""
    rows = []
    for i in range(count):
        join_request = JoinRequestFactory(user=UserFactory(email=f"m{i}@example.org"), status="approved")
        rows.append(
            DeliveryFactory(
                key=f"join:{join_request.pk}",
                kind=Delivery.Kind.JOIN,
                user=join_request.user,
                params={"join_request": join_request.pk},
            )
        )
    return [row.key for row in rows]


# Keys are text ("join:9", "join:10"): compare them sorted on both sides, never against id order.


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_two_runs_with_overlapping_keys_send_each_email_once(frozen):
    a, b, c, d = join_decisions(4)

    first = send_deliveries(keys=[a, b, c])
    second = send_deliveries(keys=[b, c, d])

    assert recipients() == ["m0@example.org", "m1@example.org", "m2@example.org", "m3@example.org"]
    assert sorted(first.sent) == sorted([a, b, c])
    assert second.sent == [d]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_run_starting_while_another_holds_overlapping_keys_sends_only_the_rest(frozen, interrupting):
    a, b, c, d = join_decisions(4)
    second = {}
    interrupting.interrupt = lambda: second.setdefault("report", send_deliveries(keys=[b, c, d]))

    first = send_deliveries(keys=[a, b, c])

    assert second["report"].sent == [d]  # a, b and c were claimed by the first run
    assert sorted(first.sent) == sorted([a, b, c])
    assert recipients() == ["m0@example.org", "m1@example.org", "m2@example.org", "m3@example.org"]


def test_a_stale_claim_taken_over_while_the_old_worker_stalls_is_sent_once(frozen, interrupting):
    """The old worker hangs in its first SMTP call past the stale-claim age, a new run takes the rows
    over and sends them, then the old worker's hung connection drops and it carries on with the rest
    of its chunk: it must send none of them, and leave every row as the new owner recorded it."""
    keys = join_decisions(3)
    takeover = {}

    def stall_then_take_over():
        frozen.shift(dt.timedelta(minutes=11))  # past NOTIFICATIONS_STALE_CLAIM_MINUTES (10)
        takeover["report"] = send_deliveries(keys=keys)

    interrupting.interrupt = stall_then_take_over
    interrupting.outcome = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    old = send_deliveries(keys=keys)

    assert sorted(takeover["report"].sent) == sorted(keys)
    assert old.sent == []
    assert recipients() == ["m0@example.org", "m1@example.org", "m2@example.org"]
    rows = Delivery.objects.order_by("key")
    assert [(row.status, row.last_error) for row in rows] == [(Delivery.Status.SENT, "")] * 3
    assert all(row.sent_at is not None for row in rows)


def test_the_old_worker_finishing_its_send_last_does_not_overwrite_the_new_owners_outcome(frozen, interrupting):
    """The new owner met a temporary failure and scheduled a retry; the old worker's late success
    on the same row must not turn it into "sent" behind the new owner's back (or the other way)."""
    (key,) = join_decisions(1)
    takeover = {}

    def stall_then_take_over():
        frozen.shift(dt.timedelta(minutes=11))
        interrupting.outcome = None
        # The new owner's own SMTP call fails temporarily.
        InterruptingBackend.interrupt = None
        takeover["report"] = _send_failing(key, smtplib.SMTPResponseException(451, b"Try again later"))

    interrupting.interrupt = stall_then_take_over

    send_deliveries(keys=[key])

    assert takeover["report"].retry_keys == [key]
    row = Delivery.objects.get(key=key)
    assert row.status == Delivery.Status.PENDING
    assert "451" in row.last_error


def _send_failing(key, exc):
    """Send ``key`` while this run's SMTP call raises ``exc``."""
    original = InterruptingBackend.send_messages

    def fail(self, messages):
        raise exc

    InterruptingBackend.send_messages = fail
    try:
        return send_deliveries(keys=[key])
    finally:
        InterruptingBackend.send_messages = original


def test_a_run_overtaken_on_part_of_its_chunk_still_sends_the_rest_once(frozen, interrupting):
    """A new run takes over one stale row of the old run's chunk; the old run skips just that one."""
    first, second, third = join_decisions(3)
    takeover = {}

    def stall_then_take_over_one():
        frozen.shift(dt.timedelta(minutes=11))
        takeover["report"] = send_deliveries(keys=[second])

    interrupting.interrupt = stall_then_take_over_one

    old = send_deliveries(keys=[first, second, third])

    assert takeover["report"].sent == [second]
    assert sorted(old.sent) == sorted([first, third])
    assert recipients() == ["m0@example.org", "m1@example.org", "m2@example.org"]


def test_a_slow_run_keeps_the_rows_it_is_working_on(frozen, settings):
    """Each SMTP call takes six minutes: the chunk outlives the stale-claim age (10 minutes), but a
    row the run is sending is never handed to another run, nor queued again by the sweep; only a row
    it has not reached yet may be taken over, and then it is sent once, by the new owner."""
    from notifications.services import requeue_stuck_deliveries

    settings.EMAIL_BACKEND = "tests.notifications.test_send_races.SlowBackend"
    first, second, third = join_decisions(3)
    seen = {}

    def while_sending(message_number):
        frozen.shift(dt.timedelta(minutes=6))
        if message_number == 2:  # twelve minutes after the claim, mid-send of the second row
            seen["swept"] = requeue_stuck_deliveries(now=timezone.now())
            seen["other run"] = send_deliveries(keys=[first, second, third])

    SlowBackend.during = while_sending
    SlowBackend.count = 0
    try:
        old = send_deliveries(keys=[first, second, third])
    finally:
        SlowBackend.during = None

    assert seen["swept"] == [third]  # the second row's claim was renewed when its send began
    assert seen["other run"].sent == [third]
    assert sorted(old.sent) == sorted([first, second])
    assert recipients() == ["m0@example.org", "m1@example.org", "m2@example.org"]


class SlowBackend(locmem.EmailBackend):
    """Calls ``during(n)`` inside the n-th SMTP call, then delivers."""

    during = None
    count = 0

    def send_messages(self, messages):
        SlowBackend.count += 1
        if SlowBackend.during is not None:
            SlowBackend.during(SlowBackend.count)
        return super().send_messages(messages)
