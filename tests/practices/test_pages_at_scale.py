"""Pages that cost the same at any size: bounded counts, cursor pages, counts kept on the row.

Cursors: every practice is reached exactly once walking "next" from the first page to the last, and
"previous" walks back through the same rows. Counts stop at the limit and say "+". A deep cursor page
runs as many queries as the first page.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from practices import services
from practices.models import Practice
from practices.pagination import paginate
from tests.factories import AdoptionFactory, CoalitionFactory, CommentFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("practices:list")
API = reverse("practices:api_list")
PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def twenty_three(coalition, kind):
    now = timezone.now()
    practices = []
    for n in range(23):
        # Pairs share a publication time: the order must still be total (ties broken by id).
        practices.append(
            PracticeFactory(
                title=f"Practice {n}", coalition=coalition, kind=kind, visibility=PUBLIC,
                published_at=now - timedelta(hours=n // 2),
            )
        )  # fmt: skip
    return practices


def _newest():
    return Practice.objects.published().order_by("-published_at", "-pk")


def test_walking_next_then_previous_reaches_every_practice_once_in_order(twenty_three):
    expected = list(_newest().values_list("pk", flat=True))
    seen, page, pages = [], paginate(_newest(), per_page=4, count_limit=8), []
    while True:
        pages.append([p.pk for p in page])
        seen += pages[-1]
        if not page.has_next():
            break
        page = paginate(_newest(), per_page=4, count_limit=8, **_params(page.next_query))
    assert seen == expected  # two numbered pages (the count limit), then cursor pages to the end
    assert page.number is None and len(pages) == 6
    back = []
    while page.has_previous():
        page = paginate(_newest(), per_page=4, count_limit=8, **_params(page.previous_query))
        back.insert(0, [p.pk for p in page])
    assert back == pages[:-1]


def _params(query: dict) -> dict:
    return {name: value for name, value in query.items() if value is not None}


def test_count_stops_at_the_limit_and_says_so(twenty_three):
    page = paginate(_newest(), per_page=4, count_limit=10)
    assert (page.count, page.count_is_exact, page.count_label) == (10, False, "10+")
    assert list(page.numbered_pages) == [1, 2, 3]
    exact = paginate(_newest(), per_page=4, count_limit=100)
    assert (exact.count_label, exact.num_pages) == ("23", 6)


def test_page_past_the_numbered_ones_shows_the_last_numbered_page(twenty_three):
    page = paginate(_newest(), per_page=4, count_limit=8, page="99")
    assert page.number == 2 and page.has_next() and "after" in page.next_query


def test_list_page_links_to_a_cursor_page_that_keeps_the_filters(client, twenty_three, kind):
    first = client.get(LIST, {"kind": kind.slug, "page_size": 1})
    assert first.status_code == 200
    page = first.context["page_obj"]
    assert page.count == 23 and not page.has_next()  # one page of 50
    cursor = paginate(_newest(), per_page=5, count_limit=5).next_query["after"]
    response = client.get(LIST, {"kind": kind.slug, "after": cursor})
    titles = [p.title for p in response.context["page_obj"]]
    assert titles == [p.title for p in _newest()[5:]]
    html = response.content.decode()
    assert 'rel="prev"' in html and f"kind={kind.slug}" in html and "before=" in html
    assert 'class="current" aria-current="page"' not in html  # a cursor page has no number to mark


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ4Il0", "W251bGwsIDFd", "%00", "WzEsMiwzLDRd"])
def test_malformed_cursor_shows_the_first_page_and_the_api_says_why(client, twenty_three, cursor):
    response = client.get(LIST, {"after": cursor})
    assert response.status_code == 200 and response.context["page_obj"].number == 1
    api = client.get(API, {"after": cursor})
    assert api.status_code == 400 and "cursor" in api.json()["detail"]


def test_api_pages_by_number_then_by_cursor_and_caps_its_count(client, twenty_three, monkeypatch):
    monkeypatch.setattr("practices.api.COUNT_LIMIT", 10)
    monkeypatch.setattr("practices.pagination.COUNT_LIMIT", 10)
    first = client.get(API, {"page_size": 5}).json()
    assert (first["count"], first["count_capped"], first["pages"]) == (10, True, None)
    assert first["next"].endswith("page_size=5&page=2")
    second = client.get(first["next"]).json()
    assert "after=" in second["next"] and "page=" not in second["next"]
    slugs = [r["slug"] for r in first["results"] + second["results"]]
    url = second["next"]
    while url:
        data = client.get(url).json()
        slugs += [r["slug"] for r in data["results"]]
        url = data["next"]
    assert slugs == list(_newest().values_list("slug", flat=True))
    assert client.get(API, {"page_size": 5, "page": 3}).status_code == 404  # past the numbered pages


def test_deep_cursor_page_runs_as_many_queries_as_the_first(client, twenty_three, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(LIST)
    cursor = paginate(_newest(), per_page=2, count_limit=2).next_query["after"]
    cache.clear()  # both from cold: the first page cached rows the deep one shows (practices.fragments)
    with django_assert_num_queries(len(first)):
        client.get(LIST, {"after": cursor})


def test_counts_on_the_row_follow_adoptions_and_comments(coalition, member, partnership_admin):
    practice = PracticeFactory(coalition=coalition, visibility=PUBLIC)
    adopters = CoalitionFactory.create_batch(2)
    adoptions = [AdoptionFactory(practice=practice, coalition=c) for c in adopters]
    comments = CommentFactory.create_batch(3, practice=practice, author=member)
    practice.refresh_from_db()
    assert (practice.adoption_count, practice.comment_count) == (2, 3)
    adoptions[0].delete()
    comments[0].delete()
    services.set_content_hidden(by=partnership_admin, target=comments[1], hidden=True)  # hidden ones don't count
    practice.refresh_from_db()
    assert (practice.adoption_count, practice.comment_count) == (1, 1)
    services.set_content_hidden(by=partnership_admin, target=comments[1], hidden=False)
    practice.refresh_from_db()
    assert practice.comment_count == 2


def test_most_adopted_sort_reads_the_stored_count(client, coalition):
    few, many = (
        PracticeFactory(coalition=coalition, visibility=PUBLIC),
        PracticeFactory(coalition=coalition, visibility=PUBLIC),
    )
    for adopter in CoalitionFactory.create_batch(3):
        AdoptionFactory(practice=many, coalition=adopter)
    AdoptionFactory(practice=few, coalition=CoalitionFactory())
    titles = [p.title for p in client.get(LIST, {"sort": "adopted"}).context["page_obj"]]
    assert titles == [many.title, few.title]


def test_focus_area_counts_follow_a_new_practice(client, coalition, cybersecurity):
    url = reverse("practices:focus_areas")
    PracticeFactory(coalition=coalition, focus_areas=[cybersecurity], visibility=PUBLIC)
    before = {a.slug: a.practice_count for a in client.get(url).context["areas"]}
    PracticeFactory(coalition=coalition, focus_areas=[cybersecurity], visibility=PUBLIC)
    after = {a.slug: a.practice_count for a in client.get(url).context["areas"]}
    assert (before["cybersecurity"], after["cybersecurity"]) == (1, 2)


def test_focus_area_counts_drop_a_practice_hidden_by_moderators(client, coalition, cybersecurity, partnership_admin):
    url = reverse("practices:focus_areas")
    practice = PracticeFactory(coalition=coalition, focus_areas=[cybersecurity], visibility=PUBLIC)
    assert {a.slug: a.practice_count for a in client.get(url).context["areas"]}["cybersecurity"] == 1
    services.set_content_hidden(by=partnership_admin, target=practice, hidden=True)
    assert {a.slug: a.practice_count for a in client.get(url).context["areas"]}["cybersecurity"] == 0
