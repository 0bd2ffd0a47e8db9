"""The labelled evaluation set for discovery: practices a member might look for, and what they type.

``practices.toml`` holds about ninety practices across every focus area and kind; ``queries.toml`` the
queries, each written as a member types a new practice's title and summary: *easy* (sharing title words
with its target), *hard* (a paraphrase sharing no stemmed content word with its target's title) and
*none* (a real need nothing in the set meets). The set is a development set for ranking: it never goes
into ``seed_demo``, and it is not a list to tune rules against.

    evaluation = read_evaluation_set()
    ids = load_practices(evaluation)        # label -> practice id, in the current (test) database
    user = evaluation_reader()              # a member: sees every practice of the set
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import TestCase

from coalitions.models import Coalition, Membership
from practices.models import FocusArea, PracticeKind
from practices.services import create_practice
from practices.tagging import normalize_tags

DATA_DIR = Path(__file__).resolve().parent
DIFFICULTIES = ("easy", "hard", "none")
# One member per coalition writes that coalition's practices; the first also reads (members see every
# published practice, members-only ones included).
AUTHOR_EMAIL = "evaluation-{slug}@example.org"

_default_vocabulary = import_module("practices.migrations.0004_default_focus_areas_and_kinds")


@dataclass(frozen=True)
class EvalPractice:
    label: str
    title: str
    summary: str
    body: str
    kind: str
    focus_areas: tuple[str, ...]
    tags: tuple[str, ...]
    coalition: str
    jurisdiction: str
    maturity: str
    funding: str
    visibility: str


@dataclass(frozen=True)
class Query:
    label: str
    difficulty: str
    title: str
    summary: str
    focus_areas: tuple[str, ...]
    target: str | None

    @property
    def has_target(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class EvaluationSet:
    coalitions: tuple[dict, ...]
    practices: tuple[EvalPractice, ...]
    queries: tuple[Query, ...]

    def queries_of(self, difficulty: str) -> tuple[Query, ...]:
        return tuple(q for q in self.queries if q.difficulty == difficulty)

    def practice(self, label: str) -> EvalPractice:
        return next(p for p in self.practices if p.label == label)


@cache
def read_evaluation_set(directory: Path = DATA_DIR) -> EvaluationSet:
    """The set as written in ``practices.toml`` and ``queries.toml`` (no database needed)."""
    with open(directory / "practices.toml", "rb") as f:
        practices_data = tomllib.load(f)
    with open(directory / "queries.toml", "rb") as f:
        queries_data = tomllib.load(f)
    practices = tuple(
        EvalPractice(
            label=row["label"],
            title=row["title"],
            summary=row["summary"],
            body=row["body"].strip(),
            kind=row["kind"],
            focus_areas=tuple(row["focus_areas"]),
            tags=tuple(row.get("tags", ())),
            coalition=row["coalition"],
            jurisdiction=row.get("jurisdiction", ""),
            maturity=row.get("maturity", "idea"),
            funding=row.get("funding", ""),
            visibility=row.get("visibility", "public"),
        )
        for row in practices_data["practice"]
    )
    queries = tuple(
        Query(
            label=row["label"],
            difficulty=row["difficulty"],
            title=row["title"],
            summary=row.get("summary", ""),
            focus_areas=tuple(row.get("focus_areas", ())),
            target=row.get("target"),
        )
        for row in queries_data["query"]
    )
    return EvaluationSet(coalitions=tuple(practices_data["coalition"]), practices=practices, queries=queries)


def _author(coalition: Coalition):
    email = AUTHOR_EMAIL.format(slug=coalition.slug)
    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    Membership.objects.get_or_create(user=user, coalition=coalition)
    return user


def evaluation_reader():
    """A member of the set's first coalition: sees every published practice of the set."""
    first = read_evaluation_set().coalitions[0]["slug"]
    return _author(Coalition.objects.get(slug=first))


def load_practices(evaluation: EvaluationSet | None = None) -> dict[str, int]:
    """Create the set's coalitions (if missing), one author each, and every practice, published, through
    ``practices.services.create_practice`` as a member's click does, so every derived column (the search
    vector, and whatever else the services keep) is as in production. Returns label -> practice id.

    Meant for an empty test database: practices are created, never looked up. What the services leave
    for after the commit (a task that embeds a practice, say) runs here too, also inside a test's
    transaction, which never commits; Celery runs such tasks in-process when ``task_always_eager`` is set,
    as in the tests and in ``bench/discovery.py``.
    """
    evaluation = evaluation or read_evaluation_set()
    # A test database flushed by a transactional test has lost the data migration's rows.
    _default_vocabulary.create_defaults(django_apps, None)
    areas = {area.slug: area for area in FocusArea.objects.all()}
    kinds = {kind.slug: kind for kind in PracticeKind.objects.all()}
    ids: dict[str, int] = {}
    in_test_transaction = connection.in_atomic_block
    # One transaction: the services' after-commit work is one embedding task for the whole catalogue,
    # which then makes every "similar practices" list once.
    with TestCase.captureOnCommitCallbacks(execute=in_test_transaction), transaction.atomic():
        authors = {}
        for data in evaluation.coalitions:
            coalition, _ = Coalition.objects.get_or_create(slug=data["slug"], defaults=data)
            authors[coalition.slug] = (coalition, _author(coalition))
        for row in evaluation.practices:
            coalition, author = authors[row.coalition]
            practice = create_practice(
                author=author,
                coalition=coalition,
                data={
                    "title": row.title,
                    "summary": row.summary,
                    "body": row.body,
                    "kind": kinds[row.kind],
                    "maturity": row.maturity,
                    "jurisdiction": row.jurisdiction,
                    "funding_source": row.funding,
                    "visibility": row.visibility,
                    "focus_areas": [areas[slug] for slug in row.focus_areas],
                    "tags": normalize_tags(", ".join(row.tags)),
                },
                publish=True,
            )
            ids[row.label] = practice.pk
    return ids
