"""Atom feeds of newly published public practices, overall and per focus area."""

import pytest
from django.urls import reverse

from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def feed_practices(cybersecurity, transportation):
    return {
        "cyber": PracticeFactory(title="Public cyber practice", focus_areas=[cybersecurity], visibility=PUBLIC),
        "transit": PracticeFactory(title="Public transit practice", focus_areas=[transportation], visibility=PUBLIC),
        "members": PracticeFactory(title="Members-only practice", focus_areas=[cybersecurity]),
        "draft": PracticeFactory(
            title="Draft practice", focus_areas=[cybersecurity], visibility=PUBLIC, status="draft", published_at=None
        ),
    }


def test_feed_lists_public_published_practices_as_atom(client, feed_practices, settings):
    response = client.get(reverse("practices:feed"))
    xml = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Public cyber practice" in xml and "Public transit practice" in xml
    assert "Members-only practice" not in xml and "Draft practice" not in xml
    assert f"{settings.SITE_URL}{feed_practices['cyber'].get_absolute_url()}" in xml
    assert '<category term="Cybersecurity"' in xml


def test_focus_area_feed_lists_only_that_area(client, feed_practices):
    xml = client.get(reverse("practices:focus_area_feed", args=["transportation"])).content.decode()
    assert "Public transit practice" in xml and "Public cyber practice" not in xml


def test_unknown_focus_area_feed_is_not_found(client, db):
    assert client.get(reverse("practices:focus_area_feed", args=["astrology"])).status_code == 404


def test_feed_links_never_use_the_request_host(client, feed_practices):
    xml = client.get(reverse("practices:feed"), HTTP_HOST="evil.example").content.decode()
    assert "evil.example" not in xml
