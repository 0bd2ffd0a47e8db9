"""seed_demo's practices: about thirty, every focus area and coalition, safe to run twice."""

import io

import pytest
from django.db.models import Sum
from django.utils import timezone

from coalitions import demo as coalitions_demo
from practices import demo
from practices.models import Adoption, Comment, FocusArea, FundingProgram, Practice, PracticeKind, PracticeViewCount

pytestmark = pytest.mark.django_db


def test_demo_seeds_practices_across_focus_areas_and_coalitions_idempotently():
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    first = demo.seed(people=people, stdout=out)
    views = PracticeViewCount.objects.aggregate(n=Sum("views"))["n"]
    second = demo.seed(people=people, stdout=out)
    assert first.keys() == second.keys() and len(first) >= 30
    assert Practice.objects.count() == len(first)
    founding_areas = {"cybersecurity", "sustainability", "transportation", "connectivity"}
    assert set(FocusArea.objects.values_list("slug", flat=True)) >= founding_areas
    for area in founding_areas:
        assert Practice.objects.in_focus_area(area).exists(), area
    assert set(Practice.objects.values_list("coalition__slug", flat=True)) == set(people.coalitions)
    assert Practice.objects.filter(visibility="public").exists() and Practice.objects.filter(visibility="members")
    adoptions = len(demo.ADOPTIONS) + len(demo.HISTORY_ADOPTIONS)
    assert Adoption.objects.count() == adoptions and Comment.objects.count() == len(demo.COMMENTS)
    assert Practice.objects.filter(tags__isnull=False).distinct().count() == len(first)
    # Two years of history for the insights charts, and its page views added once.
    oldest = Practice.objects.order_by("published_at").first().published_at
    assert (timezone.now() - oldest).days >= 700
    assert PracticeViewCount.objects.aggregate(n=Sum("views"))["n"] == views > 0  # added once


def test_demo_restores_default_kinds_and_focus_areas_on_a_flushed_database():
    # A transactional test flushes the data migration's rows; the demo must not depend on them.
    PracticeKind.objects.all().delete()
    FocusArea.objects.all().delete()
    out = io.StringIO()
    practices = demo.seed(people=coalitions_demo.seed(stdout=out), stdout=out)
    assert len(practices) >= 30
    assert PracticeKind.objects.filter(slug="call-for-solutions").exists()


def test_demo_names_the_programs_that_funded_its_practices_once(db):
    out = io.StringIO()
    people = coalitions_demo.seed(stdout=out)
    practices = demo.seed(people=people, stdout=out)
    through = Practice.funding_programs.through
    count = through.objects.count()
    assert count == sum(len(slugs) for slugs in demo.FUNDING_PROGRAMS.values())
    assert {p.slug for p in practices["library-hotspot-lending"].funding_programs.all()} == {
        "arpa-slfrf",
        "digital-equity-act",
    }
    demo.seed(people=people, stdout=out)
    assert through.objects.count() == count


def test_demo_restores_the_funding_programs_on_a_flushed_database(db):
    FundingProgram.objects.all().delete()
    out = io.StringIO()
    demo.seed(people=coalitions_demo.seed(stdout=out), stdout=out)
    assert FundingProgram.objects.filter(slug="bead").exists()
