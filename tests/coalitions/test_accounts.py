"""Accounts through django-allauth: signup with verification, login by email, reset, restyled pages."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from coalitions.models import Profile

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "gina@example.org",
    "full_name": "Gina Gomez",
    "job_title": "Open Data Lead, City of Pueblo",
    "password1": "a-long-unusual-pass-2026",
    "password2": "a-long-unusual-pass-2026",
}


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return " ".join(match.group(1).split())


def link_in(message, path_prefix: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S+)", message.body).group(1)


def test_signup_sends_verification_then_confirm_then_login_by_email(client, mailoutbox):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="gina@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["gina@example.org"]

    confirm_path = link_in(mailoutbox[0], "/accounts/confirm-email/")
    assert "Confirm Email Address" in client.get(confirm_path).content.decode()
    client.post(confirm_path)
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "GINA@example.org", "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert client.get(reverse("coalitions:profile")).status_code == 200


def test_signup_saves_name_and_title_to_the_profile(client):
    client.post(reverse("account_signup"), SIGNUP)

    profile = Profile.objects.get(user__email="gina@example.org")
    assert (profile.full_name, profile.job_title) == ("Gina Gomez", "Open Data Lead, City of Pueblo")


def test_signup_needs_a_name(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "full_name": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not get_user_model().objects.filter(email="gina@example.org").exists()


def test_over_long_signup_fields_are_form_errors(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "job_title": "x" * 151})

    assert "at most 150 characters" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_unverified_account_cannot_log_in_yet(client, mailoutbox):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()

    response = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})

    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("coalitions:profile")).status_code == 302


def test_wrong_password_gets_a_clear_message(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert 'class="form-errors"' in response.content.decode()


def test_rate_limits_are_configured_for_production():
    # The suite turns them off (they live in the cache); the settings module must turn them on.
    from config import settings as project_settings

    assert project_settings.ACCOUNT_RATE_LIMITS["login_failed"]
    assert project_settings.ACCOUNT_RATE_LIMITS["signup"]
    assert project_settings.ACCOUNT_RATE_LIMITS["reset_password"]


def test_failed_logins_are_rate_limited_when_on(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "2/m/ip"}
    cache.clear()
    for _ in range(2):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})

    assert "Too many failed login attempts" in response.content.decode()
    cache.clear()


def test_password_reset_by_email(client, member, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.url == reverse("account_reset_password_done")

    reset_path = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    form_page = client.get(reset_path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"password1": "brand-new-pass-2026", "password2": "brand-new-pass-2026"}
    )

    client.logout()
    response = client.post(reverse("account_login"), {"login": member.email, "password": "brand-new-pass-2026"})
    assert response.status_code == 302
    assert response.url != reverse("account_login")


def test_display_name_in_allauth_is_the_full_name(member):
    from coalitions.accounts import user_display

    assert user_display(member) == "Alice Archer"


# --- allauth pages in the portal's clothes --------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("account_login", "Sign In"),
        ("account_signup", "Signup"),
        ("account_reset_password", "Password Reset"),
        ("account_reset_password_done", "Password Reset"),
        ("account_email_verification_sent", "Verify Your Email Address"),
    ],
)
def test_signed_out_account_pages_use_the_portal_layout(client, url_name, title):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert title_of(response) == f"{title} · Smart Regions Exchange"
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert 'class="site-footer"' in page


@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("account_email", "Email Addresses"),
        ("account_change_password", "Change Password"),
        ("account_logout", "Sign Out"),
    ],
)
def test_signed_in_account_pages_use_the_portal_layout_and_lead_back_to_profile(member_client, url_name, title):
    response = member_client.get(reverse(url_name))

    assert response.status_code == 200
    assert title_of(response) == f"{title} · Smart Regions Exchange"
    assert f'href="{reverse("coalitions:profile")}"' in response.content.decode()


def test_login_form_is_a_card_with_our_fields_and_button(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'class="card auth-form auth-form-entrance"' in page
    assert '<div class="field">' in page
    assert '<button class="button" type="submit">' in page


def test_bad_confirmation_link_shows_a_clear_page(client):
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))

    assert response.status_code == 200
    assert "This email confirmation link expired or is invalid." in response.content.decode()
    assert title_of(response) == "Confirm Email Address · Smart Regions Exchange"


def test_bad_password_reset_link_shows_a_clear_page(client, member):
    response = client.get(reverse("account_reset_password_from_key", args=[member.pk, "bad-key"]), follow=True)

    assert "Bad Token" in response.content.decode()


def test_changing_email_shows_field_errors_in_our_style(member_client):
    response = member_client.post(reverse("account_email"), {"action_add": "", "email": "not-an-email"})

    page = response.content.decode()
    assert 'class="field field-error"' in page
    assert "Enter a valid email address." in page


def test_password_change_with_wrong_current_password(member_client):
    response = member_client.post(
        reverse("account_change_password"), {"oldpassword": "nope", "password1": "x" * 12, "password2": "x" * 12}
    )

    assert "Please type your current password." in response.content.decode()


def test_account_emails_speak_for_the_portal_not_the_host(client, mailoutbox):
    client.post(
        reverse("account_signup"),
        {
            "email": "gina@example.org",
            "full_name": "Gina Garcia",
            "password1": "Gina-pass-2026",
            "password2": "Gina-pass-2026",
        },
    )

    [message] = mailoutbox
    assert message.body.startswith("Hello from Smart Regions Exchange,")
    assert "Welcome, Gina Garcia!" in message.body
    assert "testserver!" not in message.body  # allauth's default greets the request's host


def test_member_adds_an_address_confirms_it_and_makes_it_primary(member_client, member, mailoutbox):
    member_client.post(reverse("account_email"), {"action_add": "", "email": "alice@work.example.org"})

    [message] = mailoutbox
    assert "added this email address to their account" in message.body
    confirm_path = re.search(r"http://testserver(/\S+)", message.body).group(1)
    response = member_client.post(confirm_path)
    assert response.url == reverse("account_email")  # back to the list, not the home page

    member_client.post(reverse("account_email"), {"action_primary": "", "email": "alice@work.example.org"})

    member.refresh_from_db()
    assert member.email == "alice@work.example.org"
    assert set(member.emailaddress_set.values_list("email", flat=True)) == {
        "alice@example.org",
        "alice@work.example.org",
    }


def test_password_reset_done_page_leads_to_sign_in(client):
    page = client.get(reverse("account_reset_password_from_key_done")).content.decode()

    assert f'href="{reverse("account_login")}"' in page
