"""A fan-out larger than one chunk: every recipient is queued and sent, the last of each chunk too."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from coalitions.models import Membership
from notifications import tasks
from notifications.models import Delivery
from notifications.services import run_digest_tick, run_reminder_tick
from tests.factories import MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = 7  # with chunks of 3: two full chunks and a last one of one


@pytest.fixture
def members(coalition):
    users = [UserFactory(email=f"m{i}@example.org") for i in range(MEMBERS)]
    for user in users:
        MembershipFactory(user=user, coalition=coalition)
    Membership.objects.update(joined=timezone.now() - dt.timedelta(days=400))
    return sorted(user.email for user in users)


@pytest.fixture
def chunks(settings, monkeypatch):
    """Chunks of three; records the keys of each chunk the deliver task is handed."""
    settings.NOTIFICATIONS_CHUNK_SIZE = 3
    handed: list[list[str]] = []
    original = tasks.deliver.run

    def deliver(keys):
        handed.append(list(keys))
        return original(keys=keys)

    monkeypatch.setattr(tasks.deliver, "run", deliver)
    return handed


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_reminder_fan_out_over_several_chunks_reaches_every_member(run, chunks, meeting_tomorrow, members):
    run(run_reminder_tick)

    assert recipients() == members
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    assert sorted(key for chunk in chunks for key in chunk) == sorted(Delivery.objects.values_list("key", flat=True))
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == MEMBERS


def test_a_digest_fan_out_over_several_chunks_reaches_every_member(run, chunks, frozen, members):
    run(run_digest_tick)  # Tuesday: schedules everyone for Monday 08:00 in Denver
    frozen.move_to(dt.datetime(2026, 11, 16, 15, 5, tzinfo=dt.UTC))
    PracticeFactory(title="Leak sensors", published_at=timezone.now() - dt.timedelta(days=2))

    run(run_digest_tick)

    assert recipients() == members
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    assert Delivery.objects.filter(kind=Delivery.Kind.DIGEST, status=Delivery.Status.SENT).count() == MEMBERS
