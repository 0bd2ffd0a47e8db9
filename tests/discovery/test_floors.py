"""The floors discovery must keep on the evaluation set, on whichever database the suite runs on
(``make test`` on SQLite, and again with ``DATABASE_URL`` on PostgreSQL): the same floors on both is
what "the same answers on both databases" means here.

- easy queries: the target first (recall@1 = 1.0), with the title alone and with the whole form;
- hard queries, title and summary sent: the target among the first three for at least 90%;
- no-target queries: at most one suggestion on average, however much of the form is sent.
"""

import pytest
from django.db import transaction

from practices import discovery
from tests.discovery.evaluation import evaluation_reader, load_practices, read_evaluation_set
from tests.discovery.metrics import MODES, TITLE_AND_SUMMARY, TITLE_ONLY, WHOLE_FORM, evaluate, suggest_ranker

EVALUATION = read_evaluation_set()
# One process answers every query (the module's fixture loads the set: seconds), whatever the workers.
pytestmark = pytest.mark.xdist_group("evaluation-set")


@pytest.fixture(scope="module")
def answers(django_db_setup, django_db_blocker):
    """Every query of the set asked once in each mode, on the set loaded through the services (their
    after-commit embedding included); all rolled back at the end."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                discovery.reset_caches()
                ids = load_practices(EVALUATION)
                ranker = suggest_ranker(evaluation_reader())
                results = {mode.name: evaluate(ranker, EVALUATION, ids, mode) for mode in MODES}
                raise _RollBack(results)
        except _RollBack as done:
            discovery.reset_caches()
            return done.results


class _RollBack(Exception):
    def __init__(self, results):
        self.results = results


def _labels(queries):
    return [q.label for q in queries]


@pytest.mark.parametrize("mode", [TITLE_ONLY, TITLE_AND_SUMMARY, WHOLE_FORM], ids=lambda m: m.name)
def test_easy_queries_find_their_target_first(answers, mode):
    result = answers[mode.name]
    assert result.recall("easy", 1) == 1.0, _labels(result.misses("easy", 1))


def test_hard_queries_find_their_target_in_the_first_three_with_title_and_summary(answers):
    result = answers[TITLE_AND_SUMMARY.name]
    assert result.recall("hard", 3) >= 0.9, _labels(result.misses("hard", 3))


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.name)
def test_no_target_queries_show_at_most_one_suggestion_on_average(answers, mode):
    assert answers[mode.name].mean_shown("none") <= 1.0
