"""The member directory: members only, searchable by name, job title and coalition, paginated."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("coalitions:directory")


def listing(response) -> str:
    """The result list only (the header names the viewer too)."""
    page = response.content.decode()
    start = page.index('class="list-plain card directory-list"')
    return page[start : page.index("</ul>", start)]


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_outsider_gets_a_clear_403_telling_them_to_join(outsider_client):
    response = outsider_client.get(URL)

    assert response.status_code == 403
    page = response.content.decode()
    assert "not yet a member of any coalition" in page
    assert reverse("coalitions:list") in page


def test_member_sees_members_of_every_coalition(member_client, member, other_member):
    page = member_client.get(URL).content.decode()

    assert "Alice Archer" in page
    assert "Charlie Chen" in page


def test_partnership_admin_may_browse(partnership_admin_client, member):
    assert "Alice Archer" in partnership_admin_client.get(URL).content.decode()


def test_people_outside_every_coalition_are_not_listed(member_client, outsider):
    assert "Erin Evans" not in listing(member_client.get(URL))


def test_a_person_in_two_coalitions_is_listed_once(member_client, member, other_coalition):
    MembershipFactory(user=member, coalition=other_coalition)

    page = listing(member_client.get(URL))

    assert page.count("Alice Archer") == 1
    assert "NTXIA" in page and "CSCA" in page


@pytest.mark.parametrize(
    ("query", "found", "missing"),
    [
        ("alice", "Alice Archer", "Charlie Chen"),
        ("Broadband", "Charlie Chen", "Alice Archer"),
        ("north texas", "Charlie Chen", "Alice Archer"),
        ("NTXIA", "Charlie Chen", "Alice Archer"),
        ("archer colorado", "Alice Archer", "Charlie Chen"),
    ],
)
def test_search_by_name_job_title_and_coalition(member_client, member, other_member, query, found, missing):
    other_member.profile.job_title = "Broadband Manager"
    other_member.profile.save()

    page = listing(member_client.get(URL, {"q": query}))

    assert found in page
    assert missing not in page


def test_filter_by_coalition(member_client, member, other_member, other_coalition):
    page = listing(member_client.get(URL, {"coalition": other_coalition.slug}))

    assert "Charlie Chen" in page
    assert "Alice Archer" not in page


def test_unknown_coalition_filter_is_a_form_error_not_a_500(member_client):
    response = member_client.get(URL, {"coalition": "atlantis"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_over_long_query_is_a_form_error(member_client, member):
    response = member_client.get(URL, {"q": "x" * 101})

    assert "at most 100 characters" in response.content.decode()


def test_no_match_says_so(member_client, member):
    assert "No members match" in member_client.get(URL, {"q": "zzzz"}).content.decode()


@pytest.fixture
def sixty_members(coalition, other_coalition):
    people = []
    for n in range(60):
        user = UserFactory(profile__full_name=f"Person {n:02d}", profile__job_title="Analyst")
        MembershipFactory(user=user, coalition=coalition if n % 2 else other_coalition)
        people.append(user)
    return people


def test_directory_is_paginated_and_keeps_the_search(member_client, sixty_members, settings):
    settings.MEMBER_DIRECTORY_PAGE_SIZE = 24

    first = member_client.get(URL, {"q": "analyst"}).content.decode()
    third = member_client.get(URL, {"q": "analyst", "page": 3}).content.decode()

    assert "Page 1 of 3" in first
    assert "?q=analyst&amp;page=2" in first
    assert "Person 00" in first and "Person 59" not in first
    assert "Person 59" in third


def test_bad_page_number_shows_a_page_not_a_500(member_client, sixty_members):
    assert member_client.get(URL, {"page": "abc"}).status_code == 200
    assert member_client.get(URL, {"page": "9999"}).status_code == 200


def test_directory_runs_a_fixed_number_of_queries(
    member_client, sixty_members, coalition, other_coalition, django_assert_max_num_queries
):
    # session, user, the middleware's profile and memberships, the viewer's roles, count, page,
    # prefetch, the coalition filter's options, the header's profile: the same for 10 members or 60.
    for n, user in enumerate(sixty_members[:10]):
        MembershipFactory(user=user, coalition=other_coalition if n % 2 else coalition)
    with django_assert_max_num_queries(9):
        response = member_client.get(URL)
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        member_client.get(URL, {"q": "person", "page": 2})
