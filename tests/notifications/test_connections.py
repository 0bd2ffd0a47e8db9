"""The SMTP connection: one dropped connection does not fail the rest of the batch, none is left open."""

import smtplib

import pytest
from django.core import mail

from notifications.mail import send_deliveries
from notifications.models import Delivery
from tests.factories import DeliveryFactory, JoinRequestFactory, UserFactory
from tests.notifications.backends import ConnectionBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.ConnectionBackend"
    ConnectionBackend.script, ConnectionBackend.left_open = [], 0
    yield ConnectionBackend
    ConnectionBackend.script = []


def join_decisions(count):
    keys = []
    for i in range(count):
        join_request = JoinRequestFactory(user=UserFactory(email=f"m{i}@example.org"), status="approved")
        delivery = DeliveryFactory(
            key=f"join:{join_request.pk}",
            kind=Delivery.Kind.JOIN,
            user=join_request.user,
            params={"join_request": join_request.pk},
        )
        keys.append(delivery.key)
    return keys


def test_after_a_dropped_connection_the_rest_of_the_batch_goes_out_in_the_same_run(frozen, connection):
    first, second, third = join_decisions(3)
    connection.script = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    report = send_deliveries(keys=[first, second, third])

    assert report.retry_keys == [first]
    assert sorted(report.sent) == sorted([second, third])  # keys are text: "join:10" < "join:9"
    assert sorted(a for m in mail.outbox for a in m.to) == ["m1@example.org", "m2@example.org"]


def test_a_run_leaves_no_connection_open(frozen, connection):
    keys = join_decisions(3)
    connection.script = [smtplib.SMTPServerDisconnected("gone"), None, None]  # reopened after the drop

    send_deliveries(keys=keys)

    assert connection.left_open == 0
