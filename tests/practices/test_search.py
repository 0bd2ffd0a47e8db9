"""Search: the same queryset method on both databases, visibility respected, bad input harmless."""

import pytest
from django.urls import reverse

from practices.models import SEARCH_MAX_LENGTH, Practice
from tests.factories import PracticeFactory

from .conftest import postgres_only

pytestmark = pytest.mark.django_db

PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def library(coalition, member):
    return {
        "rfp": PracticeFactory(
            title="Incident-response retainer",
            summary="An RFP template for ransomware response.",
            body="Remote triage within one hour.",
            jurisdiction="City of Evanston",
            tags=["procurement"],
            visibility=PUBLIC,
        ),
        "shuttle": PracticeFactory(
            title="Autonomous shuttle pilot",
            summary="Fourteen months of driverless service.",
            body="Riders liked it; costs were high.",
            jurisdiction="Miami-Dade County",
            tags=["autonomous vehicles"],
            visibility=PUBLIC,
        ),
        "members": PracticeFactory(
            title="Ransomware tabletop exercise",
            summary="A three-hour exercise for leaders.",
            author=member,
            coalition=coalition,
        ),
    }


def search(q, user=None):
    from django.contrib.auth.models import AnonymousUser

    return list(Practice.objects.published().visible_to(user or AnonymousUser()).search(q))


def test_search_finds_words_in_title_summary_body_tags_and_jurisdiction(library):
    assert search("retainer") == [library["rfp"]]
    assert search("driverless") == [library["shuttle"]]
    assert search("triage") == [library["rfp"]]
    assert search("procurement") == [library["rfp"]]
    assert search("Evanston") == [library["rfp"]]


def test_search_respects_visibility(library, member):
    assert library["members"] not in search("ransomware")
    assert library["members"] in search("ransomware", member)


def test_search_excludes_hidden_practices(library):
    Practice.objects.filter(pk=library["rfp"].pk).update(is_hidden=True)
    assert search("retainer") == []


def test_minus_excludes_a_word(library, member):
    assert search("ransomware -tabletop", member) == [library["rfp"]]


def test_quoted_phrase_must_appear_together(library):
    assert search('"shuttle pilot"') == [library["shuttle"]]
    assert search('"pilot shuttle"') == []


@pytest.mark.parametrize("q", ["!!!", "---", '"" ()', "-", "'"])
def test_search_of_only_punctuation_matches_nothing(library, q):
    assert search(q) == []


def test_search_page_with_only_punctuation_explains_itself(client, library):
    response = client.get(reverse("practices:list"), {"q": "?!*&"})
    assert response.status_code == 200
    assert "Searches need at least one letter or number." in response.content.decode()


def test_search_of_5000_characters_is_truncated_with_a_message(client, library):
    response = client.get(reverse("practices:list"), {"q": "retainer " + "x" * 5000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "we used its first 200 characters" in html


def test_search_text_is_cut_to_the_maximum_length():
    from practices.models import clean_search_text

    assert len(clean_search_text("ab " * 3000)) <= SEARCH_MAX_LENGTH
    assert clean_search_text("  spaced    out  ") == "spaced out"


def test_header_search_box_lists_matches(client, library):
    response = client.get(reverse("practices:list"), {"q": "shuttle"})
    html = response.content.decode()
    assert library["shuttle"].title in html and library["rfp"].title not in html


def test_script_in_search_is_shown_as_text(client, library):
    response = client.get(reverse("practices:list"), {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@postgres_only
def test_postgres_ranks_title_matches_first(coalition):
    body_only = PracticeFactory(title="Something else", body="broadband broadband", visibility=PUBLIC)
    in_title = PracticeFactory(title="Broadband mapping playbook", visibility=PUBLIC)
    assert search("broadband") == [in_title, body_only]


@postgres_only
def test_postgres_web_search_or(library):
    assert set(search("retainer or driverless")) == {library["rfp"], library["shuttle"]}


@postgres_only
def test_postgres_stems_words(library):
    assert search("retainers") == [library["rfp"]]


@postgres_only
def test_postgres_highlights_matches_in_an_escaped_snippet(client, coalition):
    PracticeFactory(title="Pilot", summary="Sensors <b>near</b> schools: PM < 35 & smoke.", visibility=PUBLIC)
    html = client.get(reverse("practices:list"), {"q": "smoke"}).content.decode()
    assert "<mark>smoke</mark>" in html
    assert "<b>near" not in html and "PM &lt; 35 &amp;" in html


@postgres_only
def test_postgres_search_vector_follows_tag_changes(member, library):
    from practices import services

    practice = library["members"]
    services.update_practice(practice=practice, by=member, data={"tags": ["lidar"]})
    assert search("lidar", member) == [practice]


@pytest.mark.parametrize("q", ["\x00", "retainer\x00", "\x02retainer\x03"])
def test_control_characters_in_a_search_are_harmless(client, library, q):
    response = client.get(reverse("practices:list"), {"q": q})
    assert response.status_code == 200
    assert client.get(reverse("practices:api_list"), {"q": q}).status_code in (200, 400)


def test_snippets_read_as_text_not_markdown():
    from practices.models import HIGHLIGHT_START, HIGHLIGHT_STOP, highlight_html

    headline = (
        f"… lights. ## What we did\n\n1. Placed **{HIGHLIGHT_START}sensors{HIGHLIGHT_STOP}** at 40 schools\n"
        f"- see [the report](https://example.org/r) and `code` … C# 3 < 4 in 2024. Then - more"
    )
    assert str(highlight_html(headline)) == (
        "… lights. ## What we did Placed <mark>sensors</mark> at 40 schools see the report and code … "
        "C# 3 &lt; 4 in 2024. Then - more"
    )
    assert str(highlight_html("Summary.\n## Background\nText")) == "Summary. Background Text"


@postgres_only
def test_postgres_snippet_of_a_markdown_body_has_no_markup(client, coalition):
    PracticeFactory(
        title="Pilot",
        summary="Sensors at schools.",
        body="## Background\n\n1. **Wildfire smoke** days are rising; see [the report](https://example.org/r).",
        visibility=PUBLIC,
    )
    html = client.get(reverse("practices:list"), {"q": "wildfire"}).content.decode()
    snippet = html[html.index('class="snippet') :].split("</p>", 1)[0]
    assert "<mark>Wildfire</mark>" in snippet
    assert "##" not in snippet and "**" not in snippet and "example.org" not in snippet


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("retainer or driverless", {"rfp", "shuttle"}),
        ('"shuttle pilot" or retainer', {"rfp", "shuttle"}),
        # As in PostgreSQL's tsquery, "and" binds tighter than "or": (remote and driverless) or retainer.
        ("remote driverless or retainer", {"rfp"}),
        ("remote retainer or driverless", {"rfp", "shuttle"}),
        ("triage or riders -costs", {"rfp"}),
        ("or retainer", {"rfp"}),
    ],
)
def test_or_separates_alternatives_alike_on_both_databases(library, member, q, expected):
    assert {key for key, practice in library.items() if practice in search(q, member)} == expected
