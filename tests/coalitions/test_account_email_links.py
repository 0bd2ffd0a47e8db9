"""allauth's emails link to SITE_URL, whatever Host header the request that sent them carried.

A password-reset email built from the Host header sends its secret link to whichever host an
attacker put in the request; every link the portal mails starts with SITE_URL instead.
"""

import re

import pytest
from django.urls import reverse

from tests.coalitions.test_accounts import SIGNUP

pytestmark = pytest.mark.django_db

SITE = "https://exchange.example.org"
FORGED_HOST = "localhost"  # an allowed host, but not the site's address


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def test_password_reset_link_starts_with_site_url(client, member, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": member.email}, HTTP_HOST=FORGED_HOST)

    [message] = mailoutbox
    [link] = [link for link in links(message) if "/password/reset/key/" in link]
    assert link.startswith(f"{SITE}/accounts/password/reset/key/")
    assert FORGED_HOST not in message.body
    # The link still works: it leads to the form for a new password.
    response = client.get(link.removeprefix(SITE), follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in response.text


def test_confirmation_link_starts_with_site_url(client, mailoutbox):
    client.post(reverse("account_signup"), SIGNUP, HTTP_HOST=FORGED_HOST)

    [message] = mailoutbox
    [link] = [link for link in links(message) if "/confirm-email/" in link]
    assert link.startswith(f"{SITE}/accounts/confirm-email/")
    assert FORGED_HOST not in message.body


def test_unknown_account_email_links_to_site_url(client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, HTTP_HOST=FORGED_HOST)

    [message] = mailoutbox
    assert f"{SITE}/accounts/signup/" in links(message)
    assert FORGED_HOST not in message.body


def test_account_already_exists_email_links_to_site_url(client, member, mailoutbox):
    client.post(reverse("account_signup"), {**SIGNUP, "email": member.email}, HTTP_HOST=FORGED_HOST)

    [message] = mailoutbox
    assert f"{SITE}/accounts/password/reset/" in links(message)
    assert FORGED_HOST not in message.body
