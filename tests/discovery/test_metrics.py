"""The evaluation's arithmetic: what counts as a hit, how suggestions are counted, percentiles."""

import sys

import pytest

from tests.discovery.evaluation import read_evaluation_set
from tests.discovery.metrics import (
    TITLE_AND_SUMMARY,
    TITLE_ONLY,
    WHOLE_FORM,
    RankerUnavailable,
    evaluate,
    percentile,
    suggest_ranker,
)

EVALUATION = read_evaluation_set()
IDS = {p.label: n for n, p in enumerate(EVALUATION.practices, start=1)}


def test_recall_counts_a_target_only_within_the_first_k():
    def ranker(query, mode):
        if query.difficulty == "easy":
            return [IDS[query.target]]
        if query.difficulty == "hard":
            return [999, 998, IDS[query.target]]  # third
        return [1, 2]

    result = evaluate(ranker, EVALUATION, IDS, TITLE_ONLY)

    assert result.recall("easy", 1) == 1.0
    assert result.recall("hard", 1) == 0.0
    assert result.recall("hard", 2) == 0.0
    assert result.recall("hard", 3) == 1.0
    assert result.mean_shown("none") == 2.0
    assert result.misses("hard", 2) == list(EVALUATION.queries_of("hard"))
    assert len(result.milliseconds) == len(EVALUATION.queries)


def test_no_suggestions_for_no_target_queries_is_zero_shown_and_a_miss_elsewhere():
    result = evaluate(lambda query, mode: [], EVALUATION, IDS, TITLE_ONLY, repeats=2)

    assert result.mean_shown("none") == 0.0
    assert result.recall("easy", 3) == 0.0
    assert len(result.milliseconds) == 2 * len(EVALUATION.queries)


def test_more_than_the_panel_shows_is_cut_to_five():
    result = evaluate(lambda query, mode: list(range(100, 120)), EVALUATION, IDS, TITLE_ONLY)
    assert result.mean_shown("none") == 5.0


def test_modes_pass_on_only_what_they_send():
    query = EVALUATION.queries_of("hard")[0]
    assert (TITLE_ONLY.summary(query), TITLE_ONLY.focus_areas(query)) == ("", ())
    assert (TITLE_AND_SUMMARY.summary(query), TITLE_AND_SUMMARY.focus_areas(query)) == (query.summary, ())
    assert (WHOLE_FORM.summary(query), WHOLE_FORM.focus_areas(query)) == (query.summary, query.focus_areas)


def test_percentile_is_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 95) == 3.0
    assert percentile([], 95) == 0.0


def test_suggest_ranker_is_unavailable_without_the_discovery_module(monkeypatch):
    import practices

    monkeypatch.delattr(practices, "discovery", raising=False)
    monkeypatch.setitem(sys.modules, "practices.discovery", None)  # makes the import fail
    with pytest.raises(RankerUnavailable):
        suggest_ranker()
