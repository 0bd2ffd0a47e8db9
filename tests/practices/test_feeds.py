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


ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response):
    from xml.etree import ElementTree

    assert response.status_code == 200
    return ElementTree.fromstring(response.content)


@pytest.mark.parametrize("feed", ["overall", "focus_area"])
def test_feeds_are_well_formed_atom_with_the_required_elements(client, feed_practices, settings, feed):
    url = (
        reverse("practices:feed") if feed == "overall" else reverse("practices:focus_area_feed", args=["cybersecurity"])
    )
    root = parse_atom(client.get(url))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}"), required
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{settings.SITE_URL}{url}"
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        assert entry.find(f"{ATOM}link").get("href").startswith(f"{settings.SITE_URL}/practices/")
        assert entry.findtext(f"{ATOM}author/{ATOM}name")  # no feed-level author, so each entry has one
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(ids) == len(set(ids))


def test_hidden_practices_leave_the_feed(client, feed_practices):
    Practice.objects.filter(pk=feed_practices["cyber"].pk).update(is_hidden=True)
    titles = [
        e.findtext(f"{ATOM}title") for e in parse_atom(client.get(reverse("practices:feed"))).iter(f"{ATOM}entry")
    ]
    assert titles == ["Public transit practice"]


def test_control_characters_pasted_into_a_practice_do_not_break_the_feed(client, coalition):
    # Word pastes a vertical tab for a manual line break; XML 1.0 cannot carry it.
    PracticeFactory(title="Line\x0bbreak", summary="First\x0bsecond\x1f.", visibility=PUBLIC)
    root = parse_atom(client.get(reverse("practices:feed")))
    entry = root.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Line break"
    assert entry.findtext(f"{ATOM}summary") == "First second ."
