"""Adoption as social proof: coalition chips with their stage on cards and the practice page
(nothing when none), and a coalition's figure tiles, each read in one query."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions import permissions
from practices.models import Practice
from practices.selectors import attach_adopters, coalition_figures
from tests.factories import AdoptionFactory, CoalitionFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = Practice.Visibility.PUBLIC


def chips(html: str) -> list[tuple[str, str]]:
    """(coalition, stage) of every chip in ``html``, in order."""
    found = []
    for part in html.split('<span class="chip-name">')[1:]:
        name, rest = part.split("</span>", 1)
        stage = rest.split('<span class="chip-stage">', 1)[1].split("</span>", 1)[0]
        found.append((name, stage))
    return found


def test_chips_put_the_strongest_stage_first(coalition, other_coalition):
    practice = PracticeFactory(coalition=coalition)
    for short_name, stage in (("AZ", "exploring"), ("FL", "adopted"), ("IL", "piloting"), ("KC", "adopted")):
        AdoptionFactory(practice=practice, coalition=CoalitionFactory(short_name=short_name), stage=stage)

    attach_adopters([practice])

    assert [(a.coalition.short_name, a.stage) for a in practice.adopters] == [
        ("FL", "adopted"),
        ("KC", "adopted"),
        ("IL", "piloting"),
        ("AZ", "exploring"),
    ]


def test_chips_for_many_rows_cost_one_query(coalition, other_coalition, django_assert_num_queries):
    practices = PracticeFactory.create_batch(20, coalition=coalition)
    for practice in practices:
        AdoptionFactory(practice=practice, coalition=other_coalition)
    rows = list(Practice.objects.filter(pk__in=[p.pk for p in practices]))

    with django_assert_num_queries(1):
        attach_adopters(rows)
        assert all(len(p.adopters) == 1 for p in rows)


def test_no_rows_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        attach_adopters([])


def test_practice_page_shows_the_chips_near_the_title(client, coalition, other_coalition):
    practice = PracticeFactory(coalition=coalition, visibility=PUBLIC)
    AdoptionFactory(practice=practice, coalition=other_coalition, stage="adopted")

    html = client.get(practice.get_absolute_url()).content.decode()

    header = html[: html.index("</header>", html.index("practice-header"))]
    assert chips(header) == [("NTXIA", "Adopted")]
    assert "Used by 1 other coalition" in header


def test_practice_page_says_nothing_of_adoptions_to_a_visitor_when_there_are_none(client, coalition):
    practice = PracticeFactory(coalition=coalition, visibility=PUBLIC)

    html = client.get(practice.get_absolute_url()).content.decode()

    assert 'class="adopter-chips"' not in html
    assert "Who is reusing it" not in html


def test_practice_page_invites_a_member_of_another_coalition_to_record_theirs(other_member_client, coalition):
    practice = PracticeFactory(coalition=coalition)

    html = other_member_client.get(practice.get_absolute_url()).content.decode()

    assert "Who is reusing it" in html
    assert reverse("practices:adopt", args=[practice.slug]) in html
    assert 'class="adopter-chips"' not in html


# --- Coalition figures ------------------------------------------------------------------------------


@pytest.fixture
def records(coalition, other_coalition):
    """Colorado shared a public and a members-only practice (and a draft); Texas adopted both, a third
    coalition one; Colorado adopted one Texas practice."""
    public = PracticeFactory(coalition=coalition, visibility=PUBLIC)
    members_only = PracticeFactory(coalition=coalition)
    PracticeFactory(coalition=coalition, status=Practice.Status.DRAFT)
    AdoptionFactory(practice=public, coalition=other_coalition)
    AdoptionFactory(practice=members_only, coalition=other_coalition)
    AdoptionFactory(practice=public, coalition=CoalitionFactory(short_name="KCDD"))
    AdoptionFactory(practice=PracticeFactory(coalition=other_coalition), coalition=coalition)


def test_coalition_figures_for_a_member(records, coalition, member, django_assert_num_queries):
    permissions.load_memberships(member)  # as the middleware does for every request
    with django_assert_num_queries(1):
        figures = coalition_figures(coalition, member)

    assert figures == {"shared": 2, "adopted_by_others": 3, "adopted_by_others_confirmed": 0, "adopted_from_others": 1}


def test_coalition_figures_for_a_visitor_count_what_they_may_open(records, coalition):
    assert coalition_figures(coalition, AnonymousUser()) == {
        "shared": 1,
        "adopted_by_others": 2,
        "adopted_by_others_confirmed": 0,
        "adopted_from_others": 0,
    }


def test_coalition_figures_of_a_new_coalition_are_zero(db):
    assert coalition_figures(CoalitionFactory(), AnonymousUser()) == {
        "shared": 0,
        "adopted_by_others": 0,
        "adopted_by_others_confirmed": 0,
        "adopted_from_others": 0,
    }


def test_coalition_page_shows_the_four_tiles(records, coalition, member_client):
    MembershipFactory(user=UserFactory(), coalition=coalition)

    html = member_client.get(coalition.get_absolute_url()).content.decode()

    tiles = html[html.index('class="stat-tiles coalition-figures"') :]
    tiles = tiles[: tiles.index("</ul>")]
    for number, label in (("2", "practices shared"), ("3", "adopted by others"), ("1", "adopted from others")):
        assert f'<span class="stat-number">{number}</span> <span class="stat-label">{label}</span>' in tiles
    assert '<span class="stat-number">2</span> <span class="stat-label">members</span>' in tiles


def test_coalition_page_lists_shared_practices_with_their_adopters(records, coalition, member):
    request = RequestFactory().get("/")
    request.user = member
    html = Template("{% load practice_tags %}{% coalition_practices coalition %}").render(
        Context({"coalition": coalition, "request": request})
    )

    shared = html[: html.index("Adopted by this coalition")]
    assert sorted(chips(shared)) == [("KCDD", "Adopted"), ("NTXIA", "Adopted"), ("NTXIA", "Adopted")]


def test_practice_list_reads_the_chips_in_one_query(client, coalition, other_coalition):
    AdoptionFactory(practice=PracticeFactory(coalition=coalition, visibility=PUBLIC), coalition=other_coalition)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("practices:list")).content.decode()

    assert chips(html) == [("NTXIA", "Adopted")]
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "practices_adoption"."id"')]
    assert len(reads) == 1
