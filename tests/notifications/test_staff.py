"""Partnership admins: digest preview, undelivered emails, Django admin, bounce handling."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Membership
from notifications.models import BouncedAddress, Delivery
from tests.factories import PracticeFactory, UserFactory
from tests.factories.notifications import BouncedAddressFactory, DeliveryFactory

pytestmark = pytest.mark.django_db


def preview_url(user):
    return reverse("notifications:preview_digest", args=[user.pk])


def test_staff_preview_a_members_next_digest(partnership_admin_client, member, frozen):
    Membership.objects.filter(user=member).update(joined=timezone.now() - dt.timedelta(days=30))
    PracticeFactory(title="Leak sensors", published_at=timezone.now() - dt.timedelta(days=1))

    response = partnership_admin_client.get(preview_url(member))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Subject: Your weekly digest: 1 new practice" in page
    assert "Leak sensors" in page
    assert "America/Denver" in page


def test_preview_says_when_nothing_would_be_sent(partnership_admin_client, member):
    response = partnership_admin_client.get(preview_url(member))

    page = response.content.decode()
    assert "no digest would be sent now" in page
    assert "Subject:" not in page  # no empty email shown as if it would go out


@pytest.mark.parametrize("client_name", ["member_client", "coalition_admin_client", "other_member_client"])
def test_preview_is_forbidden_to_non_staff(request, client_name, member):
    client = request.getfixturevalue(client_name)
    assert client.get(preview_url(member)).status_code == 403


def test_preview_asks_anonymous_visitors_to_log_in(client, member):
    assert client.get(preview_url(member)).status_code == 302


def test_preview_of_an_unknown_member_is_a_404(partnership_admin_client):
    assert partnership_admin_client.get(reverse("notifications:preview_digest", args=[999999])).status_code == 404


def test_staff_page_lists_failed_and_bounced_deliveries(partnership_admin_client, member):
    DeliveryFactory(user=member, status=Delivery.Status.FAILED, last_error="SMTPDataError: 554 spam")
    DeliveryFactory(user=member, status=Delivery.Status.SENT, to_address="sent@example.org")
    BouncedAddressFactory(address="gone@example.org", user=member)

    response = partnership_admin_client.get(reverse("notifications:failed_deliveries"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "554 spam" in page
    assert "gone@example.org" in page
    assert "sent@example.org" not in page


def test_staff_page_filters_by_kind_and_ignores_bad_filters(partnership_admin_client, member):
    DeliveryFactory(kind=Delivery.Kind.DIGEST, status=Delivery.Status.FAILED, last_error="digest-error")
    DeliveryFactory(kind=Delivery.Kind.REMINDER, status=Delivery.Status.FAILED, last_error="reminder-error")
    url = reverse("notifications:failed_deliveries")

    filtered = partnership_admin_client.get(url, {"kind": "reminder"}).content.decode()
    bad = partnership_admin_client.get(url, {"kind": "nonsense", "page": "x"})

    assert "reminder-error" in filtered and "digest-error" not in filtered
    assert bad.status_code == 200


def test_staff_page_is_forbidden_to_members(member_client, coalition_admin_client):
    url = reverse("notifications:failed_deliveries")
    assert member_client.get(url).status_code == 403
    assert coalition_admin_client.get(url).status_code == 403


def test_admin_lists_and_searches_deliveries(partnership_admin_client, partnership_admin, member):
    partnership_admin.is_superuser = True
    partnership_admin.save()
    DeliveryFactory(user=member, to_address="alice@example.org")
    DeliveryFactory(to_address="zed@example.org")
    url = reverse("admin:notifications_delivery_changelist")

    response = partnership_admin_client.get(url, {"q": "alice", "status__exact": "pending", "kind__exact": "digest"})

    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()
    assert "zed@example.org" not in response.content.decode()


def test_admin_action_marks_addresses_bounced(partnership_admin_client, partnership_admin, member):
    partnership_admin.is_superuser = True
    partnership_admin.save()
    delivery = DeliveryFactory(user=member, status=Delivery.Status.SENT)

    partnership_admin_client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "mark_bounced", "_selected_action": [delivery.pk]},
    )

    assert BouncedAddress.objects.get(address="alice@example.org").source == BouncedAddress.Source.ADMIN
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.BOUNCED


def test_confirming_the_address_again_lifts_the_bounce(member):
    BouncedAddressFactory(address="alice@example.org", user=member)

    email_confirmed.send(sender=EmailAddress, request=None, email_address=member.emailaddress_set.get())

    assert not BouncedAddress.objects.exists()


def test_preview_embeds_the_email_escaped_in_srcdoc(partnership_admin_client, member, frozen):
    Membership.objects.filter(user=member).update(joined=timezone.now() - dt.timedelta(days=30))
    PracticeFactory(title="Leak sensors", published_at=timezone.now() - dt.timedelta(days=1))

    page = partnership_admin_client.get(preview_url(member)).content.decode()

    # The rendered email is HTML already: unescaped, it would end the attribute and break the page.
    assert 'srcdoc="&lt;!doctype html&gt;' in page


@pytest.mark.parametrize("size", [2, 12])
def test_staff_page_runs_a_fixed_number_of_queries(partnership_admin_client, size, django_assert_max_num_queries):
    for _ in range(size):
        DeliveryFactory(status=Delivery.Status.FAILED, last_error="SMTPDataError: 554 spam")
        DeliveryFactory(status=Delivery.Status.PENDING, attempts=2, last_error="timed out")
        BouncedAddressFactory(user=UserFactory())
    url = reverse("notifications:failed_deliveries")
    with django_assert_max_num_queries(8):
        failed = partnership_admin_client.get(url)
    with django_assert_max_num_queries(8):
        waiting = partnership_admin_client.get(url, {"status": Delivery.Status.PENDING})
    assert len(failed.context["page"]) == size and len(waiting.context["page"]) == size
    assert failed.context["bounced_total"] == size


def test_confirming_one_address_lifts_only_that_addresses_bounce(member, other_member):
    BouncedAddressFactory(address="alice@example.org", user=member)
    BouncedAddressFactory(address="charlie@example.org", user=other_member)

    email_confirmed.send(sender=EmailAddress, request=None, email_address=member.emailaddress_set.get())

    assert list(BouncedAddress.objects.values_list("address", flat=True)) == ["charlie@example.org"]


def test_admin_lifts_the_chosen_bounce_marks_and_says_how_many(partnership_admin_client, partnership_admin):
    partnership_admin.is_superuser = True
    partnership_admin.save()
    lifted = BouncedAddressFactory(address="fixed@example.org")
    BouncedAddressFactory(address="still-broken@example.org")

    response = partnership_admin_client.post(
        reverse("admin:notifications_bouncedaddress_changelist"),
        {"action": "lift", "_selected_action": [lifted.pk]},
        follow=True,
    )

    assert "1 bounce mark(s) lifted." in response.content.decode()
    assert list(BouncedAddress.objects.values_list("address", flat=True)) == ["still-broken@example.org"]
