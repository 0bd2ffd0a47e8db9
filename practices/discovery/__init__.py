"""Discovery: the one place that finds practices like a piece of text, by words and by meaning.

Every page that looks for a practice asks this module: the search page and the API's ``q`` (word
matches, then practices that match by meaning only), the new-practice form's "is this already
here?" panel and "similar practices" on a practice page (``suggest``), and the agenda's practice
picker. Two signals:

- **words** (``words.py``): the share of the query's rarity (BM25's IDF) that a practice covers,
  weighted by where it has each word (title, summary/kind/focus areas/tags, body); PostgreSQL's
  stored vector or SQLite's FTS5 table, same answers on both;
- **meaning** (``embeddings.py``, ``vectors.py``): the cosine between the query's embedding and each
  practice's stored embedding of its title and summary, searched in an in-process numpy index.

``suggest`` combines them into one score in [0, 1] and shows only what clears a cutoff calibrated on
the evaluation set in ``tests/discovery/``: no suggestion is a good answer. Without the model (a
missing or damaged file), it ranks by words alone, with a logged warning.

The generic part, ``rank_by_meaning(doc_type, text, …)`` and ``vectors.store_vectors``, ranks any kind
of document by meaning, so a higher app ranks its own documents without this module importing it.
"""

from dataclasses import dataclass, field

import numpy as np

from . import embeddings, text, vectors, words

PRACTICE = "practice"
# A search ranks at most this many word matches (pages say "1,000+" past it).
SEARCH_CANDIDATES = words.SEARCH_CANDIDATES

# --- Calibration ----------------------------------------------------------------------------------
# Chosen with bench/discovery_calibrate.py on tests/discovery's set, the same values on SQLite and
# PostgreSQL, from the middle of a wide plateau rather than its best point (the set is for development;
# held-out paraphrases judge the result). bench/RESULTS.md has the figures.
#
# The cosine between a query and a practice, mapped to [0, 1]: e5 puts unrelated texts near 0.78 and
# paraphrases of the same need towards 0.90.
MEANING_FLOOR = 0.78
MEANING_CEILING = 0.90
# Share of the combined score that comes from words (the rest from meaning).
WORDS_SHARE = 0.4
# A shared focus area nudges a practice up, never carries it alone past the cutoff.
SHARED_AREA_BONUS = 0.025
# Words of the summary count for less than words of the title.
SUMMARY_WORD_WEIGHT = 0.5
# Shown only from this combined score up.
CUTOFF = 0.34
# Without a vector (no model, or a practice saved a moment ago), the words score alone must reach this.
WORDS_ONLY_CUTOFF = 0.25
# A reason says "similar meaning" from this normalized meaning score up.
MEANING_REASON = 0.5
# How many nearest vectors meaning contributes as candidates (those the user may not see drop out).
MEANING_CANDIDATES = 100
# Order of what clears the cutoff: reciprocal-rank fusion of the words and meaning rankings measured a
# little better than the combined score (hard queries' recall@1 0.95 against 0.925, title only 0.80
# against 0.775 at 3); the combined score still decides what is shown at all.
FUSION = "rrf"
RRF_K = 60


@dataclass(frozen=True)
class Suggestion:
    """A practice worth a look, its combined score (0 to 1, plus a small bonus) and why, in a few words.
    ``practice`` is the row already fetched (with its coalition), for pages that show it."""

    practice_id: int
    score: float
    reason: str
    practice: object = field(default=None, compare=False, repr=False)


def reset_caches() -> None:
    """Forget what each process keeps between queries: the vector indexes and document frequencies."""
    vectors.reset()
    words.reset()


def reset() -> None:
    """Forget all per-process state, the loaded model too."""
    reset_caches()
    embeddings.reset()


def meaning_score(cosine: float) -> float:
    return float(np.clip((cosine - MEANING_FLOOR) / (MEANING_CEILING - MEANING_FLOOR), 0.0, 1.0))


def query_text(title: str, summary: str = "") -> str:
    return f"{title}. {summary}".strip(". ") if summary else title


def rank_by_meaning(doc_type: str, query: str, *, limit: int = 50, using: str = "default") -> list[tuple[int, float]]:
    """Ids of ``doc_type`` documents nearest in meaning to ``query``, with their cosine, best first.
    Empty without the model or without stored vectors."""
    vector = embeddings.embed_query(text.clean(query))
    if vector is None:
        return []
    return vectors.index_for(doc_type, using).search(vector, limit)


def _practices(user):
    from ..models import Practice

    published = Practice.objects.published()
    return published if user is None else published.visible_to(user)


def _weighted_words(title: str, summary: str) -> dict[str, float]:
    weighted = dict.fromkeys(text.content_words(title), 1.0)
    for word in text.content_words(summary):
        weighted.setdefault(word, SUMMARY_WORD_WEIGHT)
    # Bounded: a pasted essay asks about its first words, not all of them.
    return dict(list(weighted.items())[: text.MAX_QUERY_WORDS])


def suggest(
    *,
    title: str,
    summary: str = "",
    focus_area_slugs=(),
    user=None,
    exclude_id=None,
    limit: int = 5,
) -> list[Suggestion]:
    """Practices that already do what this title and summary describe, best first, above the cutoff.

    ``user``: only practices they may see (``None``: every published practice, for scripts).
    ``focus_area_slugs``: the focus areas ticked on the form; sharing one nudges a practice up.
    An empty title gives no suggestions. Text is cut to a bounded length, never refused.
    """
    title = text.clean(title, 300)
    summary = text.clean(summary)
    if not text.content_words(title):  # nothing typed yet, or only "the" and "of"
        return []
    query_vector = embeddings.embed_query(query_text(title, summary))
    return _suggest(title, summary, focus_area_slugs, user, exclude_id, limit, query_vector)


def similar_to_practice(practice, *, focus_area_slugs=(), user=None, limit: int = 5) -> list[Suggestion]:
    """``suggest`` for a saved practice (its page's "similar practices"): its stored vector stands in for
    the query's embedding, so a page view embeds nothing."""
    index = vectors.index_for(PRACTICE)
    stored = index.vectors_of([practice.pk]).get(practice.pk)
    title, summary = text.clean(practice.title, 300), text.clean(practice.summary)
    if stored is None:
        stored = embeddings.embed_query(query_text(title, summary))
    return _suggest(title, summary, focus_area_slugs, user, practice.pk, limit, stored)


def _suggest(title, summary, focus_area_slugs, user, exclude_id, limit, query_vector) -> list[Suggestion]:
    practices = _practices(user).select_related("coalition")
    if exclude_id is not None:
        practices = practices.exclude(pk=exclude_id)
    slugs = [s for s in focus_area_slugs if isinstance(s, str) and s][:20]
    if slugs:
        from django.db.models import OuterRef, Subquery

        from ..models import FocusAreaItem

        area = FocusAreaItem.objects.filter(content_object=OuterRef("pk"), tag__slug__in=slugs).order_by("tag__name")
        practices = practices.annotate(shared_area=Subquery(area.values("tag__name")[:1]))

    near: dict[int, float] = {}
    index = None
    if query_vector is not None:
        index = vectors.index_for(PRACTICE, practices.db)
        near = dict(index.search(query_vector, MEANING_CANDIDATES))
    # One query: the practices sharing words with the query, and those near in meaning that the user
    # may see, each with its words score (and the focus area it shares).
    found, word_weights = words.rank(practices, _weighted_words(title, summary), also=list(near))
    if index is not None:
        missing = [p.pk for p in found if p.pk not in near]
        for pk, vector in index.vectors_of(missing).items():
            near[pk] = float(vector @ query_vector)

    scored = []
    for practice in found:  # words.Candidate rows: ids and scores, not yet the practices themselves
        w = practice.word_score
        # A practice saved a moment ago has no vector yet (its task is on the way): words alone rank it,
        # as they rank everything when the model is missing.
        has_meaning = practice.pk in near
        m = meaning_score(near[practice.pk]) if has_meaning else 0.0
        combined = WORDS_SHARE * w + (1 - WORDS_SHARE) * m if has_meaning else w
        area = getattr(practice, "shared_area", None)
        if area:
            combined += SHARED_AREA_BONUS
        if combined < (CUTOFF if has_meaning else WORDS_ONLY_CUTOFF):
            continue
        scored.append((practice, combined, w, m, area))
    if FUSION == "rrf":
        scored = _reciprocal_rank_order(scored)
    else:
        scored.sort(key=lambda row: (-row[1], row[0].pk))
    scored = scored[:limit]
    # Only the few shown are fetched as practices (with their coalition), in one query.
    shown = practices.filter(pk__in=[row[0].pk for row in scored]).defer("body", "body_html", "search_vector")
    shown = {p.pk: p for p in shown} if scored else {}
    return [
        Suggestion(c.pk, round(score, 4), _reason(c.word_levels, word_weights, m, area), practice=shown.get(c.pk))
        for c, score, w, m, area in scored
        if c.pk in shown
    ]


def _reciprocal_rank_order(scored):
    by_words = {row[0].pk: i for i, row in enumerate(sorted(scored, key=lambda r: (-r[2], r[0].pk)))}
    by_meaning = {row[0].pk: i for i, row in enumerate(sorted(scored, key=lambda r: (-r[3], r[0].pk)))}
    fused = {pk: 1 / (RRF_K + by_words[pk]) + 1 / (RRF_K + by_meaning[pk]) for pk in by_words}
    return sorted(scored, key=lambda row: (-fused[row[0].pk], row[0].pk))


def _reason(levels: dict[str, str], weights: dict[str, float], meaning: float, area: str | None) -> str:
    parts = []
    in_common = sorted((w for w, level in levels.items() if level in ("A", "B")), key=lambda w: -weights.get(w, 0))
    if in_common:
        parts.append("words in common: " + ", ".join(in_common[:3]))
    if meaning >= MEANING_REASON:
        parts.append("similar meaning")
    if area:
        parts.append(f"shared focus area: {area}")
    if not parts:
        parts.append("words in common: " + ", ".join(sorted(levels, key=lambda w: -weights.get(w, 0))[:3]))
    reason = "; ".join(parts)
    return reason[0].upper() + reason[1:]


# --- Stored "similar practices" -------------------------------------------------------------------
# A practice's page reads its list (rule 11 of the design: derived on write, never on a hot read). More
# are stored than a page shows (5), so a visitor who sees only public practices still gets a full list.
STORED_SIMILAR = 12
# A change moves a practice in and out of its neighbours' lists too: those it now lists and those that
# listed it are refreshed with it, at most this many (a bounded task, whatever the catalogue's size).
NEIGHBOURS_REFRESHED = 40


def refresh_similar(practice_ids, *, using: str = "default", neighbours: bool = True) -> int:
    """Recompute the stored "similar practices" of these practices (and, with ``neighbours``, of those
    near them, before and after the change); returns how many lists were written. Idempotent: a list is
    replaced whole, so running twice or concurrently leaves the same rows. Drafts, archived, hidden and
    deleted practices get an empty list."""
    from ..models import Practice, SimilarPractice

    ids = list(dict.fromkeys(int(pk) for pk in practice_ids))
    if not ids:
        return 0
    # Vectors stored a moment ago (by the task that called this) stand in for their practices' queries:
    # look now rather than within the second, or each would be embedded again from its text.
    vectors.index_for(PRACTICE, using).refresh(force=True)
    written = 0
    touched = set(ids)
    if neighbours:
        listers = SimilarPractice.objects.using(using).filter(similar_id__in=ids).values_list("practice_id", flat=True)
        before = list(listers[:NEIGHBOURS_REFRESHED])
    else:
        before = []
    after = []
    live = {
        p.pk: p
        for p in Practice.objects.using(using).filter(pk__in=ids, status=Practice.Status.PUBLISHED, is_hidden=False)
    }
    areas = _focus_area_slugs(list(live), using)
    for pk in ids:
        practice = live.get(pk)
        found = (
            similar_to_practice(practice, focus_area_slugs=areas.get(pk, ()), limit=STORED_SIMILAR)
            if practice is not None
            else []
        )
        _store_similar(pk, found, using)
        written += 1
        after += [s.practice_id for s in found]
    if neighbours:
        others = [pk for pk in dict.fromkeys([*after, *before]) if pk not in touched][:NEIGHBOURS_REFRESHED]
        written += refresh_similar(others, using=using, neighbours=False)
    return written


def _focus_area_slugs(practice_ids, using) -> dict[int, list[str]]:
    from ..models import FocusAreaItem

    slugs: dict[int, list[str]] = {}
    rows = FocusAreaItem.objects.using(using).filter(content_object_id__in=practice_ids)
    for pk, slug in rows.values_list("content_object_id", "tag__slug"):
        slugs.setdefault(pk, []).append(slug)
    return slugs


def _store_similar(practice_id: int, found: list[Suggestion], using: str) -> None:
    from django.db import transaction

    from ..models import SimilarPractice

    with transaction.atomic(using=using):
        SimilarPractice.objects.using(using).filter(practice_id=practice_id).delete()
        SimilarPractice.objects.using(using).bulk_create(
            SimilarPractice(
                practice_id=practice_id, similar_id=s.practice_id, position=i, score=s.score, reason=s.reason[:200]
            )
            for i, s in enumerate(found)
        )


def stored_similar(practice, *, user, limit: int = 5) -> list:
    """A practice's stored "similar practices" that ``user`` may see, best first, each with
    ``suggestion_reason``: one query, whatever the size of the catalogue."""
    from django.db.models import F

    rows = (
        _practices(user)
        .filter(listed_as_similar__practice=practice)
        .exclude(pk=practice.pk)
        .select_related("coalition")
        .defer("body", "body_html", "search_vector")
        .annotate(suggestion_reason=F("listed_as_similar__reason"), similar_position=F("listed_as_similar__position"))
        .order_by("similar_position")
    )
    return list(rows[:limit])


def practice_text(title: str, summary: str) -> str:
    """What a practice's stored vector embeds: its title and summary (the body is too long to mean one thing)."""
    return query_text(text.clean(title, 300), text.clean(summary))


def embed_practices(practice_ids, *, using: str = "default", batch_size: int = 32) -> int:
    """Embed these practices' titles and summaries and store the vectors; returns how many were stored."""
    from ..models import Practice

    rows = Practice.objects.using(using).filter(pk__in=practice_ids).values_list("pk", "title", "summary")
    texts = {pk: practice_text(title, summary) for pk, title, summary in rows}
    return vectors.embed_documents(PRACTICE, texts, using=using, batch_size=batch_size)


def meaning_matches(query: str, *, queryset, exclude=None, limit: int = 5) -> list:
    """Practices of ``queryset`` that match ``query`` by meaning, best first, clear matches only (the
    calibration of ``suggest``): what the search page lists after its word matches. ``exclude``: the
    word matches (a queryset, used as a subquery). One query, and none without the model."""
    cleaned = text.clean(query, 300)
    if not text.content_words(cleaned):
        return []
    near = rank_by_meaning(PRACTICE, cleaned, limit=MEANING_CANDIDATES, using=queryset.db)
    good = {pk: cos for pk, cos in near if (1 - WORDS_SHARE) * meaning_score(cos) >= CUTOFF}
    if not good:
        return []
    rows = queryset.filter(pk__in=list(good))
    if exclude is not None:
        rows = rows.exclude(pk__in=exclude.values("pk"))
    return sorted(rows, key=lambda p: -good[p.pk])[:limit]


def count_matches(query: str, *, queryset, limit: int) -> int:
    """How many practices of ``queryset`` the search page would list for ``query``: its word matches and
    its meaning-only matches, counting no further than ``limit`` + 1. Two queries (one without the model)."""
    word_matches = queryset.search(query)
    count = word_matches.count_up_to(limit)
    if count > limit:
        return count
    return count + len(meaning_matches(query, queryset=queryset, exclude=word_matches, limit=MEANING_CANDIDATES))


def find(query: str, *, queryset, limit: int = 20) -> list:
    """Practices of ``queryset`` for a picker (the meeting agenda's): word matches ranked by the
    database's full-text ranking, then clear meaning-only matches. Two queries (one without the model)."""
    if not text.content_words(text.clean(query, 300)):
        return []
    by_words = list(queryset.search(query)[:limit])
    by_meaning = meaning_matches(query, queryset=queryset, exclude=queryset.search(query), limit=limit)
    return [*by_words, *by_meaning][:limit]
