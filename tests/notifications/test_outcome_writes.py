"""When a chunk's outcomes reach the database: once at the end of a fast chunk, at once after a slow
send, and every ``MARK_EVERY`` of sending, so a worker killed mid-chunk re-sends little and a healthy
one writes little. (``notifications.mail``'s ``SLOW_SEND`` and ``MARK_EVERY``.)"""

import datetime as dt
import smtplib

import pytest

from notifications.mail import MARK_EVERY, SLOW_SEND, send_deliveries
from notifications.models import Delivery
from tests.factories import UserFactory

from .test_exactly_once import _pending_digest_for

pytestmark = pytest.mark.django_db

SENT = Delivery.Status.SENT


@pytest.fixture
def chunk(member):
    users = [member, *(UserFactory(email=f"member{n}@example.org") for n in range(1, 12))]
    return [_pending_digest_for(user, key=f"k{n:02}").key for n, user in enumerate(users)]


def sent_keys():
    return sorted(Delivery.objects.filter(status=SENT).values_list("key", flat=True))


def sending(frozen, seen, *, takes):
    """A send that takes ``takes`` and notes which rows were recorded as sent while it was in flight."""

    def send():
        seen.append(sent_keys())
        frozen.shift(takes)

    return send


def test_a_chunk_of_fast_sends_records_its_outcomes_in_one_write_at_the_end(smtp, frozen, chunk):
    seen = []
    smtp.script = [sending(frozen, seen, takes=dt.timedelta(0)) for _ in chunk]

    report = send_deliveries(keys=chunk)

    assert report.sent == chunk
    assert seen == [[]] * len(chunk)
    assert sent_keys() == chunk


def test_a_slow_send_is_recorded_before_the_next_conversation(smtp, frozen, chunk):
    seen = []
    smtp.script = [sending(frozen, seen, takes=SLOW_SEND), sending(frozen, seen, takes=dt.timedelta(0))]

    send_deliveries(keys=chunk[:3])

    assert seen == [[], [chunk[0]]]
    assert sent_keys() == chunk[:3]


def test_outcomes_are_recorded_every_mark_every_of_sending_and_not_before(smtp, frozen, chunk):
    """Sends of a tenth of MARK_EVERY: the first ten are recorded before the eleventh starts (the
    clock is exactly MARK_EVERY on), and the eleventh only a whole MARK_EVERY after that write."""
    step = MARK_EVERY / 10
    assert step < SLOW_SEND
    seen = []
    smtp.script = [sending(frozen, seen, takes=step) for _ in chunk]

    send_deliveries(keys=chunk)

    assert seen[:10] == [[]] * 10
    assert seen[10] == chunk[:10]
    assert seen[11] == chunk[:10]
    assert sent_keys() == chunk


def test_a_bounce_in_a_chunk_is_recorded_on_its_own_row_only(smtp, frozen, chunk, member):
    """The bounced row's address and error go on that row; the next member's email goes out and its row
    keeps its own address, with no error."""
    smtp.script = [smtplib.SMTPRecipientsRefused({member.email: (550, b"5.1.1 No such user")})]

    report = send_deliveries(keys=chunk[:2])

    assert (report.bounced, report.sent) == ([chunk[0]], [chunk[1]])
    second = Delivery.objects.get(key=chunk[1])
    assert (second.status, second.to_address, second.last_error) == (SENT, "member1@example.org", "")
