"""The evaluation set is what it claims to be: big enough, covering the whole catalogue, every query's
target present, and hard queries really hard (no stemmed content word shared with the target's title)."""

from collections import Counter
from importlib import import_module

import pytest
from django.db import connection

from practices.models import DocumentVector, FocusArea, Practice, PracticeKind, SimilarPractice
from tests.discovery.evaluation import DIFFICULTIES, evaluation_reader, load_practices, read_evaluation_set
from tests.discovery.words import content_stems, shared_stems

EVALUATION = read_evaluation_set()
# With the floors' process: the set's texts are embedded once there (the model keeps recent passages).
pytestmark = pytest.mark.xdist_group("evaluation-set")
PRACTICES_BY_LABEL = {p.label: p for p in EVALUATION.practices}
VOCABULARY = import_module("practices.migrations.0004_default_focus_areas_and_kinds")


def queries(difficulty):
    return [pytest.param(q, id=q.label) for q in EVALUATION.queries_of(difficulty)]


def test_the_set_is_big_enough_in_every_part():
    assert len(EVALUATION.practices) >= 80
    assert len(EVALUATION.queries) >= 60
    counts = Counter(q.difficulty for q in EVALUATION.queries)
    assert set(counts) == set(DIFFICULTIES)
    assert counts["easy"] >= 20 and counts["hard"] >= 30 and counts["none"] >= 10


def test_labels_are_unique():
    for labels in ([p.label for p in EVALUATION.practices], [q.label for q in EVALUATION.queries]):
        assert [label for label, n in Counter(labels).items() if n > 1] == []


def test_every_curated_focus_area_and_kind_has_practices():
    """Each of the portal's focus areas and kinds (the data migration's curated lists) appears, and the
    set uses nothing else."""
    area_slugs = {slug for _, slug, _ in VOCABULARY.FOCUS_AREAS}
    kind_slugs = {slug for _, slug, _ in VOCABULARY.KINDS}
    used_areas = Counter(slug for p in EVALUATION.practices for slug in p.focus_areas)
    used_kinds = Counter(p.kind for p in EVALUATION.practices)
    assert set(used_areas) == area_slugs
    assert set(used_kinds) == kind_slugs
    assert min(used_areas.values()) >= 10
    assert min(used_kinds.values()) >= 5


def test_every_practice_is_complete():
    coalitions = {c["slug"] for c in EVALUATION.coalitions}
    for p in EVALUATION.practices:
        assert p.title and p.summary and p.jurisdiction and p.tags, p.label
        assert len(p.body.split()) >= 50, f"{p.label}: the body should read like a real practice"
        assert p.coalition in coalitions, p.label
        assert p.maturity in Practice.Maturity.values, p.label
        assert p.funding in [*Practice.FundingSource.values, ""], p.label
        assert p.visibility in Practice.Visibility.values, p.label
    assert {p.coalition for p in EVALUATION.practices} == coalitions


def test_queries_target_a_practice_of_the_set_unless_nothing_meets_them():
    area_slugs = {slug for _, slug, _ in VOCABULARY.FOCUS_AREAS}
    for q in EVALUATION.queries:
        assert q.difficulty in DIFFICULTIES, q.label
        assert q.title and q.summary, q.label
        assert set(q.focus_areas) <= area_slugs, q.label
        if q.difficulty == "none":
            assert q.target is None, q.label
        else:
            assert q.target in PRACTICES_BY_LABEL, q.label


@pytest.mark.parametrize("query", queries("hard"))
def test_hard_query_shares_no_stemmed_content_word_with_its_target_title(query):
    target = PRACTICES_BY_LABEL[query.target]
    assert shared_stems(query.title, target.title) == set(), f"{query.title!r} vs {target.title!r}"


@pytest.mark.parametrize("query", queries("easy"))
def test_easy_query_shares_title_words_with_its_target(query):
    target = PRACTICES_BY_LABEL[query.target]
    assert len(shared_stems(query.title, target.title)) >= 2, f"{query.title!r} vs {target.title!r}"


@pytest.mark.parametrize("query", queries("none"))
def test_no_target_query_still_shares_words_with_several_practices(query):
    """A "nothing like this yet" query must tempt a word matcher: its title's words appear in the title or
    summary of at least three practices."""
    words = content_stems(query.title)
    tempting = [p.label for p in EVALUATION.practices if words & content_stems(f"{p.title} {p.summary}")]
    assert len(tempting) >= 3, tempting


def test_stemming_and_stop_words_decide_what_is_shared():
    assert shared_stems("Slowing drivers near schools", "Automated speed enforcement in school zones") == {"school"}
    assert shared_stems("Delivery vans", "Smart loading zones for commercial deliveries") == {"deliveri"}
    assert shared_stems("Out of the box and for all", "All of it, out and about") == set()


@pytest.mark.django_db
def test_loading_creates_every_practice_through_the_services_and_runs_their_after_commit_work():
    """Every practice as a member's click makes it. Inside a test's transaction (which never commits),
    the after-commit work of the services still runs, so what they do there (publishing signals,
    embedding, the stored similar lists) is done as in production. (One test: a load takes seconds.)"""
    from practices.signals import practice_published

    published = []

    def receiver(sender, practice, **kwargs):
        published.append(practice.pk)

    practice_published.connect(receiver)
    try:
        ids = load_practices()
    finally:
        practice_published.disconnect(receiver)

    assert sorted(published) == sorted(ids.values())
    assert DocumentVector.objects.filter(doc_type="practice", doc_id__in=ids.values()).count() == len(ids)
    assert SimilarPractice.objects.filter(practice_id=ids["parking-occupancy-sensors"]).exists()

    assert set(ids) == set(PRACTICES_BY_LABEL)
    loaded = Practice.objects.published().visible_to(evaluation_reader()).filter(pk__in=ids.values())
    assert loaded.count() == len(ids)
    parking = Practice.objects.get(pk=ids["parking-occupancy-sensors"])
    assert parking.title == PRACTICES_BY_LABEL["parking-occupancy-sensors"].title
    assert set(parking.focus_areas.slugs()) == {"transportation"}
    assert "iot sensors" in parking.tags.names()
    for area in FocusArea.objects.all():
        assert Practice.objects.filter(pk__in=ids.values()).in_focus_area(area.slug).exists(), area.slug
    assert set(PracticeKind.objects.filter(practices__pk__in=ids.values()).values_list("slug", flat=True)) == {
        slug for _, slug, _ in VOCABULARY.KINDS
    }
    if connection.vendor == "postgresql":
        # The services' derived column: every practice findable by a word of its body alone.
        assert not Practice.objects.filter(pk__in=ids.values(), search_vector=None).exists()
        assert Practice.objects.filter(pk__in=ids.values()).search("lanyards").get().pk == ids["mfa-rollout"]
