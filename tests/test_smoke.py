import pytest

pytestmark = pytest.mark.django_db


def test_home_page_lists_coalitions_for_anonymous_visitors(client, coalition):
    response = client.get("/")
    assert response.status_code == 200
    assert "Colorado Smart Cities Alliance" in response.content.decode()


def test_unknown_page_gets_portal_styled_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
