"""Addresses nobody should type still get a 404 or a clear page, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    "path",
    [
        f"/coalitions/members/{HUGE}/",
        f"/coalitions/requests/{HUGE}/withdraw/",
        f"/coalitions/colorado/members/{HUGE}/role/",
        f"/coalitions/colorado/members/{HUGE}/remove/",
        f"/coalitions/colorado/requests/{HUGE}/approve/",
        f"/coalitions/colorado/invitations/{HUGE}/revoke/",
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(partnership_admin_client, coalition, path):
    assert partnership_admin_client.get(path).status_code == 404
    assert partnership_admin_client.post(path).status_code == 404


@pytest.mark.parametrize("token", ["%00abc", "a" * 5000, "not:a:token"])
def test_a_mangled_invitation_link_is_a_clear_page(client, db, token):
    response = client.get(f"/coalitions/invitations/{token}/")

    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()


def test_nul_characters_in_the_directory_search_are_harmless(member_client):
    response = member_client.get("/coalitions/members/", {"q": "\x00", "coalition": "\x00", "page": "\x00"})

    assert response.status_code == 200
