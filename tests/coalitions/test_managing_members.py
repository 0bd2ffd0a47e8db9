"""Changing roles, removing members and leaving, without ever leaving a coalition with no admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions import services
from coalitions.models import Membership
from coalitions.services import MembershipError
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


def role_url(membership):
    return reverse("coalitions:change_role", args=[membership.coalition.slug, membership.pk])


def remove_url(membership):
    return reverse("coalitions:remove_member", args=[membership.coalition.slug, membership.pk])


def membership_of(user, coalition):
    return Membership.objects.select_related("coalition").get(user=user, coalition=coalition)


# --- roles ----------------------------------------------------------------------------------------


def test_admin_makes_a_member_an_admin(coalition_admin_client, member, coalition):
    target = membership_of(member, coalition)

    response = coalition_admin_client.post(role_url(target), {"role": "admin"}, follow=True)

    assert membership_of(member, coalition).role == "admin"
    assert "is now: Coalition admin" in response.content.decode()


def test_an_admin_may_step_down_when_another_admin_remains(coalition_admin_client, coalition_admin, member, coalition):
    Membership.objects.filter(user=member).update(role="admin")

    response = coalition_admin_client.post(
        role_url(membership_of(coalition_admin, coalition)), {"role": "member", **CONFIRMED}
    )

    assert membership_of(coalition_admin, coalition).role == "member"
    assert response.url == coalition.get_absolute_url()  # the manage page is no longer theirs


def test_an_admin_stepping_down_is_asked_first_and_nothing_changes_until_they_confirm(
    coalition_admin_client, coalition_admin, member, coalition
):
    Membership.objects.filter(user=member).update(role="admin")
    mine = membership_of(coalition_admin, coalition)

    page = coalition_admin_client.post(role_url(mine), {"role": "member"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Step down as an admin of Colorado Smart Cities Alliance?" in text
    assert 'name="confirmed" value="yes"' in text and 'name="role" value="member"' in text
    assert membership_of(coalition_admin, coalition).role == "admin"


def test_the_service_refuses_an_admins_own_demotion_unless_confirmed(coalition_admin, member, coalition):
    Membership.objects.filter(user=member).update(role="admin")

    with pytest.raises(MembershipError, match="Confirm it on the step-down page"):
        services.change_role(by=coalition_admin, membership=membership_of(coalition_admin, coalition), role="member")

    assert membership_of(coalition_admin, coalition).role == "admin"


def test_an_admin_cannot_remove_themselves_even_with_a_confirmed_post(
    coalition_admin_client, coalition_admin, member, coalition
):
    Membership.objects.filter(user=member).update(role="admin")  # not the last admin: the self rule alone

    response = coalition_admin_client.post(
        remove_url(membership_of(coalition_admin, coalition)), CONFIRMED, follow=True
    )

    assert "You cannot remove yourself from Colorado Smart Cities Alliance here" in response.content.decode()
    assert Membership.objects.filter(user=coalition_admin, coalition=coalition).exists()
    with pytest.raises(MembershipError, match="cannot remove yourself"):
        services.remove_member(by=coalition_admin, membership=membership_of(coalition_admin, coalition))


def test_the_manage_page_offers_no_remove_or_role_menu_on_your_own_row(
    coalition_admin_client, coalition_admin, coalition
):
    page = coalition_admin_client.get(reverse("coalitions:manage", args=[coalition.slug])).content.decode()

    assert remove_url(membership_of(coalition_admin, coalition)) not in page
    assert f'id="role-{membership_of(coalition_admin, coalition).pk}"' not in page
    assert "This is you." in page and "Step down as admin" in page


def test_last_admin_cannot_step_down(coalition_admin_client, coalition_admin, member, coalition):
    response = coalition_admin_client.post(
        role_url(membership_of(coalition_admin, coalition)), {"role": "member"}, follow=True
    )

    assert "needs at least one admin" in response.content.decode()
    assert membership_of(coalition_admin, coalition).role == "admin"


def test_unknown_role_changes_nothing(coalition_admin_client, member, coalition):
    response = coalition_admin_client.post(role_url(membership_of(member, coalition)), {"role": "owner"}, follow=True)

    assert "Choose member or coalition admin." in response.content.decode()
    assert membership_of(member, coalition).role == "member"


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
def test_non_admins_cannot_change_roles(request, persona, member, coalition):
    response = request.getfixturevalue(persona).post(role_url(membership_of(member, coalition)), {"role": "admin"})

    assert response.status_code == 403
    assert membership_of(member, coalition).role == "member"


def test_admin_of_another_coalition_cannot_change_roles_here(client, other_coalition, member, coalition):
    client.force_login(MembershipFactory(coalition=other_coalition, role="admin").user)

    response = client.post(role_url(membership_of(member, coalition)), {"role": "admin"})

    assert response.status_code == 403
    assert membership_of(member, coalition).role == "member"


def test_membership_of_another_coalition_is_not_found_through_mine(
    coalition_admin_client, other_member, other_coalition
):
    elsewhere = membership_of(other_member, other_coalition)
    url = reverse("coalitions:change_role", args=["colorado", elsewhere.pk])

    response = coalition_admin_client.post(url, {"role": "admin"})

    assert response.status_code == 404
    assert membership_of(other_member, other_coalition).role == "member"


def test_partnership_admin_changes_roles_anywhere(partnership_admin_client, other_member, other_coalition):
    partnership_admin_client.post(role_url(membership_of(other_member, other_coalition)), {"role": "admin"})

    assert membership_of(other_member, other_coalition).role == "admin"


def test_anonymous_is_sent_to_log_in(client, member, coalition):
    response = client.post(role_url(membership_of(member, coalition)), {"role": "admin"})

    assert response.status_code == 302
    assert membership_of(member, coalition).role == "member"


# --- removing -------------------------------------------------------------------------------------


def test_removing_a_member_asks_first_on_a_page_that_works_without_javascript(
    coalition_admin_client, member, coalition
):
    url = remove_url(membership_of(member, coalition))

    page = coalition_admin_client.get(url)
    stray = coalition_admin_client.post(url)  # a POST not sent from the confirmation page

    for response in (page, stray):
        text = response.content.decode()
        assert response.status_code == 200
        assert "from Colorado Smart Cities Alliance?" in text and "alice@example.org" in text
        assert '<form method="post" class="form-actions">' in text and 'name="confirmed" value="yes"' in text
    assert Membership.objects.filter(user=member, coalition=coalition).exists()


def test_admin_removes_a_member(coalition_admin_client, member, coalition):
    response = coalition_admin_client.post(remove_url(membership_of(member, coalition)), CONFIRMED, follow=True)

    assert not Membership.objects.filter(user=member).exists()
    assert "was removed from" in response.content.decode()


def test_last_admin_cannot_be_removed(partnership_admin_client, coalition_admin, coalition):
    response = partnership_admin_client.post(
        remove_url(membership_of(coalition_admin, coalition)), CONFIRMED, follow=True
    )

    assert "needs at least one admin" in response.content.decode()
    assert Membership.objects.filter(user=coalition_admin).exists()


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
def test_non_admins_cannot_remove(request, persona, coalition_admin, member, coalition):
    response = request.getfixturevalue(persona).post(remove_url(membership_of(coalition_admin, coalition)), CONFIRMED)

    assert response.status_code == 403
    assert Membership.objects.filter(user=coalition_admin).exists()


def test_removal_locks_the_coalitions_memberships(coalition_admin, member, coalition):
    # The last-admin rule is only safe under concurrency if the rows are locked while counted.
    with CaptureQueriesContext(connection) as queries:
        services.remove_member(by=coalition_admin, membership=membership_of(member, coalition))

    counted = [q["sql"] for q in queries if '"coalitions_membership"' in q["sql"] and "SELECT" in q["sql"]]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql for sql in counted)
    else:
        assert counted  # SQLite has no row locks; the count still happens inside the transaction


def test_two_admins_cannot_remove_each_other_down_to_none(coalition_admin, member, coalition):
    Membership.objects.filter(user=member).update(role="admin")
    services.remove_member(by=member, membership=membership_of(coalition_admin, coalition))

    with pytest.raises(MembershipError):
        services.remove_member(by=member, membership=membership_of(member, coalition))
    assert Membership.objects.filter(coalition=coalition, role="admin").count() == 1


# --- leaving --------------------------------------------------------------------------------------


def test_member_leaves_a_coalition(member_client, member, coalition):
    page = member_client.get(reverse("coalitions:leave", args=[coalition.slug]))
    assert "Leave Colorado Smart Cities Alliance?" in page.content.decode()

    response = member_client.post(reverse("coalitions:leave", args=[coalition.slug]), CONFIRMED, follow=True)

    assert not Membership.objects.filter(user=member).exists()
    assert "You left Colorado Smart Cities Alliance." in response.content.decode()


def test_last_admin_cannot_leave(coalition_admin_client, coalition_admin, coalition):
    response = coalition_admin_client.post(reverse("coalitions:leave", args=[coalition.slug]), CONFIRMED, follow=True)

    assert "needs at least one admin" in response.content.decode()
    assert Membership.objects.filter(user=coalition_admin).exists()


def test_the_last_admin_is_told_to_hand_over_instead_of_offered_a_leave_button(coalition_admin_client, coalition):
    page = coalition_admin_client.get(reverse("coalitions:leave", args=[coalition.slug])).content.decode()

    assert "needs at least one admin" in page
    assert 'name="confirmed"' not in page
    assert reverse("coalitions:manage", args=[coalition.slug]) in page


def test_an_admin_with_a_co_admin_may_leave(coalition_admin_client, coalition_admin, member, coalition):
    Membership.objects.filter(user=member, coalition=coalition).update(role=Membership.Role.ADMIN)

    page = coalition_admin_client.get(reverse("coalitions:leave", args=[coalition.slug])).content.decode()
    assert 'name="confirmed"' in page
    coalition_admin_client.post(reverse("coalitions:leave", args=[coalition.slug]), CONFIRMED)

    assert not Membership.objects.filter(user=coalition_admin, coalition=coalition).exists()


def test_leaving_a_coalition_you_are_not_in_is_not_found(other_member_client, coalition):
    response = other_member_client.post(reverse("coalitions:leave", args=[coalition.slug]), CONFIRMED)

    assert response.status_code == 404


def test_service_refuses_to_leave_a_coalition_you_are_not_in(other_member, coalition):
    with pytest.raises(MembershipError, match="not a member"):
        services.leave_coalition(by=other_member, coalition=coalition)


# --- the manage page ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
def test_manage_page_is_for_admins_only(request, persona, coalition):
    response = request.getfixturevalue(persona).get(reverse("coalitions:manage", args=[coalition.slug]))

    assert response.status_code == 403


def test_manage_page_lists_members_with_role_controls(
    coalition_admin_client, member, coalition, django_assert_max_num_queries
):
    for _ in range(20):
        MembershipFactory(coalition=coalition)

    with django_assert_max_num_queries(14):
        page = coalition_admin_client.get(reverse("coalitions:manage", args=[coalition.slug]))

    assert "Alice Archer" in page.content.decode()
    assert page.content.decode().count('id="role-') == 21  # everyone's but Bob's own (he reads "This is you")
