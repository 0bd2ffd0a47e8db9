"""The read-only JSON API: public practices without a login, members-only with a session."""

import pytest
from django.conf import settings
from django.urls import reverse

from practices.models import Practice
from tests.factories import AttachmentFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("practices:api_list")
PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def api_practices(coalition, cybersecurity, transportation):
    public = PracticeFactory(
        title="Public pilot", coalition=coalition, focus_areas=[cybersecurity], tags=["sensors"], visibility=PUBLIC
    )
    AttachmentFactory(practice=public)
    members = PracticeFactory(title="Members pilot", coalition=coalition, focus_areas=[transportation])
    return {"public": public, "members": members}


def test_anonymous_list_has_public_practices_only(client, api_practices):
    data = client.get(LIST).json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["title"] == "Public pilot"
    assert item["focus_areas"] == [{"name": "Cybersecurity", "slug": "cybersecurity"}]
    assert item["tags"] == ["sensors"] and item["url"] == "http://testserver/practices/" + item["slug"] + "/"


def test_member_session_also_sees_members_only_practices(member_client, api_practices):
    assert member_client.get(LIST).json()["count"] == 2


def test_list_takes_the_same_filters_and_search(member_client, api_practices):
    assert [r["title"] for r in member_client.get(LIST, {"focus_area": "transportation"}).json()["results"]] == [
        "Members pilot"
    ]
    assert [r["title"] for r in member_client.get(LIST, {"q": "public"}).json()["results"]] == ["Public pilot"]


def test_list_is_paginated_with_next_and_previous_links(client, coalition):
    PracticeFactory.create_batch(5, coalition=coalition, visibility=PUBLIC)
    first = client.get(LIST, {"page_size": 2}).json()
    assert first["count"] == 5 and first["pages"] == 3 and first["previous"] is None
    assert first["next"] == "http://testserver/practices/api/?page_size=2&page=2"
    second = client.get(first["next"]).json()
    assert second["previous"].endswith("page=1") and len(second["results"]) == 2


@pytest.mark.parametrize(
    ("params", "status"),
    [({"page": "abc"}, 400), ({"page": "9999"}, 404), ({"page_size": "many"}, 400), ({"kind": "nope"}, 400)],
)
def test_bad_paging_or_filters_are_json_errors(client, api_practices, params, status):
    response = client.get(LIST, params)
    assert response.status_code == status
    assert "detail" in response.json()


@pytest.mark.parametrize("size", ["0", "-5", "101", "abc", "2.5", " 7", "１０"])
def test_a_page_size_outside_1_to_100_is_a_400_that_gives_the_range(client, api_practices, size):
    response = client.get(LIST, {"page_size": size})
    assert response.status_code == 400
    assert response.json()["page_size"] == {"min": 1, "max": 100, "default": 20}
    assert "from 1 to 100" in response.json()["detail"]


@pytest.mark.parametrize(("size", "shown"), [("1", 1), ("100", 3), ("", 3)])
def test_a_page_size_from_1_to_100_is_honoured(client, api_practices, size, shown):
    response = client.get(LIST, {"page_size": size})
    assert response.status_code == 200 and len(response.json()["results"]) == min(shown, response.json()["count"])


def test_the_readme_states_the_page_size_range_the_api_enforces():
    from practices.api import API_MAX_PAGE_SIZE, API_PAGE_SIZE

    readme = " ".join((settings.BASE_DIR / "README.md").read_text(encoding="utf-8").split())
    assert f"`page_size` (1–{API_MAX_PAGE_SIZE}, default {API_PAGE_SIZE}; anything else is a 400)" in readme


def test_detail_has_body_html_attachments_and_adoptions(client, api_practices):
    data = client.get(reverse("practices:api_detail", args=[api_practices["public"].slug])).json()
    assert data["body_html"].startswith("<h2>") and data["attachments"][0]["name"] == "plan.pdf"
    assert data["attachments"][0]["url"].startswith("http://testserver/practices/")
    assert data["adoptions"] == []


def test_members_only_detail_is_not_found_without_a_session(client, api_practices):
    response = client.get(reverse("practices:api_detail", args=[api_practices["members"].slug]))
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_members_only_detail_is_shown_with_a_member_session(member_client, api_practices):
    assert member_client.get(reverse("practices:api_detail", args=[api_practices["members"].slug])).status_code == 200


def test_other_sites_may_read_public_data(client, api_practices):
    assert client.get(LIST)["Access-Control-Allow-Origin"] == "*"


def test_api_is_read_only(member_client, api_practices):
    assert member_client.post(LIST, {}).status_code == 405


def test_drafts_and_hidden_practices_stay_out_even_for_their_author(member_client, member, coalition):
    PracticeFactory(title="My draft", coalition=coalition, author=member, status="draft", published_at=None)
    hidden = PracticeFactory(title="Hidden one", coalition=coalition, author=member, is_hidden=True)
    titles = [r["title"] for r in member_client.get(LIST).json()["results"]]
    assert titles == []
    assert member_client.get(reverse("practices:api_detail", args=[hidden.slug])).status_code == 404


def test_detail_links_back_to_itself_and_the_page(client, api_practices):
    data = client.get(reverse("practices:api_detail", args=[api_practices["public"].slug])).json()
    assert data["api_url"] == f"http://testserver{reverse('practices:api_detail', args=[data['slug']])}"
    assert data["url"] == f"http://testserver{api_practices['public'].get_absolute_url()}"
