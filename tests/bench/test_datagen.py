"""The scale data generator makes practices a member could have written: every field, focus area and tag in
place, and derived columns exactly as the services make them."""

import pytest
from django.db import connection

from config.management.commands.seed_scale import TextGenerator, fill_practices
from practices.markdown import render_markdown
from practices.models import Practice
from practices.services import update_practice

pytestmark = pytest.mark.django_db


def test_same_seed_same_catalogue():
    first, second = TextGenerator(7), TextGenerator(7)
    assert [first.practice() for _ in range(5)] == [second.practice() for _ in range(5)]
    assert TextGenerator(8).practice() != TextGenerator(7).practice()


def test_names_follow_a_long_tail():
    generator = TextGenerator(2026)
    for _ in range(2000):
        generator.practice()
    counts = sorted(generator.name_documents.values(), reverse=True)
    assert counts[0] > 200  # a few names are everywhere
    assert sum(1 for n in counts if n <= 3) > len(counts) / 2  # most are in a handful of practices


def test_filled_practices_are_complete_and_visible_to_the_member():
    report = fill_practices(30, seed=3, batch_size=8)

    practices = Practice.objects.filter(pk__in=report.practice_ids)
    assert practices.count() == 30
    assert Practice.objects.published().visible_to(report.member).filter(pk__in=report.practice_ids).count() == 30
    for practice in practices.prefetch_related("focus_areas", "tags"):
        assert practice.title and practice.summary and practice.body.startswith("## Background")
        assert practice.body_html == render_markdown(practice.body)  # as save() stores it
        assert 1 <= len(practice.focus_areas.all()) <= 2
        assert len(practice.tags.all()) >= 2
    rare = report.rare_words(max_documents=1, count=3)
    assert rare and practices.search(rare[0]).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored search vector is PostgreSQL's")
def test_search_vector_is_what_a_members_save_makes():
    report = fill_practices(5, seed=4)
    practice = Practice.objects.get(pk=report.practice_ids[0])
    generated = practice.search_vector

    update_practice(
        practice=practice,
        by=report.member,
        data={
            "title": practice.title,
            "tags": list(practice.tags.names()),
            "focus_areas": list(practice.focus_areas.all()),
        },
    )

    practice.refresh_from_db()
    assert practice.search_vector == generated
