"""The stored search vector follows renamed and deleted focus areas and tags, in one UPDATE each."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from taggit.models import Tag

from practices.models import FocusArea, Practice
from tests.factories import PracticeFactory

from .conftest import postgres_only

pytestmark = pytest.mark.django_db


def search(q):
    return set(Practice.objects.published().visible_to(AnonymousUser()).search(q))


@pytest.fixture
def tagged(cybersecurity):
    return [
        PracticeFactory(
            title=f"Retainer {n}",
            focus_areas=[cybersecurity],
            tags=["lidar"],
            visibility=Practice.Visibility.PUBLIC,
        )
        for n in range(3)
    ]


def test_search_finds_a_focus_area_name_on_both_databases(tagged):
    assert search("cybersecurity") == set(tagged)


def test_renamed_focus_area_is_found_by_its_new_name(partnership_admin_client, cybersecurity, tagged):
    partnership_admin_client.post(
        reverse("practices:focus_area_edit", args=[cybersecurity.slug]),
        {"name": "Infosec", "slug": cybersecurity.slug, "description": "Keeping systems safe."},
    )
    assert search("infosec") == set(tagged)
    assert search("cybersecurity") == set()


def test_renamed_tag_is_found_by_its_new_name(tagged):
    tag = Tag.objects.get(name="lidar")
    tag.name = "laser scanning"
    tag.save()
    assert search('"laser scanning"') == set(tagged)
    assert search("lidar") == set()


def test_deleted_tag_is_no_longer_found(tagged):
    Tag.objects.get(name="lidar").delete()
    assert search("lidar") == set()


def test_deleted_focus_area_is_no_longer_found(cybersecurity, tagged):
    cybersecurity.delete()
    assert search("cybersecurity") == set()


@postgres_only
def test_renaming_costs_the_same_whatever_the_number_of_practices(cybersecurity, tagged, django_assert_max_num_queries):
    PracticeFactory.create_batch(20, focus_areas=[cybersecurity])
    cybersecurity.name = "Infosec"
    # The rename check, the save and one UPDATE of every tagged practice's vector.
    with django_assert_max_num_queries(3):
        cybersecurity.save()


@postgres_only
def test_a_description_change_leaves_the_vectors_alone(cybersecurity, tagged, django_assert_max_num_queries):
    cybersecurity.description = "Keeping systems safe."
    with django_assert_max_num_queries(2):
        cybersecurity.save()
    assert FocusArea.objects.get(pk=cybersecurity.pk).description == "Keeping systems safe."


def test_tag_names_are_indexed_in_name_order_whatever_order_they_were_added(cybersecurity):
    """The index holds the names in one order, so rewriting it in bulk (seed_scale) or for one practice
    (a save) writes the same vector: with the database's row order, the two once differed."""
    from django.db import connection

    from practices.discovery.words import FTS_TABLE
    from practices.services import update_search_vectors

    practice = PracticeFactory(title="Curb sensors", tags=[], visibility=Practice.Visibility.PUBLIC)
    for name in ("zoning", "meters", "bikes"):
        practice.tags.add(name)
    update_search_vectors(practice_ids=[practice.pk])
    if connection.vendor == "postgresql":
        vector = Practice.objects.values_list("search_vector", flat=True).get(pk=practice.pk)
        position = {lexeme: int(first) for lexeme, first in re.findall(r"'([^']+)':(\d+)", vector)}
        assert position["bike"] < position["meter"] < position["zone"]
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT tags FROM {FTS_TABLE} WHERE rowid = %s", [practice.pk])
            assert cursor.fetchone()[0] == "bikes meters zoning"
