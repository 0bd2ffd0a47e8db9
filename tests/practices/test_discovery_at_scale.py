"""Discovery that costs the same at any size: stored "similar practices", bounded searches, and what a
signed-out visitor is told about members-only matches."""

import io
import sys

import pytest
from django.urls import reverse

from practices import discovery, services
from practices.discovery import words
from practices.models import Practice, SimilarPractice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def cyber(cybersecurity):
    practices = {
        "retainer": PracticeFactory(
            title="Cybersecurity incident response retainer RFP",
            summary="A firm on call before an attack.",
            focus_areas=[cybersecurity],
            visibility=PUBLIC,
        ),
        "runbook": PracticeFactory(
            title="Cybersecurity incident response runbook",
            summary="Who calls whom during an attack.",
            focus_areas=[cybersecurity],
            visibility=PUBLIC,
        ),
        "members_only": PracticeFactory(
            title="Cybersecurity incident response tabletop for council",
            summary="Leaders rehearse an attack.",
            focus_areas=[cybersecurity],
        ),
    }
    discovery.embed_practices([p.pk for p in practices.values()])
    discovery.refresh_similar([p.pk for p in practices.values()])
    return practices


def test_practice_page_reads_its_stored_similar_list_without_ranking(cyber, client, monkeypatch):
    def no_ranking_on_view(*args, **kwargs):
        raise AssertionError("a page view ranked practices")

    monkeypatch.setattr(discovery, "_suggest", no_ranking_on_view)
    monkeypatch.setattr(discovery.embeddings, "embed_query", no_ranking_on_view)
    response = client.get(cyber["retainer"].get_absolute_url())
    assert [p.pk for p in response.context["similar"]] == [cyber["runbook"].pk]  # the members-only one left out
    assert response.context["similar"][0].suggestion_reason


def test_members_see_members_only_similar_practices(cyber, member_client):
    similar = member_client.get(cyber["retainer"].get_absolute_url()).context["similar"]
    assert {p.pk for p in similar} == {cyber["runbook"].pk, cyber["members_only"].pk}


def test_publishing_a_practice_adds_it_to_its_neighbours_lists_after_commit(
    cyber, member, coalition, kind, cybersecurity, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = services.create_practice(
            author=member,
            coalition=coalition,
            data={
                "title": "Cybersecurity incident response retainer for counties",
                "summary": "A firm on call before an attack, shared by counties.",
                "kind": kind,
                "focus_areas": [cybersecurity],
                "visibility": PUBLIC,
            },
            publish=True,
        )
    assert SimilarPractice.objects.filter(practice=cyber["retainer"], similar=new).exists()
    assert SimilarPractice.objects.filter(practice=new, similar=cyber["retainer"]).exists()


def test_archiving_a_practice_takes_it_out_of_stored_lists(cyber, member, django_capture_on_commit_callbacks):
    runbook = cyber["runbook"]
    runbook.author, runbook.coalition = member, member.memberships.first().coalition
    runbook.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_practice(practice=runbook, by=member)
    assert not SimilarPractice.objects.filter(similar=runbook).exists()
    assert not SimilarPractice.objects.filter(practice=runbook).exists()


def test_refreshing_twice_leaves_the_same_rows(cyber):
    def rows():
        return list(SimilarPractice.objects.order_by("practice", "position").values_list("practice", "similar"))

    before = rows()
    discovery.refresh_similar([cyber["retainer"].pk])
    assert rows() == before and before


def test_a_common_word_ranks_a_bounded_number_of_matches_and_says_so(cyber, client, monkeypatch):
    PracticeFactory.create_batch(4, title="City sensor pilot", visibility=PUBLIC)
    monkeypatch.setattr(words, "SEARCH_CANDIDATES", 2)
    monkeypatch.setattr(discovery, "SEARCH_CANDIDATES", 2)
    response = client.get(reverse("practices:list"), {"q": "city"})
    assert len(response.context["page_obj"].object_list) == 3  # the bound, plus one to know there are more
    assert "2+ practices" in response.content.decode()


def test_meaning_only_matches_show_on_the_first_page_of_many(cyber, client, monkeypatch):
    PracticeFactory.create_batch(3, title="Incident log template", visibility=PUBLIC)
    monkeypatch.setattr(sys.modules["practices.views.browse"], "PAGE_SIZE", 2)
    related = [cyber["retainer"]]
    monkeypatch.setattr(discovery, "meaning_matches", lambda q, **kwargs: related)
    first = client.get(reverse("practices:list"), {"q": "incident"})
    assert first.context["page_obj"].has_next()
    assert first.context["meaning_matches"] == related
    assert "Related by meaning" in first.content.decode()
    second = client.get(reverse("practices:list"), {"q": "incident", "page": 2})
    assert "meaning_matches" not in second.context


def test_focus_area_page_tells_a_visitor_how_many_members_only_practices_it_holds(cyber, client):
    url = reverse("practices:focus_area", args=["cybersecurity"])
    html = client.get(url).content.decode()
    assert "1 members-only practice is also in Cybersecurity" in html
    assert f'href="{reverse("account_login")}?next={url}"' in html.replace("%2F", "/")
    assert cyber["members_only"].title not in html


def test_members_only_count_counts_meaning_matches_too(cyber, client, monkeypatch):
    def close_in_meaning(q, *, queryset, **kwargs):
        return list(queryset.filter(pk=cyber["members_only"].pk))

    monkeypatch.setattr(discovery, "meaning_matches", close_in_meaning)
    html = client.get(reverse("practices:list"), {"q": "zebra crossings"}).content.decode()
    assert "1 members-only practice also matches" in html
    assert cyber["members_only"].title not in html


def test_api_q_lists_meaning_only_matches_on_its_first_page(cyber, client):
    response = client.get(reverse("practices:api_list"), {"q": "a company we pay before hackers strike"})
    related = response.json()["related_by_meaning"]
    assert all(item["visibility"] == PUBLIC for item in related)
    assert cyber["members_only"].title not in response.content.decode()


def test_detail_page_budget_with_a_long_stored_list(cyber, member_client, django_assert_max_num_queries):
    PracticeFactory.create_batch(20, title="Cybersecurity incident response plan", visibility=PUBLIC)
    discovery.refresh_similar(Practice.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(12):
        response = member_client.get(cyber["retainer"].get_absolute_url())
    assert len(response.context["similar"]) == 5


def test_rebuild_command_remakes_the_stored_lists(cyber):
    from django.core.management import call_command

    before = set(SimilarPractice.objects.values_list("practice", "similar"))
    SimilarPractice.objects.all().delete()
    call_command("rebuild_discovery_index", "--similar-only", stdout=io.StringIO())
    assert set(SimilarPractice.objects.values_list("practice", "similar")) == before != set()
