"""The Django admin for coalitions, memberships, requests, invitations and profiles."""

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db

MODELS = ["coalition", "membership", "joinrequest", "invitation", "profile"]


@pytest.mark.parametrize("model", MODELS)
def test_changelists_load_with_search_and_filters(superuser_client, model, member, coalition, other_coalition):
    JoinRequestFactory(coalition=other_coalition)
    InvitationFactory(coalition=coalition)

    response = superuser_client.get(reverse(f"admin:coalitions_{model}_changelist"), {"q": "a"})

    assert response.status_code == 200
    assert 'id="changelist-search"' in response.content.decode()


def test_coalition_change_page_has_membership_inline(superuser_client, coalition, member):
    response = superuser_client.get(reverse("admin:coalitions_coalition_change", args=[coalition.pk]))

    assert response.status_code == 200
    assert "memberships-TOTAL_FORMS" in response.content.decode()


def test_invitation_changelist_shows_state(superuser_client, coalition):
    InvitationFactory(coalition=coalition, email="open@example.org")

    assert ">open<" in superuser_client.get(reverse("admin:coalitions_invitation_changelist")).content.decode()


def test_user_autocomplete_works_for_the_inline(superuser_client, member):
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "coalitions", "model_name": "membership", "field_name": "user", "term": "alice"},
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(member.pk)]


def test_plain_members_cannot_open_the_admin(member_client):
    response = member_client.get(reverse("admin:coalitions_coalition_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url
