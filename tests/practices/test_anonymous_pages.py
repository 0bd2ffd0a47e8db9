"""Anonymous visitors get the practices list, focus-area pages and practice pages from the shared cache.

Keyed by the URL and the listed-practices generation, so a change to a practice, its tags, an
adoption or a comment shows to the next visitor at once; never a signed-in visitor's page, never a
page with a form's CSRF token, never a page holding someone's waiting message.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse

from practices import pagecache, selectors
from practices.models import Practice
from practices.services import set_content_hidden
from tests.factories import AdoptionFactory, CommentFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_practice(coalition, cybersecurity):
    return PracticeFactory(
        title="Curb sensors for loading zones",
        slug="curb-sensors",
        coalition=coalition,
        visibility=Practice.Visibility.PUBLIC,
        focus_areas=[cybersecurity],
    )


def pages(practice, area):
    return [
        reverse("practices:list"),
        reverse("practices:list") + "?q=curb&page=1",
        reverse("practices:focus_areas"),
        reverse("practices:focus_area", args=[area.slug]),
        practice.get_absolute_url(),
    ]


def stored_pages() -> list[bytes]:
    # The shared cache's own keys are ":1:practices:page:…" (local memory, or Redis when REDIS_URL is set).
    if isinstance(caches["default"], RedisCache):
        raw = [key.decode() for key in caches["default"]._cache.get_client().scan_iter(match=f"*{pagecache.PAGE_KEY}*")]
    else:
        raw = list(cache._cache)
    keys = [key.split(":", 2)[2] for key in raw if pagecache.PAGE_KEY in key]
    return [cache.get(key)[0] for key in keys if cache.get(key) is not None]


def test_a_second_anonymous_visit_touches_no_table(client, public_practice, cybersecurity, django_assert_num_queries):
    for url in pages(public_practice, cybersecurity):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]


def test_a_signed_in_page_is_neither_stored_nor_served_from_the_cache(
    client, member_client, member, public_practice, cybersecurity
):
    for url in pages(public_practice, cybersecurity):
        assert "Alice Archer" in member_client.get(url).content.decode()
    assert stored_pages() == []  # the member's pages went nowhere

    for url in pages(public_practice, cybersecurity):
        anonymous = client.get(url).content.decode()
        assert "Alice Archer" not in anonymous
        assert "Log in" in anonymous
        # A member after an anonymous visitor still gets their own page, not the cached one.
        assert "Alice Archer" in member_client.get(url).content.decode()


def test_no_cached_page_holds_a_csrf_token_or_a_members_name(
    client, member_client, member, public_practice, cybersecurity
):
    CommentFactory(practice=public_practice, author=member, body="We tried it in Boulder.")
    for url in pages(public_practice, cybersecurity):
        member_client.get(url)
        client.get(url)

    stored = stored_pages()
    assert len(stored) == len(pages(public_practice, cybersecurity))
    for content in stored:
        assert b"csrfmiddlewaretoken" not in content
        assert b"Alice Archer" not in content
        assert b"We tried it in Boulder" not in content


def test_a_page_that_used_the_csrf_token_or_set_a_cookie_is_not_stored(rf: RequestFactory, settings):
    def with_form(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    def with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    for view in (with_form, with_cookie):
        request = rf.get("/practices/")
        request.user = AnonymousUser()
        request._messages = []
        pagecache.anonymous_page(view)(request)
    assert stored_pages() == []


def test_a_change_to_the_practice_shows_to_the_next_anonymous_visitor_at_once(client, public_practice):
    url = public_practice.get_absolute_url()
    client.get(reverse("practices:list"))
    client.get(url)

    public_practice.title = "Curb sensors, second edition"
    public_practice.save()

    assert "second edition" in client.get(reverse("practices:list")).content.decode()
    assert "second edition" in client.get(url).content.decode()


def test_an_adoption_a_tag_or_a_comment_renews_the_cached_pages(client, public_practice, other_coalition):
    url = public_practice.get_absolute_url()
    client.get(url)

    AdoptionFactory(practice=public_practice, coalition=other_coalition)
    assert other_coalition.name in client.get(url).content.decode()

    public_practice.tags.add("loading-zones")
    assert "loading-zones" in client.get(url).content.decode()

    before = selectors.listed_generation(cache)
    CommentFactory(practice=public_practice)
    assert selectors.listed_generation(cache) != before
    assert "1 comment" in client.get(reverse("practices:list")).content.decode()


def test_a_practice_hidden_by_moderation_leaves_the_cached_list_at_once(client, public_practice, partnership_admin):
    assert "Curb sensors" in client.get(reverse("practices:list")).content.decode()

    set_content_hidden(by=partnership_admin, target=public_practice, hidden=True)

    assert "Curb sensors" not in client.get(reverse("practices:list")).content.decode()


def test_a_waiting_message_is_shown_to_its_visitor_and_never_cached(client, member_client, public_practice):
    url = reverse("practices:list")
    client.get(url)  # another visitor's page is in the cache

    member_client.post(reverse("account_logout"))  # now anonymous, with "You have signed out." waiting
    page = member_client.get(url).content.decode()

    assert "signed out" in page
    assert all(b"signed out" not in content for content in stored_pages())
    assert "signed out" not in client.get(url).content.decode()


def test_the_api_is_cached_for_anonymous_clients_and_still_open_to_other_sites(
    client, member_client, public_practice, django_assert_num_queries
):
    for url in (reverse("practices:api_list"), reverse("practices:api_detail", args=[public_practice.slug])):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content and again["Content-Type"] == "application/json"
        assert again["Access-Control-Allow-Origin"] == "*"
        assert member_client.get(url)["Access-Control-Allow-Origin"] == "*"

    public_practice.title = "Curb sensors, second edition"
    public_practice.save()
    assert "second edition" in client.get(reverse("practices:api_list")).content.decode()
    assert client.get(reverse("practices:api_list"), {"page": "x"})["Access-Control-Allow-Origin"] == "*"  # a 400 too


def test_the_api_never_serves_a_members_answer_to_anyone_else(client, member_client, coalition):
    secret = PracticeFactory(coalition=coalition, title="Members-only plan", visibility=Practice.Visibility.MEMBERS)
    assert "Members-only plan" in member_client.get(reverse("practices:api_list")).content.decode()
    assert "Members-only plan" not in client.get(reverse("practices:api_list")).content.decode()
    assert client.get(reverse("practices:api_detail", args=[secret.slug])).status_code == 404
