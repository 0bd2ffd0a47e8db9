"""Redis (the broker) down: a member's page or form post still answers, and nothing is lost.

Every email a request asks for is first a pending ``Delivery`` row; publishing the message that
sends it is best-effort. With the broker gone the row waits, and the minute tick's sweep enqueues
it once the broker answers again: sent once, never twice.
"""

import datetime as dt
import logging

import pytest
from celery import canvas
from django.core import mail
from django.urls import reverse
from kombu.exceptions import OperationalError

from coalitions.models import Invitation, JoinRequest
from notifications.models import Delivery
from notifications.tasks import tick_reminders

from .conftest import NOW

pytestmark = pytest.mark.django_db


class Broker:
    """Switch the broker off and on: while off, every publish fails as kombu's does on a refused connection."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.refused = 0

    def down(self):
        def refuse(group, *args, **kwargs):
            self.refused += 1
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        self.monkeypatch.setattr(canvas.group, "apply_async", refuse)

    def up(self):
        self.monkeypatch.undo()


@pytest.fixture
def broker(monkeypatch):
    return Broker(monkeypatch)


def _tick(frozen, run, minutes):
    frozen.move_to(NOW + dt.timedelta(minutes=minutes))
    run(tick_reminders.apply)


def test_an_invitation_posted_while_the_broker_is_down_is_sent_once_by_a_later_tick(
    frozen, coalition, coalition_admin_client, broker, run, caplog, django_capture_on_commit_callbacks
):
    broker.down()
    url = reverse("coalitions:invite", kwargs={"slug": coalition.slug})
    with (
        caplog.at_level(logging.ERROR, logger="notifications.outbox"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = coalition_admin_client.post(url, {"email": "new.person@city.gov", "role": "member"})

    assert response.status_code == 302
    assert broker.refused == 1, "the post tried to enqueue its email"
    invitation = Invitation.objects.get()
    delivery = Delivery.objects.get()
    assert (delivery.key, delivery.status) == (f"invitation:{invitation.pk}", Delivery.Status.PENDING)
    assert mail.outbox == []
    assert "Broker unreachable" in caplog.text
    assert coalition_admin_client.get(response.url).status_code == 200  # the page after the post

    # A tick while the broker is still down answers too, and still loses nothing.
    _tick(frozen, run, 2)
    assert broker.refused == 2
    assert mail.outbox == []

    broker.up()
    for minutes in (13, 14, 30):  # the sweep waits out the stale-claim window it set, then ticks again
        _tick(frozen, run, minutes)

    (message,) = mail.outbox
    assert message.to == ["new.person@city.gov"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_join_decision_while_the_broker_is_down_answers_and_is_sent_once_later(
    frozen, coalition, coalition_admin_client, outsider, broker, run, django_capture_on_commit_callbacks
):
    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition)
    broker.down()
    url = reverse("coalitions:approve_request", kwargs={"slug": coalition.slug, "pk": join_request.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = coalition_admin_client.post(url)

    assert response.status_code == 302
    assert broker.refused == 1
    assert Delivery.objects.get().status == Delivery.Status.PENDING

    broker.up()
    for minutes in (2, 3, 20):
        _tick(frozen, run, minutes)

    (message,) = mail.outbox
    assert message.to == ["erin@example.org"]


def test_pages_answer_while_the_broker_is_down(coalition, member_client, client, broker):
    broker.down()
    for path in ("/", "/practices/", f"/coalitions/{coalition.slug}/", "/meetings/"):
        assert client.get(path).status_code in (200, 302), path
        assert member_client.get(path).status_code == 200, path
