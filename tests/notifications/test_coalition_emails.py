"""Join decisions and invitations: the coalitions app signals, we send through the one road out."""

import pytest
from django.core import mail

from coalitions.models import Invitation, JoinRequest
from coalitions.signals import invitation_created, join_request_decided
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


def test_approved_join_request_gets_a_welcome_email_once(run, outsider, coalition):
    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition, status=JoinRequest.Status.APPROVED)

    run(join_request_decided.send, sender=JoinRequest, join_request=join_request)
    run(join_request_decided.send, sender=JoinRequest, join_request=join_request)

    (message,) = mail.outbox
    assert message.to == ["erin@example.org"]
    assert message.subject == "Welcome to Colorado Smart Cities Alliance"
    assert "http://testserver/coalitions/colorado/" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # a reply to the member's own request


def test_rejected_join_request_is_told_politely(run, outsider, coalition):
    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition, status=JoinRequest.Status.REJECTED)

    run(join_request_decided.send, sender=JoinRequest, join_request=join_request)

    assert mail.outbox[0].subject == "Your request to join Colorado Smart Cities Alliance"


def test_invitation_goes_to_an_address_without_an_account(run, coalition, coalition_admin):
    invitation = Invitation.objects.create(coalition=coalition, email="new.person@city.gov", invited_by=coalition_admin)

    run(invitation_created.send, sender=Invitation, invitation=invitation, accept_url="http://testserver/accept/abc/")

    (message,) = mail.outbox
    assert message.to == ["new.person@city.gov"]
    assert message.subject == "Bob Baker invites you to join Colorado Smart Cities Alliance"
    assert "http://testserver/accept/abc/" in message.body
    delivery = Delivery.objects.get()
    assert (delivery.key, delivery.user, delivery.status) == (f"invitation:{invitation.pk}", None, "sent")


def test_revoked_invitation_is_not_sent(run, coalition, coalition_admin, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from notifications.mail import send_deliveries

    invitation = Invitation.objects.create(coalition=coalition, email="new.person@city.gov", invited_by=coalition_admin)
    with django_capture_on_commit_callbacks(execute=False):
        invitation_created.send(sender=Invitation, invitation=invitation, accept_url="http://testserver/accept/abc/")
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())

    send_deliveries(keys=[f"invitation:{invitation.pk}"])

    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_a_join_decision_follows_the_members_address_and_is_logged_against_them(run, outsider, coalition):
    from allauth.account.models import EmailAddress

    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition, status=JoinRequest.Status.APPROVED)
    EmailAddress.objects.filter(user=outsider).update(email="erin.new@example.org")
    outsider.email = "erin.new@example.org"
    outsider.save(update_fields=["email"])

    run(join_request_decided.send, sender=JoinRequest, join_request=join_request)

    assert [m.to for m in mail.outbox] == [["erin.new@example.org"]]
    assert Delivery.objects.get().user == outsider


def test_an_email_whose_queued_message_was_lost_is_sent_by_a_later_tick(
    run, frozen, outsider, coalition, django_capture_on_commit_callbacks
):
    """The row is written first; if the broker loses the message, the every-minute tick's sweep sends it."""
    from datetime import timedelta

    from notifications.services import run_reminder_tick

    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition, status=JoinRequest.Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=False):  # the queued message never arrives
        join_request_decided.send(sender=JoinRequest, join_request=join_request)
    assert mail.outbox == []

    frozen.shift(timedelta(minutes=2))
    run(run_reminder_tick)

    assert [m.to for m in mail.outbox] == [["erin@example.org"]]


def test_subjects_are_plain_text_not_html_escaped(run, outsider):
    from tests.factories import CoalitionFactory

    coalition = CoalitionFactory(name='Smart Cities & Partners "CSCA"')
    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition, status=JoinRequest.Status.APPROVED)

    run(join_request_decided.send, sender=JoinRequest, join_request=join_request)

    assert mail.outbox[0].subject == 'Welcome to Smart Cities & Partners "CSCA"'
