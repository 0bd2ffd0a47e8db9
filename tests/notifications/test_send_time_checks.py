"""What holds when an email is queued is checked again when it is sent: it may have waited a while."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from coalitions.models import Invitation
from coalitions.signals import invitation_created
from notifications.mail import send_deliveries
from notifications.models import BouncedAddress, Delivery
from notifications.services import run_reminder_tick
from tests.factories import BouncedAddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(django_capture_on_commit_callbacks):
    """Run a service that queues emails without sending them yet; returns the queued keys."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            fn(*args, **kwargs)
        return list(Delivery.objects.filter(status=Delivery.Status.PENDING).values_list("key", flat=True))

    return call


def change_address(user, new_address, *, verified=True):
    """What the account pages do: the new address becomes the account's (primary) address."""
    EmailAddress.objects.filter(user=user).update(primary=False)
    EmailAddress.objects.create(user=user, email=new_address, primary=True, verified=verified)
    user.email = new_address
    user.save(update_fields=["email"])


def test_a_member_deactivated_after_the_fan_out_gets_nothing(queued, meeting_tomorrow, member, coalition_admin):
    keys = queued(run_reminder_tick)
    member.is_active = False
    member.save(update_fields=["is_active"])

    send_deliveries(keys=keys)

    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    skipped = Delivery.objects.get(user=member)
    assert (skipped.status, skipped.last_error) == (Delivery.Status.SKIPPED, "account inactive")


def test_an_invitation_to_a_hard_bounced_address_without_an_account_is_skipped(queued, coalition, coalition_admin):
    invitation = Invitation.objects.create(coalition=coalition, email="Gone@City.gov", invited_by=coalition_admin)
    keys = queued(invitation_created.send, sender=Invitation, invitation=invitation, accept_url="http://testserver/a/")
    BouncedAddressFactory(address="gone@city.gov")

    report = send_deliveries(keys=keys)

    assert mail.outbox == []
    assert report.skipped == keys
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (Delivery.Status.SKIPPED, "address hard-bounced")


def test_an_invitation_to_a_working_address_without_an_account_is_sent(queued, coalition, coalition_admin):
    BouncedAddressFactory(address="someone.else@city.gov")
    invitation = Invitation.objects.create(coalition=coalition, email="new@city.gov", invited_by=coalition_admin)
    keys = queued(invitation_created.send, sender=Invitation, invitation=invitation, accept_url="http://testserver/a/")

    send_deliveries(keys=keys)

    assert [m.to for m in mail.outbox] == [["new@city.gov"]]


def test_a_member_who_changed_address_after_queueing_gets_the_email_at_the_new_one(queued, meeting_tomorrow, member):
    keys = queued(run_reminder_tick)
    change_address(member, "alice.new@example.org")

    send_deliveries(keys=keys)

    assert [m.to for m in mail.outbox] == [["alice.new@example.org"]]
    assert Delivery.objects.get().to_address == "alice.new@example.org"  # the log says where it went


def test_a_member_who_left_a_bounced_address_gets_the_email_at_the_new_one(queued, meeting_tomorrow, member):
    """The usual reason to change address: the old one bounced. The bounce mark stays on the old one."""
    keys = queued(run_reminder_tick)
    BouncedAddressFactory(address="alice@example.org", user=member)
    change_address(member, "alice.new@example.org")

    send_deliveries(keys=keys)

    assert [m.to for m in mail.outbox] == [["alice.new@example.org"]]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_a_member_who_changed_to_an_address_that_bounced_gets_nothing(queued, meeting_tomorrow, member):
    keys = queued(run_reminder_tick)
    change_address(member, "alice.new@example.org")
    BouncedAddress.objects.create(address="alice.new@example.org", source=BouncedAddress.Source.ADMIN)

    send_deliveries(keys=keys)

    assert mail.outbox == []
    assert Delivery.objects.get().last_error == "address hard-bounced"


def test_a_member_who_changed_to_an_unverified_address_gets_nothing_until_it_is_confirmed(
    queued, meeting_tomorrow, member
):
    """The old address was verified; the new one is not yet. Mail follows the account's current address."""
    keys = queued(run_reminder_tick)
    change_address(member, "alice.new@example.org", verified=False)

    send_deliveries(keys=keys)

    assert mail.outbox == []
    assert Delivery.objects.get().last_error == "address not verified"
