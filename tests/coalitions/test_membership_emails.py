"""Join decisions and invitations really reach people by email, with links that work (Celery is eager here)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from coalitions.models import Membership
from tests.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/\S+)")


def _links(message) -> list[str]:
    """Paths of every absolute link in the text part (SITE_URL is http://testserver in tests)."""
    return LINK.findall(message.body)


def _html(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the portal sends after commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_approved_person_gets_a_welcome_email_linking_to_the_coalition(
    coalition_admin_client, coalition, outsider, mailoutbox, commit, client
):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    with commit():
        coalition_admin_client.post(reverse("coalitions:approve_request", args=[coalition.slug, join_request.pk]))

    [message] = mailoutbox
    assert message.to == [outsider.email]
    assert "Welcome to Colorado Smart Cities Alliance" in message.subject
    assert "approved" in message.body
    assert coalition.get_absolute_url() in _links(message)
    assert f"http://testserver{coalition.get_absolute_url()}" in _html(message)
    client.force_login(outsider)
    assert client.get(coalition.get_absolute_url()).status_code == 200


def test_rejected_person_is_told_plainly(coalition_admin_client, coalition, outsider, mailoutbox, commit):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    with commit():
        coalition_admin_client.post(
            reverse("coalitions:reject_request", args=[coalition.slug, join_request.pk]), {"confirmed": "yes"}
        )

    [message] = mailoutbox
    assert message.to == [outsider.email]
    assert "Your request to join Colorado Smart Cities Alliance" in message.subject
    assert "not approved" in message.body
    assert "Welcome" not in message.body


def test_deciding_twice_sends_one_email(coalition_admin_client, coalition, outsider, mailoutbox, commit):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)
    url = reverse("coalitions:approve_request", args=[coalition.slug, join_request.pk])

    with commit():
        coalition_admin_client.post(url)
    with commit():
        coalition_admin_client.post(url)

    assert len(mailoutbox) == 1


def test_refused_decision_sends_nothing(member_client, coalition, outsider, mailoutbox, commit):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    with commit():
        response = member_client.post(reverse("coalitions:approve_request", args=[coalition.slug, join_request.pk]))

    assert response.status_code == 403
    assert mailoutbox == []


def test_invitee_gets_an_email_whose_link_leads_through_signup_into_the_coalition(
    coalition_admin_client, coalition, mailoutbox, commit, client
):
    with commit():
        coalition_admin_client.post(
            reverse("coalitions:invite", args=[coalition.slug]), {"email": "Gina@Example.org", "role": "member"}
        )

    [message] = mailoutbox
    assert message.to == ["gina@example.org"]
    assert "Bob Baker invites you to join Colorado Smart Cities Alliance" in message.subject
    [accept_path] = [p for p in _links(message) if "/invitations/" in p]
    assert f"http://testserver{accept_path}" in _html(message)

    # A stranger follows the link, signs up with the invited address and confirms it.
    page = client.get(accept_path)
    assert page.status_code == 200
    assert "Colorado Smart Cities Alliance" in page.content.decode()
    client.post(
        reverse("account_signup") + f"?next={accept_path}",
        {
            "email": "gina@example.org",
            "full_name": "Gina Garcia",
            "password1": "Gina-pass-2026",
            "password2": "Gina-pass-2026",
        },
    )
    confirm_path = LINK.findall(mailoutbox[-1].body)[0]
    client.post(confirm_path)
    assert EmailAddress.objects.filter(email="gina@example.org", verified=True).exists()

    response = client.post(accept_path)

    assert response.status_code == 302
    assert Membership.objects.filter(user__email="gina@example.org", coalition=coalition, role="member").exists()


def test_invitation_email_says_until_when_the_link_works(coalition_admin_client, coalition, mailoutbox, commit):
    with commit():
        coalition_admin_client.post(
            reverse("coalitions:invite", args=[coalition.slug]), {"email": "hal@example.org", "role": "admin"}
        )

    [message] = mailoutbox
    assert "The link works until" in message.body


def test_refused_invitation_sends_nothing(member_client, coalition, mailoutbox, commit):
    with commit():
        response = member_client.post(
            reverse("coalitions:invite", args=[coalition.slug]), {"email": "hal@example.org", "role": "member"}
        )

    assert response.status_code == 403
    assert mailoutbox == []
