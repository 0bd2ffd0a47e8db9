"""Inviting by email: signed single-use links that expire, can be revoked, and need the invited address."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from coalitions import services
from coalitions.models import Invitation, Membership
from coalitions.services import MembershipError
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


def invite_url(coalition):
    return reverse("coalitions:invite", args=[coalition.slug])


def revoke_url(invitation):
    return reverse("coalitions:revoke_invitation", args=[invitation.coalition.slug, invitation.pk])


def accept_path(invitation):
    return reverse("coalitions:accept_invitation", args=[services.invitation_token(invitation)])


@pytest.fixture
def invitation(coalition, coalition_admin):
    return InvitationFactory(coalition=coalition, email="erin@example.org", invited_by=coalition_admin)


# --- inviting -------------------------------------------------------------------------------------


def test_admin_invites_by_email_and_the_signal_carries_an_absolute_link(
    coalition_admin_client, coalition, coalition_admin, invitations_sent, django_capture_on_commit_callbacks
):
    # Time stands still: the signed token carries a timestamp, and the expected link is signed again below.
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = coalition_admin_client.post(
                invite_url(coalition), {"email": "Gina@Example.org", "role": "admin"}
            )

        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.invited_by) == (
            "gina@example.org",
            "admin",
            coalition_admin,
        )
        assert len(invitations_sent) == 1
        assert invitations_sent[0]["invitation"] == invitation
        assert invitations_sent[0]["accept_url"] == "http://testserver" + accept_path(invitation)


def test_invitation_expires_after_the_configured_days(coalition, coalition_admin, settings):
    settings.INVITATION_VALID_DAYS = 3
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        invitation = services.invite_member(by=coalition_admin, coalition=coalition, email="gina@example.org")

    assert invitation.expires_at == dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)


def test_inviting_an_address_with_an_open_invitation_is_refused(coalition_admin_client, invitation, invitations_sent):
    response = coalition_admin_client.post(
        invite_url(invitation.coalition), {"email": "ERIN@example.org", "role": "member"}
    )

    assert response.status_code == 400
    assert "already has an open invitation" in response.content.decode()
    assert Invitation.objects.count() == 1
    assert invitations_sent == []


def test_inviting_an_existing_member_is_refused(coalition_admin_client, member, coalition):
    response = coalition_admin_client.post(invite_url(coalition), {"email": member.email, "role": "member"})

    assert "already belongs to a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invalid_email_is_a_form_error(coalition_admin_client, coalition):
    response = coalition_admin_client.post(invite_url(coalition), {"email": "not-an-email", "role": "member"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_unknown_role_is_a_form_error(coalition_admin_client, coalition):
    response = coalition_admin_client.post(invite_url(coalition), {"email": "gina@example.org", "role": "owner"})

    assert response.status_code == 400
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
def test_non_admins_cannot_invite(request, persona, coalition, invitations_sent):
    response = request.getfixturevalue(persona).post(invite_url(coalition), {"email": "x@example.org", "role": "admin"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert invitations_sent == []


def test_partnership_admin_can_invite_to_any_coalition(partnership_admin_client, coalition):
    partnership_admin_client.post(invite_url(coalition), {"email": "x@example.org", "role": "admin"})

    assert Invitation.objects.filter(coalition=coalition, role="admin").exists()


# --- seeing and revoking --------------------------------------------------------------------------


def test_admin_sees_open_invitations_but_not_used_ones(coalition_admin_client, coalition, invitation):
    InvitationFactory(coalition=coalition, email="used@example.org", accepted_at=timezone.now())
    InvitationFactory(coalition=coalition, email="gone@example.org", revoked_at=timezone.now())

    page = coalition_admin_client.get(reverse("coalitions:manage", args=[coalition.slug])).content.decode()

    assert "erin@example.org" in page
    assert "used@example.org" not in page
    assert "gone@example.org" not in page


def test_admin_revokes_an_invitation_and_its_link_stops_working(
    coalition_admin_client, invitation, outsider_client, outsider
):
    coalition_admin_client.post(revoke_url(invitation), CONFIRMED)

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    response = outsider_client.post(accept_path(invitation))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_member_cannot_revoke(member_client, invitation):
    response = member_client.post(revoke_url(invitation), CONFIRMED)

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- accepting ------------------------------------------------------------------------------------


def test_invitee_accepts_and_joins_with_the_invited_role(outsider_client, outsider, coalition, coalition_admin):
    invitation = InvitationFactory(coalition=coalition, email=outsider.email, role="admin", invited_by=coalition_admin)

    page = outsider_client.get(accept_path(invitation))
    assert "Accept and join" in page.content.decode()
    response = outsider_client.post(accept_path(invitation))

    assert response.status_code == 302
    assert response.url == coalition.get_absolute_url()
    assert Membership.objects.get(user=outsider, coalition=coalition).role == "admin"
    invitation.refresh_from_db()
    assert invitation.accepted_by == outsider
    assert invitation.accepted_at is not None


def test_a_used_link_cannot_be_used_again(outsider_client, invitation, outsider):
    outsider_client.post(accept_path(invitation))
    Membership.objects.filter(user=outsider).delete()  # they left; the old link must not bring them back

    response = outsider_client.post(accept_path(invitation))

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_service_refuses_a_used_invitation(outsider, invitation):
    services.accept_invitation(by=outsider, invitation=invitation)

    with pytest.raises(MembershipError, match="already been used"):
        services.accept_invitation(by=outsider, invitation=invitation)


def test_an_expired_link_shows_a_clear_page(outsider_client, invitation, outsider):
    with time_machine.travel(invitation.expires_at + dt.timedelta(minutes=1)):
        response = outsider_client.post(accept_path(invitation))

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJpbnZpdGF0aW9uIjoxfQ:forged:signature", signing.dumps({"invitation": 1}, salt="another-salt")],
    # Fixed names: a signed token holds the time it was made, and every pytest-xdist process must
    # collect the same test ids.
    ids=["garbage", "forged-signature", "signed-with-another-salt"],
)
def test_a_tampered_link_shows_a_clear_page(outsider_client, outsider, invitation, token):
    response = outsider_client.post(reverse("coalitions:accept_invitation", args=[token]))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_link_to_a_deleted_invitation_shows_a_clear_page(outsider_client, invitation):
    path = accept_path(invitation)
    invitation.delete()

    response = outsider_client.get(path)

    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()


def test_an_account_with_another_address_cannot_accept(member_client, member, other_coalition):
    invitation = InvitationFactory(coalition=other_coalition, email="erin@example.org")

    page = member_client.get(accept_path(invitation)).content.decode()
    assert "this invitation was sent to erin@example.org" in page
    member_client.post(accept_path(invitation))

    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=member, coalition=other_coalition).exists()


def test_an_unverified_copy_of_the_address_is_not_enough(client, invitation):
    impostor = UserFactory(email="erin@example.org", verified=False)
    client.force_login(impostor)

    response = client.post(accept_path(invitation), follow=True)

    assert "Sign in with that address" in response.content.decode()
    assert not Membership.objects.filter(user=impostor).exists()


def test_a_verified_secondary_address_may_accept(member_client, member, invitation, other_coalition):
    invitation.coalition = other_coalition
    invitation.save()
    EmailAddress.objects.create(user=member, email="ERIN@example.org", verified=True)

    member_client.post(accept_path(invitation))

    assert Membership.objects.filter(user=member, coalition=other_coalition).exists()


def test_signed_out_visitor_is_offered_signup_and_login_that_come_back(client, invitation):
    path = accept_path(invitation)

    page = client.get(path).content.decode()

    assert f"{reverse('account_signup')}?next={path.replace(':', '%3A')}" in page
    assert f"{reverse('account_login')}?next={path.replace(':', '%3A')}" in page
    assert "erin@example.org" in page


def test_signed_out_post_creates_nothing(client, invitation):
    response = client.post(accept_path(invitation))

    assert response.status_code == 302
    assert reverse("account_login") in response.url
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accepting_answers_a_pending_join_request(outsider_client, outsider, invitation, pending_request):
    outsider_client.post(accept_path(invitation))

    pending_request.refresh_from_db()
    assert pending_request.status == "approved"


def test_an_admin_invitation_promotes_an_existing_member(member_client, member, coalition):
    invitation = InvitationFactory(coalition=coalition, email=member.email, role="admin")

    member_client.post(accept_path(invitation))

    assert Membership.objects.get(user=member, coalition=coalition).role == "admin"


def test_membership_from_invitation_is_not_duplicated(outsider, coalition):
    MembershipFactory(user=outsider, coalition=coalition)
    invitation = InvitationFactory(coalition=coalition, email=outsider.email)

    services.accept_invitation(by=outsider, invitation=invitation)

    assert Membership.objects.filter(user=outsider, coalition=coalition).count() == 1


def test_signed_out_invitee_signs_up_confirms_and_comes_back_to_accept(client, coalition, mailoutbox):
    invitation = InvitationFactory(coalition=coalition, email="gina@example.org")
    path = accept_path(invitation)
    signup_page = client.get(f"{reverse('account_signup')}?next={path}").content.decode()
    assert f'name="next" value="{path}"' in signup_page

    client.post(
        reverse("account_signup"),
        {
            "email": "gina@example.org",
            "full_name": "Gina Gomez",
            "password1": "a-long-unusual-pass-2026",
            "password2": "a-long-unusual-pass-2026",
            "next": path,
        },
    )
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[0].body).group(1)
    response = client.post(confirm)

    assert response.url == path
    client.post(path)
    assert Membership.objects.filter(user__email="gina@example.org", coalition=coalition).exists()
