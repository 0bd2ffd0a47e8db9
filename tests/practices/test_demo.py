"""seed_demo's practices: about thirty, every focus area and coalition, safe to run twice."""

import io

import pytest

from coalitions import demo as coalitions_demo
from practices import demo
from practices.models import Adoption, Comment, FocusArea, Practice

pytestmark = pytest.mark.django_db


def test_demo_seeds_practices_across_focus_areas_and_coalitions_idempotently():
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    first = demo.seed(people=people, stdout=out)
    second = demo.seed(people=people, stdout=out)
    assert first.keys() == second.keys() and len(first) >= 30
    assert Practice.objects.count() == len(first)
    assert set(FocusArea.objects.values_list("slug", flat=True)) >= set(demo.FOCUS_AREAS)
    for area in demo.FOCUS_AREAS:
        assert Practice.objects.in_focus_area(area).exists(), area
    assert set(Practice.objects.values_list("coalition__slug", flat=True)) == set(people.coalitions)
    assert Practice.objects.filter(visibility="public").exists() and Practice.objects.filter(visibility="members")
    assert Adoption.objects.count() == len(demo.ADOPTIONS) and Comment.objects.count() == len(demo.COMMENTS)
    assert Practice.objects.filter(tags__isnull=False).distinct().count() == len(first)
