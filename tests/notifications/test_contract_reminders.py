"""A cooperative contract's owners are reminded 90 and 30 days before it expires, each exactly once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications import mail as road
from notifications.contracts import dispatch_contract_reminders
from notifications.models import Delivery
from notifications.tasks import tick_contract_reminders
from practices import contracts
from tests.factories import ContractFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(frozen, coalition, member, coalition_admin):
    """Alice's practice lists a contract that expires 100 days from now (no reminder due yet)."""
    practice = PracticeFactory(coalition=coalition, author=member, title="Smart streetlights")
    today = timezone.localdate()
    return ContractFactory(
        practice=practice,
        contract_number="PA-2026-7",
        supplier="Brightway",
        awarded_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=100),
    )


def days_before(contract, days):
    return dt.datetime.combine(contract.expires_on - dt.timedelta(days=days), dt.time(15), tzinfo=dt.UTC)


def tick_twice(run):
    run(tick_contract_reminders)
    run(tick_contract_reminders)


def test_owners_get_the_90_and_30_day_reminders_once_each(run, frozen, contract, member, coalition_admin):
    bystander = UserFactory(email="dave@example.org")
    MembershipFactory(user=bystander, coalition=contract.practice.coalition)  # a member, not an owner
    tick_twice(run)
    assert mail.outbox == []

    frozen.move_to(days_before(contract, 90))
    tick_twice(run)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, coalition_admin.email])
    assert {m.subject for m in mail.outbox} == {"Contract PA-2026-7 expires in 90 days"}
    body = mail.outbox[0].body
    assert "Brightway" in body and "Smart streetlights" in body and "/contracts/" in body

    frozen.move_to(days_before(contract, 60))
    tick_twice(run)
    assert len(mail.outbox) == 2

    frozen.move_to(days_before(contract, 30))
    tick_twice(run)
    assert len(mail.outbox) == 4
    assert {m.subject for m in mail.outbox[2:]} == {"Contract PA-2026-7 expires in 30 days"}

    frozen.move_to(days_before(contract, 1))
    tick_twice(run)
    frozen.move_to(days_before(contract, -5))  # expired
    tick_twice(run)
    assert len(mail.outbox) == 4
    assert Delivery.objects.filter(kind=Delivery.Kind.CONTRACT, status=Delivery.Status.SENT).count() == 4


def test_a_contract_entered_late_gets_only_the_nearest_reminder(run, frozen, contract):
    contracts.update_contract(
        contract=contract, by=contract.practice.author, data={"expires_on": timezone.localdate() + dt.timedelta(20)}
    )
    tick_twice(run)
    assert {m.subject for m in mail.outbox} == {"Contract PA-2026-7 expires in 20 days"}
    assert len(mail.outbox) == 2


def test_an_extended_contract_is_reminded_again_before_its_new_date(run, frozen, contract):
    frozen.move_to(days_before(contract, 30))
    tick_twice(run)
    assert len(mail.outbox) == 2
    new_expiry = contract.expires_on + dt.timedelta(days=60)
    contracts.update_contract(contract=contract, by=contract.practice.author, data={"expires_on": new_expiry})
    tick_twice(run)  # 90 days before the new date: already past, so the 90-day one goes now
    assert len(mail.outbox) == 4 and "expires in 90 days" in mail.outbox[-1].subject


def test_a_reminder_whose_contract_changed_before_sending_is_skipped(run, frozen, contract):
    frozen.move_to(days_before(contract, 90))
    keys = dispatch_contract_reminders()  # queued, not yet sent (no commit callbacks ran)
    assert len(keys) == 2
    contract.delete()
    road.send_deliveries(keys=keys)
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SKIPPED}


def test_an_author_who_left_the_coalition_is_no_longer_reminded(run, frozen, contract, member, coalition_admin):
    member.memberships.all().delete()
    frozen.move_to(days_before(contract, 90))
    tick_twice(run)
    assert [m.to[0] for m in mail.outbox] == [coalition_admin.email]
