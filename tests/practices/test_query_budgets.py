"""The list, search, detail and focus-area pages run a fixed number of queries, however many
practices, tags, attachments, adoptions and comments there are (at most 12 with 50 on the page).

Measured for an anonymous visitor and for a signed-in member, whose session, user, time zone
(profile, memberships, coalition) and roles already cost six of the twelve.
"""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse

from practices import discovery
from practices.models import Practice
from tests.conftest import kept_for_the_module
from tests.factories import (
    AdoptionFactory,
    AgendaItemFactory,
    AttachmentFactory,
    CoalitionFactory,
    CommentFactory,
    FocusAreaFactory,
    MembershipFactory,
    PracticeFactory,
    PracticeKindFactory,
    UserFactory,
)

# One process makes the fifty practices once for the module's tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("query-budgets")]

BUDGET = 12
# The practice page reads more than a list: its adoption stories (the stories, their outcome figures,
# their timelines and evidence files) and its cooperative contracts (the contracts, their documents, and
# the standards and adaptations): each one query whatever their number.
DETAIL_BUDGET = 15


def _fifty_practices():
    coalition = CoalitionFactory(
        name="Colorado Smart Cities Alliance", slug="colorado", short_name="CSCA", region="Colorado"
    )
    other_coalition = CoalitionFactory(
        name="North Texas Innovation Alliance",
        slug="north-texas",
        short_name="NTXIA",
        region="Texas",
        time_zone="America/Chicago",
    )
    member = UserFactory(email="alice@example.org", profile__full_name="Alice Archer")
    MembershipFactory(user=member, coalition=coalition)
    cybersecurity = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    transportation = FocusAreaFactory(slug="transportation", name="Transportation")
    kind = PracticeKindFactory(slug="case-study", name="Case study")
    adopters = [other_coalition, *CoalitionFactory.create_batch(2)]
    practices = []
    for n in range(50):
        practice = PracticeFactory(
            title=f"Sensor network pilot {n}",
            summary="Sensors on poles measure traffic and air.",
            coalition=coalition,
            author=member,
            kind=kind,
            focus_areas=[cybersecurity, transportation],
            tags=[f"tag {n}", "sensors", "pilot"],
            visibility=Practice.Visibility.PUBLIC if n % 2 else Practice.Visibility.MEMBERS,
        )
        AttachmentFactory(practice=practice)
        for adopter in adopters[: n % 3 + 1]:
            AdoptionFactory(practice=practice, coalition=adopter)
        CommentFactory.create_batch(2, practice=practice, author=member)
        practices.append(practice)
    for practice in practices[:3]:
        AgendaItemFactory(practice=practice, presenting_coalition=coalition)
    return SimpleNamespace(
        coalition=coalition,
        other_coalition=other_coalition,
        member=member,
        cybersecurity=cybersecurity,
        transportation=transportation,
        kind=kind,
        practices=practices,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Fifty practices with tags, files, adoptions and comments, made once for the module's tests (each
    test's own additions are rolled back after it)."""
    yield from kept_for_the_module(django_db_blocker, tmp_path_factory, _fifty_practices, after_commit=False)


# The shared personas and vocabulary of tests/conftest.py, here the module's own.
@pytest.fixture
def coalition(world):
    return world.coalition


@pytest.fixture
def other_coalition(world):
    return world.other_coalition


@pytest.fixture
def member(world):
    return world.member


@pytest.fixture
def kind(world):
    return world.kind


@pytest.fixture
def fifty_practices(world):
    return world.practices


@pytest.fixture
def viewers(client, member_client):
    return {"anonymous": client, "member": member_client}


def within_budget(viewers, assert_max, url, params=None, budget=BUDGET):
    responses = {}
    for name, viewer in viewers.items():
        with assert_max(budget):
            responses[name] = viewer.get(url, params or {})
        assert responses[name].status_code == 200, name
    return responses


def test_list_page_budget(viewers, fifty_practices, django_assert_max_num_queries):
    responses = within_budget(viewers, django_assert_max_num_queries, reverse("practices:list"), {"sort": "adopted"})
    assert len(responses["member"].context["page_obj"].object_list) == 50
    assert len(responses["anonymous"].context["page_obj"].object_list) == 25  # the public half


def test_search_page_budget(viewers, fifty_practices, django_assert_max_num_queries):
    params = {"q": "sensor", "focus_area": "cybersecurity"}
    responses = within_budget(viewers, django_assert_max_num_queries, reverse("practices:list"), params)
    assert len(responses["member"].context["page_obj"].object_list) == 50


def test_focus_area_page_budget(viewers, fifty_practices, django_assert_max_num_queries):
    url = reverse("practices:focus_area", args=["transportation"])
    responses = within_budget(viewers, django_assert_max_num_queries, url)
    assert len(responses["member"].context["page_obj"].object_list) == 50


def test_detail_page_budget(viewers, fifty_practices, django_assert_max_num_queries):
    practice = fifty_practices[1]  # public, presented at a meeting, with a file, adoptions and comments
    # A practice close enough to clear discovery's cutoff, so the "similar practices" block is paid for.
    other = PracticeFactory(
        title=f"{practice.title} follow-up", summary=practice.summary, visibility=Practice.Visibility.PUBLIC
    )
    discovery.refresh_similar([other.pk])  # what the task after its save does: the neighbours' lists too
    responses = within_budget(viewers, django_assert_max_num_queries, practice.get_absolute_url(), budget=DETAIL_BUDGET)
    member_page = responses["member"].context
    assert member_page["can_edit"] and member_page["similar"] and member_page["attachments"]
    assert len(member_page["comments"]) == 2 and member_page["upcoming"]


def test_query_counts_do_not_grow_with_the_data(member_client, fifty_practices, coalition, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = {
        "list": (reverse("practices:list"), {}),
        "search": (reverse("practices:list"), {"q": "sensor"}),
        "focus_area": (reverse("practices:focus_area", args=["transportation"]), {}),
        "detail": (fifty_practices[1].get_absolute_url(), {}),
    }
    before = {}
    for page, (url, params) in urls.items():
        discovery.reset_caches()  # each measure from cold: document frequencies and vectors are kept a while
        cache.clear()  # and the rows and filter form another page cached (practices.fragments)
        with CaptureQueriesContext(connection) as queries:
            member_client.get(url, params)
        before[page] = len(queries)
    more = PracticeFactory.create_batch(5, coalition=coalition, kind=kind, tags=["sensors", "extra"])
    AttachmentFactory(practice=fifty_practices[1])
    CommentFactory(practice=fifty_practices[1])
    AdoptionFactory(practice=more[0], coalition=CoalitionFactory())
    for page, (url, params) in urls.items():
        discovery.reset_caches()
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            member_client.get(url, params)
        # At most as many: a search spilling onto a second page skips the meaning-only matches on its first.
        assert len(queries) <= before[page], page


def test_coalition_page_budget(viewers, fifty_practices, coalition, other_coalition, django_assert_max_num_queries):
    """The coalition page (``coalitions:detail``) renders ``{% coalition_practices %}``: shared and adopted."""
    for practice in PracticeFactory.create_batch(12, coalition=other_coalition):
        AdoptionFactory(practice=practice, coalition=coalition)
    # Four more than a list page: the figure tiles (one query), the shared rows' adopter chips (one) and,
    # for members, the funding programs and the last meeting's attendance of its insights block (two).
    responses = within_budget(
        viewers, django_assert_max_num_queries, reverse("coalitions:detail", args=[coalition.slug]), budget=BUDGET + 4
    )
    html = responses["member"].content.decode()
    assert "Shared by this coalition" in html and "Sensor network pilot 49" in html
    assert "See all (40 more)" in html and "and 2 more" in html


def test_coalition_practices_block_costs_three_queries(
    member, coalition, fifty_practices, django_assert_max_num_queries
):
    from django.template import Context, Template
    from django.test import RequestFactory

    from coalitions import permissions

    request = RequestFactory().get("/")
    request.user = member
    permissions.load_memberships(member)  # the middleware's one query per request
    template = Template("{% load practice_tags %}{% coalition_practices coalition %}")
    # Shared rows and adopted rows, each with its full count from a window function; the shared rows'
    # adopters (their chips) in one more.
    with django_assert_max_num_queries(3):
        template.render(Context({"coalition": coalition, "request": request}))


def test_api_list_budget(viewers, fifty_practices, django_assert_max_num_queries):
    responses = within_budget(
        viewers, django_assert_max_num_queries, reverse("practices:api_list"), {"page_size": 50, "q": "sensor"}
    )
    assert len(responses["member"].json()["results"]) == 50
