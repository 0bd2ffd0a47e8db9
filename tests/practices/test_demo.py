"""seed_demo's practices: about thirty, every focus area and coalition, safe to run twice."""

import io

import pytest

from coalitions import demo as coalitions_demo
from practices import demo
from practices.models import Adoption, Comment, FocusArea, Practice, PracticeKind

pytestmark = pytest.mark.django_db


def test_demo_seeds_practices_across_focus_areas_and_coalitions_idempotently():
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    first = demo.seed(people=people, stdout=out)
    second = demo.seed(people=people, stdout=out)
    assert first.keys() == second.keys() and len(first) >= 30
    assert Practice.objects.count() == len(first)
    founding_areas = {"cybersecurity", "sustainability", "transportation", "connectivity"}
    assert set(FocusArea.objects.values_list("slug", flat=True)) >= founding_areas
    for area in founding_areas:
        assert Practice.objects.in_focus_area(area).exists(), area
    assert set(Practice.objects.values_list("coalition__slug", flat=True)) == set(people.coalitions)
    assert Practice.objects.filter(visibility="public").exists() and Practice.objects.filter(visibility="members")
    assert Adoption.objects.count() == len(demo.ADOPTIONS) and Comment.objects.count() == len(demo.COMMENTS)
    assert Practice.objects.filter(tags__isnull=False).distinct().count() == len(first)


def test_demo_restores_default_kinds_and_focus_areas_on_a_flushed_database():
    # A transactional test flushes the data migration's rows; the demo must not depend on them.
    PracticeKind.objects.all().delete()
    FocusArea.objects.all().delete()
    out = io.StringIO()
    practices = demo.seed(people=coalitions_demo.seed(stdout=out), stdout=out)
    assert len(practices) >= 30
    assert PracticeKind.objects.filter(slug="call-for-solutions").exists()
