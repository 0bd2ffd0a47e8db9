"""Failed-login throttles stop attackers, not members.

Every visitor comes through one proxy (10.0.0.2) that appends the client's address to
X-Forwarded-For. The limits are the production ones (settings.ACCOUNT_RATE_LIMITS, switched off
for the rest of the suite) in a fresh local-memory cache.
"""

import logging

import pytest
from django.urls import reverse

from config import settings as portal_settings
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.2"
ADDRESS_A = "203.0.113.10"  # the attacker
ADDRESS_B = "198.51.100.7"  # member B at their desk
ADDRESS_C = "192.0.2.44"  # member B somewhere else


@pytest.fixture
def throttled(settings):
    settings.ACCOUNT_RATE_LIMITS = portal_settings.ACCOUNT_RATE_LIMITS
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "login-throttles"}
    }
    from django.core.cache import cache

    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def member_b(db):
    return UserFactory(email="bea@example.org")


def sign_in(client, email, password, address):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def is_throttled(response) -> bool:
    # allauth answers a throttled address either way: "login" (30 posts a minute) with a 429,
    # "login_failed" with the form's error.
    return response.status_code == 429 or "Too many failed login attempts" in response.text


def test_fifty_failures_for_made_up_accounts_from_one_address_do_not_keep_member_out(throttled, member_b, client):
    attacker = type(client)()
    for n in range(50):
        response = sign_in(attacker, f"nobody{n}@example.org", "guess", ADDRESS_A)
        assert response.status_code in (200, 429)
    # The attacker's own address is throttled...
    assert is_throttled(sign_in(attacker, "nobody@example.org", "guess", ADDRESS_A))
    # ...and member B, behind the same proxy, is not.
    response = sign_in(client, member_b.email, PASSWORD, ADDRESS_B)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_fifty_failures_for_a_members_account_from_one_address_do_not_keep_them_out_elsewhere(
    throttled, member_b, client
):
    attacker = type(client)()
    for _ in range(50):
        sign_in(attacker, member_b.email, "guess", ADDRESS_A)
    # From the attacker's address the account is throttled, even with the right password...
    assert is_throttled(sign_in(attacker, member_b.email, PASSWORD, ADDRESS_A))
    assert not is_signed_in(attacker)
    # ...but B signs in from address C.
    response = sign_in(client, member_b.email, PASSWORD, ADDRESS_C)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_five_failures_for_one_account_from_one_address_throttle_that_pair(throttled, member_b, client):
    for _ in range(5):
        assert "The email address and/or password you specified are not correct" in (
            sign_in(client, member_b.email, "guess", ADDRESS_A).text
        )
    assert is_throttled(sign_in(client, member_b.email, PASSWORD, ADDRESS_A))


def test_without_a_trusted_proxy_count_the_forwarded_address_is_not_believed(throttled, member_b, client):
    # X-Forwarded-For is whatever a client sends unless our own proxy wrote it: with the count at 0,
    # a client cannot dodge its throttle by inventing addresses.
    throttled.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        sign_in(client, f"nobody{n}@example.org", "guess", f"203.0.113.{n}")
    assert is_throttled(sign_in(client, member_b.email, PASSWORD, "198.51.100.99"))


def test_unreachable_cache_lets_members_sign_in_and_logs_an_error(throttled, member_b, client, caplog, monkeypatch):
    monkeypatch.setattr("config.cache._skip_until", 0.0)  # and back to 0 afterwards, for later tests
    # Nothing listens on port 1: every Redis call fails at once.
    throttled.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with caplog.at_level(logging.ERROR, logger="config.cache"):
        wrong = sign_in(client, member_b.email, "guess", ADDRESS_B)
        right = sign_in(client, member_b.email, PASSWORD, ADDRESS_B)
    assert wrong.status_code == 200
    assert "not correct" in wrong.text
    assert right.status_code == 302
    assert is_signed_in(client)
    assert any("Cache unreachable" in record.getMessage() for record in caplog.records)


def admin_login(client, email, password, address=ADDRESS_A):
    return client.post(
        f"{reverse('admin:login')}?next=/admin/",
        {"username": email, "password": password, "next": "/admin/"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
        follow=True,
    )


def test_admin_login_checks_no_passwords_of_its_own(throttled, partnership_admin, client):
    # 30 wrong passwords for the partnership admin, then the right one: the admin's form used to
    # answer every one of them and let the last one in.
    for _ in range(30):
        admin_login(client, partnership_admin.email, "guess")
    response = admin_login(client, partnership_admin.email, PASSWORD)
    assert not is_signed_in(client)
    assert response.redirect_chain[0][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_admin_signs_in_through_the_portal_login_and_its_throttle(throttled, partnership_admin, client):
    login_page = client.get(reverse("admin:index"), follow=True)
    assert login_page.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"

    def portal_login(password):
        return client.post(
            login_page.redirect_chain[-1][0],
            {"login": partnership_admin.email, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ADDRESS_A,
        )

    for _ in range(30):
        portal_login("guess")
    assert is_throttled(portal_login(PASSWORD))
    assert not is_signed_in(client)

    # From their own desk the partnership admin signs in and lands in the admin.
    response = client.post(
        login_page.redirect_chain[-1][0],
        {"login": partnership_admin.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ADDRESS_B,
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_login_refuses_a_signed_in_member_instead_of_looping(member_client):
    assert member_client.get(reverse("admin:login")).status_code == 403
    response = member_client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_a_request_that_skipped_a_proxy_is_answered_not_a_server_error(throttled, member_b, client):
    # Two proxies of ours should each add an address; a request with one is refused or served, never a 500.
    throttled.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = sign_in(client, member_b.email, PASSWORD, ADDRESS_B)
    assert response.status_code == 302
    assert is_signed_in(client)
