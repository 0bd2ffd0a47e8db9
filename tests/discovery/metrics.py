"""How a ranking does on the evaluation set: recall@k for easy and hard queries, how many suggestions a
no-target query gets, and the time per call. Shared by ``bench/discovery.py`` (which prints the figures)
and the floor tests (which assert them).

A *ranker* is any callable ``ranker(query, mode) -> list[int]``: the practice ids it would show for
``query``, best first, already cut to what the panel shows. ``mode`` says which of the member's inputs
it is given.

    ids = load_practices()
    result = evaluate(suggest_ranker(user), read_evaluation_set(), ids, TITLE_AND_SUMMARY)
    assert result.recall("easy", 1) == 1.0
"""

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .evaluation import EvaluationSet, Query

# What the new-practice form's panel shows at most.
PANEL_SIZE = 5


@dataclass(frozen=True)
class Mode:
    """Which of the member's inputs a ranker is given."""

    name: str
    sends_summary: bool
    sends_focus_areas: bool

    def summary(self, query: Query) -> str:
        return query.summary if self.sends_summary else ""

    def focus_areas(self, query: Query) -> tuple[str, ...]:
        return query.focus_areas if self.sends_focus_areas else ()


TITLE_ONLY = Mode("title", sends_summary=False, sends_focus_areas=False)
TITLE_AND_SUMMARY = Mode("title+summary", sends_summary=True, sends_focus_areas=False)
WHOLE_FORM = Mode("title+summary+areas", sends_summary=True, sends_focus_areas=True)
MODES = (TITLE_ONLY, TITLE_AND_SUMMARY, WHOLE_FORM)

Ranker = Callable[[Query, Mode], list[int]]


class RankerUnavailable(Exception):
    """A ranker that cannot run here (its module is not there yet); the message says why."""


def percentile(samples: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) by the nearest-rank method; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Evaluation:
    """One ranker's answers to every query of the set in one mode."""

    mode: Mode
    shown: dict[str, list[int]] = field(default_factory=dict)  # query label -> ids shown
    milliseconds: list[float] = field(default_factory=list)
    queries: tuple[Query, ...] = ()
    target_ids: dict[str, int] = field(default_factory=dict)  # query label -> its target's practice id

    def _of(self, difficulty: str) -> list[Query]:
        return [q for q in self.queries if q.difficulty == difficulty]

    def hits(self, difficulty: str, k: int) -> list[bool]:
        return [self.target_ids[q.label] in self.shown[q.label][:k] for q in self._of(difficulty)]

    def recall(self, difficulty: str, k: int) -> float:
        """Share of the ``difficulty`` queries whose target is among the first ``k`` shown."""
        hits = self.hits(difficulty, k)
        return sum(hits) / len(hits) if hits else 0.0

    def misses(self, difficulty: str, k: int) -> list[Query]:
        return [q for q, hit in zip(self._of(difficulty), self.hits(difficulty, k), strict=True) if not hit]

    def mean_shown(self, difficulty: str = "none") -> float:
        """Mean number of suggestions shown for the ``difficulty`` queries (for "none", ideally 0)."""
        counts = [len(self.shown[q.label]) for q in self._of(difficulty)]
        return statistics.fmean(counts) if counts else 0.0

    def p50(self) -> float:
        return percentile(self.milliseconds, 50)

    def p95(self) -> float:
        return percentile(self.milliseconds, 95)


def evaluate(ranker: Ranker, evaluation: EvaluationSet, ids: dict[str, int], mode: Mode, *, repeats: int = 1):
    """Ask ``ranker`` every query of ``evaluation`` in ``mode`` (``repeats`` times each, for timing; the
    answers of the first round count). ``ids`` is ``load_practices()``'s label -> practice id."""
    result = Evaluation(
        mode=mode,
        queries=evaluation.queries,
        target_ids={q.label: ids[q.target] for q in evaluation.queries if q.target},
    )
    for round_ in range(repeats):
        for query in evaluation.queries:
            started = time.perf_counter()
            shown = list(ranker(query, mode))[:PANEL_SIZE]
            result.milliseconds.append((time.perf_counter() - started) * 1000)
            if round_ == 0:
                result.shown[query.label] = shown
    return result


def suggest_ranker(user=None, *, limit: int = PANEL_SIZE) -> Ranker:
    """The discovery module's suggestions, as the form's panel asks for them:
    ``discovery.suggest(title=, summary=, focus_area_slugs=, user=, limit=)`` returning objects with
    ``practice_id``, ``score`` and ``reason``, already cut at the module's threshold."""
    try:
        from practices import discovery
    except ImportError as exc:
        raise RankerUnavailable(f"practices.discovery is not there yet ({exc})") from exc
    if not hasattr(discovery, "suggest"):
        raise RankerUnavailable("practices.discovery has no suggest()")

    def rank(query: Query, mode: Mode) -> list[int]:
        suggestions = discovery.suggest(
            title=query.title,
            summary=mode.summary(query),
            focus_area_slugs=mode.focus_areas(query),
            user=user,
            limit=limit,
        )
        return [s.practice_id for s in suggestions]

    return rank
