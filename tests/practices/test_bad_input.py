"""Odd searches, page numbers, filters and addresses: a page or a clear JSON error, never a 500."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

ODD_SEARCHES = [
    '"signal',  # an unclosed quote
    '""',
    "or",
    "or or or",
    "-",
    "--retainer",
    "- -",
    "!!!",
    "&|!:*()<->",
    "\\",
    "'",
    "retainer:*",
    "a & b | !c",
    "é" * 300,
    "😀 retainer",
    "%_%",
    "x" * 5000,
    "!" * 5000,
    " ".join(["retainer"] * 800),
]


@pytest.fixture
def shelf(coalition, cybersecurity):
    return PracticeFactory(
        title="Incident-response retainer",
        focus_areas=[cybersecurity],
        tags=["rfp"],
        visibility=Practice.Visibility.PUBLIC,
    )


@pytest.mark.parametrize("q", ODD_SEARCHES)
def test_odd_searches_never_fail(client, shelf, q):
    assert client.get(reverse("practices:list"), {"q": q}).status_code == 200
    assert client.get(reverse("practices:focus_area", args=["cybersecurity"]), {"q": q}).status_code == 200
    assert client.get(reverse("practices:api_list"), {"q": q}).status_code == 200
    assert client.get(reverse("practices:similar"), {"title": q[:200]}).status_code == 200


@pytest.mark.parametrize("q", ["or", "or or", '""', "-"])
def test_searches_with_nothing_to_look_for_match_nothing_on_both_databases(shelf, q):
    assert list(Practice.objects.published().visible_to(AnonymousUser()).search(q)) == []


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "99999"},
        {"page": "1e9"},
        {"page": "9" * 40},
        {"sort": "price"},
        {"focus_area": "astrology"},
        {"kind": "<script>"},
        {"coalition": "nope"},
        {"maturity": "ancient"},
        {"funding": "lottery"},
        {"tag": "\x00"},
        {"tag": "x" * 500},
    ],
)
def test_odd_list_parameters_show_a_page(client, shelf, params):
    response = client.get(reverse("practices:list"), params)
    assert response.status_code == 200
    assert shelf.title in response.content.decode() or "tag" in params


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "abc"}, 400),
        ({"page": "99999"}, 404),
        ({"page": "9" * 40}, 404),
        ({"page_size": "abc"}, 400),
        ({"page_size": "-5"}, 400),
        ({"page_size": "1000000"}, 400),
        ({"page_size": "9" * 40}, 400),
        ({"focus_area": "astrology"}, 400),
        ({"sort": "price"}, 400),
    ],
)
def test_odd_api_parameters_are_json_answers(client, shelf, params, status):
    response = client.get(reverse("practices:api_list"), params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "/practices/no-such-practice/",
        "/practices/no-such-practice/edit/",
        "/practices/no-such-practice/files/1/",
        "/practices/api/no-such-practice/",
        "/practices/focus/no-such-area/",
        "/practices/focus/no-such-area/feed/",
        "/practices/tags/no-such-tag/",
        "/practices/tags/%C3%A9t%C3%A9/",
        "/practices/comments/999999/edit/",
        "/practices/comments/999999/report/",
    ],
)
def test_unknown_addresses_are_not_found(member_client, db, url):
    assert member_client.get(url).status_code == 404
