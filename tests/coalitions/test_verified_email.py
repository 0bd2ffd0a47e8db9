""" "Has a verified email" means the account's current address is verified, not one it once had."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from coalitions.models import JoinRequest
from coalitions.permissions import has_verified_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_address(user, new_address, *, verified):
    EmailAddress.objects.filter(user=user).update(primary=False)
    EmailAddress.objects.create(user=user, email=new_address, primary=True, verified=verified)
    user.email = new_address
    user.save(update_fields=["email"])


def test_a_verified_current_address_counts(outsider):
    assert has_verified_email(outsider) is True


def test_an_unverified_current_address_does_not(db):
    assert has_verified_email(UserFactory(verified=False)) is False


def test_an_address_verified_before_a_change_does_not_count_for_the_new_one(outsider):
    change_address(outsider, "erin.new@example.org", verified=False)

    assert has_verified_email(outsider) is False


def test_the_address_is_compared_without_regard_to_case(outsider):
    EmailAddress.objects.filter(user=outsider).update(email="Erin@Example.org")

    assert has_verified_email(outsider) is True


def test_a_signed_out_visitor_has_none():
    assert has_verified_email(AnonymousUser()) is False


def test_a_member_who_changed_to_an_unverified_address_cannot_ask_to_join(outsider_client, outsider, coalition):
    change_address(outsider, "erin.new@example.org", verified=False)

    response = outsider_client.post(reverse("coalitions:join", args=[coalition.slug]), {"message": "Hi"}, follow=True)

    assert "verify your email address" in response.content.decode()
    assert not JoinRequest.objects.exists()
