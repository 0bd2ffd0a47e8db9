"""Journeys that used to end somewhere unexpected: a members-only page reached signed out, an RSVP
link from an email, a new account's confirmation, and "Share a practice" for someone who may not
share yet. Each is followed from the first click to where the person meant to go."""

import datetime as dt
import html
import re
from urllib.parse import unquote

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from coalitions.models import JoinRequest
from meetings.models import RSVP
from practices.models import Practice
from tests.factories import JoinRequestFactory, MeetingFactory, PracticeFactory
from tests.factories.coalitions import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "gina@example.org",
    "full_name": "Gina Gomez",
    "job_title": "Open Data Lead, City of Pueblo",
    "password1": "a-long-unusual-pass-2026",
    "password2": "a-long-unusual-pass-2026",
}


def text(response) -> str:
    return html.unescape(response.content.decode())


def sign_in_from(client, login_url: str, email: str, password: str = PASSWORD):
    """Post the login form the page at ``login_url`` shows (with its hidden ``next``)."""
    page = text(client.get(login_url))
    next_field = re.search(r'name="next" value="([^"]*)"', page)
    data = {"login": email, "password": password}
    if next_field:
        data["next"] = next_field.group(1).replace("&amp;", "&")
    return client.post(reverse("account_login"), data)


# --- members-only pages reached while signed out ---------------------------------------------------


def test_a_members_only_practice_says_why_to_sign_in_and_comes_back_after(client, member, coalition):
    practice = PracticeFactory(coalition=coalition, title="Members-only retainer")  # members-only by default

    sent = client.get(practice.get_absolute_url())
    assert sent.status_code == 302 and sent["Location"].startswith(reverse("account_login"))
    page = text(client.get(sent["Location"]))
    assert "This practice is shared with partnership members." in page
    assert "Members-only retainer" not in page  # the title stays behind the sign-in

    back = sign_in_from(client, sent["Location"], member.email)

    assert back.status_code == 302 and back["Location"] == practice.get_absolute_url()
    assert "Members-only retainer" in text(client.get(back["Location"]))


def test_the_members_menu_signed_out_says_the_directory_is_for_members_and_comes_back(client, member):
    sent = client.get(reverse("coalitions:directory"))
    page = text(client.get(sent["Location"]))
    assert "The member directory is open to members of the partnership's coalitions." in page

    back = sign_in_from(client, sent["Location"], member.email)

    assert back["Location"] == reverse("coalitions:directory")
    assert client.get(back["Location"]).status_code == 200


def test_a_plain_login_says_nothing_about_members_only_pages(client):
    page = text(client.get(reverse("account_login")))
    assert "shared with partnership members" not in page


def test_a_next_that_leaves_the_portal_gets_no_reason(client):
    page = text(client.get(reverse("account_login") + "?next=https://evil.example.org/practices/x/"))
    assert "shared with partnership members" not in page


# --- RSVP from an email ----------------------------------------------------------------------------


@pytest.fixture
def december_call(coalition):
    # Tue 8 Dec 2026, 11:00 in Denver (MST, UTC-7), seen a week before.
    start = dt.datetime(2026, 12, 8, 18, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        yield MeetingFactory(title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1))


def test_an_rsvp_link_signs_in_then_asks_at_the_top_and_a_get_records_nothing(client, member, december_call):
    link = december_call.get_absolute_url() + "?rsvp=yes"

    sent = client.get(link)
    assert "You are answering a meeting invitation." in text(client.get(sent["Location"]))
    back = sign_in_from(client, sent["Location"], member.email)
    assert back["Location"] == link
    page = text(client.get(back["Location"]))

    assert not RSVP.objects.exists()
    asked = page.index("Confirm: you will attend Partnership monthly call on Tue 8 Dec")
    assert asked < page.index('id="agenda-heading"')  # at the top, before the agenda and the sidebar
    assert page.index('name="answer" value="yes"') < page.index('id="agenda-heading"')

    client.post(reverse("meetings:rsvp", args=[december_call.pk]), {"answer": "yes"})
    assert RSVP.objects.get(user=member, meeting=december_call).answer == "yes"


@pytest.mark.parametrize(("answer", "said"), [("maybe", "you might attend"), ("no", "you will not attend")])
def test_each_rsvp_link_says_what_it_asks(member_client, december_call, answer, said):
    page = text(member_client.get(december_call.get_absolute_url() + f"?rsvp={answer}"))
    assert f"Confirm: {said} Partnership monthly call on Tue 8 Dec" in page
    assert not RSVP.objects.exists()


# --- a new account ---------------------------------------------------------------------------------


def _confirm_path(mailoutbox) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[-1].body).group(1)


def test_confirming_a_new_account_signs_in_and_leads_on_to_asking_to_join(client, mailoutbox, coalition):
    client.post(reverse("account_signup"), SIGNUP)

    response = client.post(_confirm_path(mailoutbox))

    assert response.status_code == 302 and response["Location"] == reverse("coalitions:list") + "?welcome=1"
    page = text(client.get(response["Location"]))
    assert "Your address is confirmed, and you are signed in." in page
    assert f'href="{reverse("coalitions:join", args=[coalition.slug])}"' in page
    assert client.get(reverse("coalitions:profile")).status_code == 200  # signed in


def test_confirming_in_another_browser_asks_to_sign_in_then_leads_on_to_asking_to_join(client, mailoutbox, coalition):
    client.post(reverse("account_signup"), SIGNUP)
    other_browser = Client()

    response = other_browser.post(_confirm_path(mailoutbox))

    assert EmailAddress.objects.get(email="gina@example.org").verified
    assert response["Location"].startswith(reverse("account_login"))
    back = sign_in_from(other_browser, response["Location"], "gina@example.org", SIGNUP["password1"])
    assert back["Location"] == reverse("coalitions:list") + "?welcome=1"


def test_after_asking_to_join_the_list_shows_the_request_not_ask_again(client, mailoutbox, coalition):
    client.post(reverse("account_signup"), SIGNUP)
    client.post(_confirm_path(mailoutbox))

    client.post(reverse("coalitions:join", args=[coalition.slug]), {"message": "Pueblo here."})

    page = text(client.get(reverse("coalitions:list") + "?welcome=1"))
    assert JoinRequest.objects.filter(user__email="gina@example.org", coalition=coalition).exists()
    assert "Request pending" in page and reverse("coalitions:join", args=[coalition.slug]) not in page


# --- "Share a practice" ----------------------------------------------------------------------------


def test_share_a_practice_is_offered_to_members_only(member_client, outsider_client, partnership_admin_client):
    create = f'href="{reverse("practices:create")}"'
    assert create in text(member_client.get(reverse("practices:list")))
    assert create in text(partnership_admin_client.get(reverse("practices:list")))
    assert create not in text(outsider_client.get(reverse("practices:list")))
    assert ">Share a practice</a>" not in text(outsider_client.get(reverse("practices:mine")))


def test_the_share_url_tells_someone_in_no_coalition_what_to_do_first(outsider_client):
    response = outsider_client.get(reverse("practices:create"))

    assert response.status_code == 200
    page = text(response)
    assert "not yet a member of a coalition" in page
    assert "Ask to join your coalition." in page and f'href="{reverse("coalitions:list")}"' in page
    assert "<s>Confirm your email address</s>" in page  # Erin's address is verified: that step is done


def test_the_share_url_says_the_request_is_waiting_once_asked(outsider_client, outsider, coalition):
    JoinRequestFactory(user=outsider, coalition=coalition)

    page = text(outsider_client.get(reverse("practices:create")))

    assert f"Wait for {coalition.name} to let you in." in page


def test_the_share_url_asks_an_unverified_account_to_confirm_first(client):
    user = get_user_model().objects.create_user("gina", "gina@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)

    page = text(client.get(reverse("practices:create")))

    assert "<strong>Confirm your email address.</strong>" in page


def test_posting_a_practice_without_a_coalition_is_refused_and_saves_nothing(outsider_client):
    response = outsider_client.post(reverse("practices:create"), {"title": "Mine", "summary": "S", "body": "B"})
    assert response.status_code == 403 and "not yet a member of a coalition" in text(response)
    assert not Practice.objects.exists()


# --- members-only pages for someone in no coalition ---------------------------------------------------


@pytest.mark.parametrize("url_name", ["meetings:calendar", "coalitions:directory"])
def test_a_members_only_page_shows_someone_in_no_coalition_the_way_in(outsider_client, url_name):
    response = outsider_client.get(reverse(url_name))

    assert response.status_code == 403
    page = text(response)
    assert "not yet a member of any coalition" in page
    assert f'href="{reverse("coalitions:list")}"' in page and "Find a coalition to join" in page


@pytest.mark.parametrize("url_name", ["meetings:calendar", "coalitions:directory"])
def test_a_members_only_page_says_the_request_is_waiting_once_asked(outsider_client, outsider, coalition, url_name):
    JoinRequestFactory(user=outsider, coalition=coalition)

    page = text(outsider_client.get(reverse(url_name)))

    assert f'Your request to join <a href="{coalition.get_absolute_url()}">{coalition.name}</a> is waiting' in page
    assert "Find a coalition to join" not in page


def test_a_members_only_page_sends_a_visitor_to_log_in(client):
    response = client.get(reverse("meetings:calendar"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- the demo's login page -------------------------------------------------------------------------


def test_the_demo_login_page_says_where_the_demo_accounts_are_listed(client, settings):
    settings.DEMO = True
    page = unquote(text(client.get(reverse("account_login"))))
    assert "The demo accounts are listed in the README under “Two commands”" in page

    settings.DEMO = False
    assert "demo accounts" not in text(client.get(reverse("account_login")))
