"""Partnership admins can do in the Django admin everything issue 2 names, through the same rules."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from coalitions.models import Invitation, JoinRequest, Membership
from tests.coalitions.conftest import image_upload
from tests.factories import InvitationFactory, JoinRequestFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def _inline_data(coalition, memberships, **overrides):
    """The coalition change form as the admin posts it, with its memberships inline."""
    data = {
        "name": coalition.name,
        "slug": coalition.slug,
        "short_name": coalition.short_name,
        "region": coalition.region,
        "time_zone": coalition.time_zone,
        "created_0": "2025-01-01",
        "created_1": "00:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        data |= {
            f"memberships-{i}-id": str(m.pk),
            f"memberships-{i}-coalition": str(coalition.pk),
            f"memberships-{i}-user": str(m.user_id),
            f"memberships-{i}-role": m.role,
            f"memberships-{i}-joined_0": "2025-01-01",
            f"memberships-{i}-joined_1": "00:00:00",
        }
    return data | overrides


# --- users by email ---------------------------------------------------------------------------------


def test_users_are_named_by_email_not_generated_username(member):
    assert str(member) == "alice@example.org"


def test_user_autocomplete_finds_and_shows_people_by_email(superuser_client, member):
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "coalitions", "model_name": "membership", "field_name": "user", "term": "alice@exam"},
    )

    assert response.json()["results"] == [{"id": str(member.pk), "text": "alice@example.org"}]


def test_user_changelist_searches_by_name_and_shows_email_and_coalitions(superuser_client, member, coalition):
    response = superuser_client.get(reverse("admin:auth_user_changelist"), {"q": "Archer"})

    page = response.content.decode()
    assert "alice@example.org" in page
    assert "Alice Archer" in page
    assert coalition.short_name in page


def test_staff_adds_a_user_by_email_with_a_profile_and_an_address_to_verify(superuser_client):
    response = superuser_client.post(
        reverse("admin:auth_user_add"),
        {"email": "Gina@Example.org", "usable_password": "false"},
    )

    assert response.status_code == 302
    gina = User.objects.get(email="gina@example.org")
    assert gina.username  # made up, like allauth does at signup
    assert gina.profile is not None
    assert EmailAddress.objects.filter(user=gina, email="gina@example.org", primary=True, verified=False).exists()


def test_admin_refuses_a_second_account_for_an_address(superuser_client, member):
    response = superuser_client.post(
        reverse("admin:auth_user_add"), {"email": "ALICE@example.org", "usable_password": "false"}
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1


def test_user_change_page_edits_profile_and_memberships(superuser_client, member):
    response = superuser_client.get(reverse("admin:auth_user_change", args=[member.pk]))

    page = response.content.decode()
    assert "profile-0-full_name" in page
    assert "memberships-TOTAL_FORMS" in page


# --- join requests ---------------------------------------------------------------------------------


def test_staff_approves_requests_from_the_admin_creating_memberships_and_emailing(
    superuser_client, coalition, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            reverse("admin:coalitions_joinrequest_changelist"),
            {"action": "approve_selected", "_selected_action": [join_request.pk]},
        )

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert Membership.objects.filter(user=outsider, coalition=coalition).exists()
    assert [m.to for m in mailoutbox] == [[outsider.email]]


def test_staff_rejects_requests_from_the_admin(
    superuser_client, coalition, outsider, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            reverse("admin:coalitions_joinrequest_changelist"),
            {"action": "reject_selected", "_selected_action": [join_request.pk]},
        )

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REJECTED
    assert not Membership.objects.filter(user=outsider, coalition=coalition).exists()
    assert len(mailoutbox) == 1


def test_request_status_cannot_be_edited_by_hand(superuser_client, coalition, outsider):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    superuser_client.post(
        reverse("admin:coalitions_joinrequest_change", args=[join_request.pk]), {"status": "approved"}
    )

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


# --- invitations -----------------------------------------------------------------------------------


def test_an_invitation_added_in_the_admin_is_emailed(
    superuser_client, coalition, mailoutbox, partnership_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse("admin:coalitions_invitation_add"),
            {"coalition": coalition.pk, "email": "New.Person@example.org", "role": "admin"},
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@example.org",
        "admin",
        partnership_admin,
    )
    assert [m.to for m in mailoutbox] == [["new.person@example.org"]]


def test_admin_refuses_to_invite_an_existing_member(superuser_client, coalition, member, mailoutbox):
    response = superuser_client.post(
        reverse("admin:coalitions_invitation_add"), {"coalition": coalition.pk, "email": member.email, "role": "member"}
    )

    assert response.status_code == 200
    assert "already belongs to a member" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_staff_revokes_invitations_from_the_admin(superuser_client, coalition):
    invitation = InvitationFactory(coalition=coalition)

    superuser_client.post(
        reverse("admin:coalitions_invitation_changelist"),
        {"action": "revoke_selected", "_selected_action": [invitation.pk]},
    )

    invitation.refresh_from_db()
    assert invitation.state == "revoked"


# --- roles and removal: never without an admin ------------------------------------------------------


def test_staff_changes_roles_in_the_coalition_inline(superuser_client, coalition, coalition_admin, member):
    memberships = list(Membership.objects.of(coalition).order_by("pk"))
    member_row = next(i for i, m in enumerate(memberships) if m.user == member)

    response = superuser_client.post(
        reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
        _inline_data(coalition, memberships, **{f"memberships-{member_row}-role": "admin"}),
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=member, coalition=coalition).is_admin


def test_inline_refuses_to_demote_the_last_admin(superuser_client, coalition, coalition_admin, member):
    memberships = list(Membership.objects.of(coalition).order_by("pk"))
    admin_row = next(i for i, m in enumerate(memberships) if m.user == coalition_admin)

    response = superuser_client.post(
        reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
        _inline_data(coalition, memberships, **{f"memberships-{admin_row}-role": "member"}),
    )

    assert response.status_code == 200
    assert "needs at least one admin" in response.content.decode()
    assert Membership.objects.get(user=coalition_admin, coalition=coalition).is_admin


def test_inline_refuses_to_delete_the_last_admin(superuser_client, coalition, coalition_admin, member):
    memberships = list(Membership.objects.of(coalition).order_by("pk"))
    admin_row = next(i for i, m in enumerate(memberships) if m.user == coalition_admin)

    response = superuser_client.post(
        reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
        _inline_data(coalition, memberships, **{f"memberships-{admin_row}-DELETE": "on"}),
    )

    assert response.status_code == 200
    assert Membership.objects.filter(user=coalition_admin, coalition=coalition).exists()


def test_inline_allows_handing_over_in_one_save(superuser_client, coalition, coalition_admin, member):
    memberships = list(Membership.objects.of(coalition).order_by("pk"))
    rows = {m.user: i for i, m in enumerate(memberships)}

    response = superuser_client.post(
        reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
        _inline_data(
            coalition,
            memberships,
            **{f"memberships-{rows[coalition_admin]}-role": "member", f"memberships-{rows[member]}-role": "admin"},
        ),
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=member, coalition=coalition).is_admin


def test_membership_form_refuses_to_demote_the_last_admin(superuser_client, coalition, coalition_admin):
    membership = Membership.objects.get(user=coalition_admin, coalition=coalition)

    response = superuser_client.post(
        reverse("admin:coalitions_membership_change", args=[membership.pk]),
        {
            "user": coalition_admin.pk,
            "coalition": coalition.pk,
            "role": "member",
            "joined_0": "2025-01-01",
            "joined_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert "needs at least one admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_admin


def test_last_admin_has_no_delete_button(superuser_client, coalition, coalition_admin):
    membership = Membership.objects.get(user=coalition_admin, coalition=coalition)

    response = superuser_client.post(
        reverse("admin:coalitions_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_bulk_removal_keeps_the_last_admin_and_removes_the_rest(superuser_client, coalition, coalition_admin, member):
    memberships = Membership.objects.of(coalition)

    response = superuser_client.post(
        reverse("admin:coalitions_membership_changelist"),
        {"action": "remove_selected", "_selected_action": [m.pk for m in memberships]},
        follow=True,
    )

    assert list(Membership.objects.of(coalition).values_list("user__email", flat=True)) == [coalition_admin.email]
    assert "needs at least one admin" in response.content.decode()


def test_bulk_delete_action_is_not_offered_for_memberships(superuser_client, member):
    page = superuser_client.get(reverse("admin:coalitions_membership_changelist")).content.decode()

    assert 'value="delete_selected"' not in page
    assert 'value="remove_selected"' in page


def test_staff_creates_a_coalition_in_the_admin(superuser_client):
    response = superuser_client.post(
        reverse("admin:coalitions_coalition_add"),
        {
            "name": "Ohio Smart Communities",
            "slug": "ohio",
            "short_name": "OSC",
            "region": "Ohio",
            "time_zone": "America/New_York",
            "created_0": "2025-01-01",
            "created_1": "00:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(UserFactory().pk),
            "memberships-0-role": "admin",
            "memberships-0-joined_0": "2025-01-01",
            "memberships-0-joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302
    assert Membership.objects.get(coalition__slug="ohio").is_admin


def test_plain_member_cannot_use_admin_actions(member_client, coalition, outsider):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)
    MembershipFactory(coalition=coalition, role="admin")

    member_client.post(
        reverse("admin:coalitions_joinrequest_changelist"),
        {"action": "approve_selected", "_selected_action": [join_request.pk]},
    )

    join_request.refresh_from_db()
    assert join_request.is_pending


def test_a_coalition_zone_must_be_a_real_one(superuser_client, coalition, coalition_admin):
    memberships = list(Membership.objects.of(coalition))

    response = superuser_client.post(
        reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
        _inline_data(coalition, memberships, time_zone="Mars/Olympus"),
    )

    assert response.status_code == 200
    coalition.refresh_from_db()
    assert coalition.time_zone == "America/Denver"


def test_a_logo_uploaded_in_the_admin_is_named_checked_and_served_like_the_portals(
    superuser_client, coalition, coalition_admin, django_capture_on_commit_callbacks
):
    data = _inline_data(coalition, list(Membership.objects.of(coalition)))

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
            data | {"logo": image_upload("My Logo.JPEG", fmt="JPEG")},
        )
    coalition.refresh_from_db()
    first = coalition.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            reverse("admin:coalitions_coalition_change", args=[coalition.pk]), data | {"logo": image_upload()}
        )

    coalition.refresh_from_db()
    assert first.startswith("coalition-logos/colorado-") and first.endswith(".jpg")
    assert not coalition.logo.storage.exists(first)  # the replaced file is gone
    assert superuser_client.get(coalition.logo_url)["Content-Type"] == "image/png"


def test_admin_refuses_a_logo_browsers_may_not_show(superuser_client, coalition, coalition_admin):
    data = _inline_data(coalition, list(Membership.objects.of(coalition)))

    response = superuser_client.post(
        reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
        data | {"logo": image_upload("logo.bmp", fmt="BMP")},
    )

    assert response.status_code == 200
    assert "PNG, JPEG, GIF or WebP" in response.content.decode()
