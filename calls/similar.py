"""Similar needs and the practices that may already answer one, asked of ``practices.discovery``.

Practices come from ``discovery.suggest`` itself (its words and meaning, its cutoff). Needs have no
full-text index of their own (they are few: hundreds, not a hundred thousand), so they are ranked the
way ``suggest`` ranks practices, from discovery's text interface: meaning from the stored "need" vectors
(``rank_by_meaning``), words as the share of the query's content words (title words counting double
the problem's) that a need holds, combined with discovery's own weights and cutoffs.
"""

from django.db.models import Q

from practices import discovery
from practices import selectors as practice_selectors
from practices.discovery import text, vectors

from .models import Need

NEED = "need"
SHOWN = 5
# Needs that share a word with the query, scored in Python; the rest can still come by meaning.
WORD_CANDIDATES = 200
# A query asks the database about this many of its words (the rarest are not known without an index:
# the first ones, title first, say what the need is about).
QUERY_WORDS = 8


def need_text(title: str, problem: str) -> str:
    """What a need's stored vector embeds: its title and the start of its problem statement."""
    return discovery.query_text(text.clean(title, 300), text.clean(problem, 600))


def embed_needs(need_ids, *, using: str = "default") -> int:
    rows = Need.objects.using(using).filter(pk__in=need_ids).values_list("pk", "title", "problem")
    return vectors.embed_documents(NEED, {pk: need_text(title, problem) for pk, title, problem in rows}, using=using)


def _weighted_words(title: str, problem: str) -> dict[str, float]:
    weighted = dict.fromkeys(text.content_words(title), 1.0)
    for word in text.content_words(problem):
        weighted.setdefault(word, discovery.SUMMARY_WORD_WEIGHT)
    return dict(list(weighted.items())[: text.MAX_QUERY_WORDS])


def similar_needs(user, *, title: str, problem: str = "", focus_area_slugs=(), exclude=None, limit=SHOWN) -> list:
    """Open needs like the one being written that ``user`` may see, best first, each with
    ``suggestion_reason``. Two queries (one without the model); nothing for a title of stop words."""
    title, problem = text.clean(title, 300), text.clean(problem)
    weights = _weighted_words(title, problem)
    if not text.content_words(title):
        return []
    needs = Need.objects.open().visible_to(user).select_related("coalition")
    if exclude is not None:
        needs = needs.exclude(pk=exclude.pk)
    near = dict(discovery.rank_by_meaning(NEED, discovery.query_text(title, problem), limit=50, using=needs.db))
    asked = list(weights)[:QUERY_WORDS]
    matches = Q()
    for word in asked:
        matches |= Q(title__icontains=word) | Q(problem__icontains=word)
    found = needs.filter(matches | Q(pk__in=list(near))).prefetch_related("focus_areas")[:WORD_CANDIDATES]
    total = sum(weights.values()) or 1.0
    slugs = {s for s in focus_area_slugs if isinstance(s, str)}
    scored = []
    for need in found:
        title_words = set(text.content_words(need.title, 100))
        body_words = set(text.content_words(need.problem, 400))
        common = [w for w in weights if w in title_words or w in body_words]
        words_score = sum(weights[w] * (1.0 if w in title_words else 0.7) for w in common) / total
        has_meaning = need.pk in near
        meaning = discovery.meaning_score(near[need.pk]) if has_meaning else 0.0
        if has_meaning:
            score = discovery.WORDS_SHARE * words_score + (1 - discovery.WORDS_SHARE) * meaning
        else:
            score = words_score
        area = next((a.name for a in need.focus_areas.all() if a.slug in slugs), None)
        if area:
            score += discovery.SHARED_AREA_BONUS
        if score < (discovery.CUTOFF if has_meaning else discovery.WORDS_ONLY_CUTOFF):
            continue
        reasons = []
        if common:
            reasons.append("words in common: " + ", ".join(common[:3]))
        if meaning >= discovery.MEANING_REASON:
            reasons.append("similar meaning")
        if area:
            reasons.append(f"shared focus area: {area}")
        reason = "; ".join(reasons) or "similar meaning"
        need.suggestion_reason = reason[0].upper() + reason[1:]
        scored.append((score, need))
    scored.sort(key=lambda row: (-row[0], row[1].pk))
    return [need for _, need in scored[:limit]]


def practices_answering(user, *, title: str, problem: str = "", focus_area_slugs=(), limit=SHOWN) -> list:
    """Published practices ``user`` may see that may already answer the need: discovery's ``suggest``."""
    return practice_selectors.similar_practices(
        user, title=title, summary=problem, focus_area_slugs=focus_area_slugs, limit=limit
    )
