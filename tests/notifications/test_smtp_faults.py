"""A real SMTP conversation on loopback (the fault scripts' server, in a thread) that goes wrong.

``bench/fault_smtp.py`` proves the same with a Celery worker and its retries end to end; these show
each fault's outcome on the ``Delivery`` row and at the server, in-process: nothing is lost (the row
waits to be retried), nothing arrives twice, and a refused recipient is not tried again.
"""

import pytest

from bench.faultkit import SmtpSink
from notifications.mail import send_deliveries
from notifications.models import Delivery

from .test_exactly_once import _pending_digest_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings):
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1
    sink.stall_seconds = 2
    yield sink
    sink.stop()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("busy", "SMTPSenderRefused"),  # 421 to MAIL FROM
        ("defer", "SMTPDataError"),  # 451 after the message's end
        ("stall", "timed out"),  # no answer within EMAIL_TIMEOUT
        ("drop", "SMTPServerDisconnected"),  # cut once the content arrived, before the answer
        ("relay-denied", "SMTPSenderRefused"),  # 550 to MAIL FROM: the server refuses us, not the member
    ],
)
def test_a_failing_server_leaves_the_email_waiting_and_it_arrives_once_when_the_server_recovers(
    server, member, fault, error
):
    delivery = _pending_digest_for(member)
    server.fault = fault

    send_deliveries(keys=[delivery.key])

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert error in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.claimed_at is None
    assert server.received == []

    server.fault = None
    send_deliveries(keys=[delivery.key])
    send_deliveries(keys=[delivery.key])  # a second run finds it sent

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert server.received == [member.email]


def test_a_refused_recipient_is_a_hard_bounce_and_is_not_tried_again(server, member):
    delivery = _pending_digest_for(member)
    server.fault = "reject-recipient"

    send_deliveries(keys=[delivery.key])
    server.fault = None
    send_deliveries(keys=[delivery.key])

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.BOUNCED
    assert len(server.attempts) == 1
    assert server.received == []
