"""Before you start from scratch: practices like the one being written, on the form and every page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from practices import discovery
from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def existing(cybersecurity, transportation):
    return {
        "rfp": PracticeFactory(
            title="Cybersecurity incident response RFP template", focus_areas=[cybersecurity], visibility=PUBLIC
        ),
        "tabletop": PracticeFactory(
            title="Ransomware tabletop exercise", focus_areas=[cybersecurity], visibility=PUBLIC
        ),
        "shuttle": PracticeFactory(title="Autonomous shuttle pilot", focus_areas=[transportation], visibility=PUBLIC),
    }


def similar(title, areas=(), exclude=None, user=None):
    qs = Practice.objects.published().visible_to(user or AnonymousUser())
    return list(qs.similar_to(title, [a.pk for a in areas], exclude=exclude))


def test_similar_titles_come_first(existing, cybersecurity):
    results = similar("Incident response RFP", [cybersecurity])
    assert results[0] == existing["rfp"]
    assert existing["shuttle"] not in results


def test_a_practice_is_not_similar_to_itself(existing):
    assert existing["rfp"] not in similar(existing["rfp"].title, exclude=existing["rfp"])


def test_title_without_words_finds_nothing(existing):
    assert similar("!!! ?") == []
    assert similar("the and of") == []


def test_similar_respects_visibility(existing, cybersecurity):
    hidden_from_public = PracticeFactory(title="Incident response runbook", focus_areas=[cybersecurity])
    assert hidden_from_public not in similar("Incident response runbook")


def test_json_endpoint_returns_similar_practices(client, existing):
    response = client.get(reverse("practices:similar"), {"title": "incident response rfp"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["title"] == existing["rfp"].title
    assert results[0]["url"] == existing["rfp"].get_absolute_url()
    # What the server-rendered list shows too: the coalition's short name and the jurisdiction.
    assert results[0]["coalition_short_name"] == existing["rfp"].coalition.short_name
    assert results[0]["jurisdiction"] == existing["rfp"].jurisdiction


def test_json_endpoint_with_unknown_focus_area_is_a_400_not_a_500(client, existing):
    response = client.get(reverse("practices:similar"), {"title": "x", "focus_areas": "astrology"})
    assert response.status_code == 400


def test_practice_page_shows_similar_practices(client, existing, cybersecurity):
    # Sharing a focus area alone is not enough (that would list every cybersecurity practice); words are.
    council = PracticeFactory(
        title="Ransomware tabletop exercise for council members", focus_areas=[cybersecurity], visibility=PUBLIC
    )
    discovery.refresh_similar([council.pk])  # what the task after its save does: the neighbours' lists too
    html = client.get(existing["tabletop"].get_absolute_url()).content.decode()
    assert council.title in html
    assert existing["shuttle"].title not in html
