"""Ranking practices by their words, on PostgreSQL and on SQLite alike.

Both databases keep a weighted full-text index of each practice, written by the same service
(``index_practice_words``):

- PostgreSQL: the stored ``search_vector``: title A; summary, kind, focus areas, tags and
  jurisdiction B; body C (English Snowball stemming).
- SQLite: the FTS5 table ``practices_practice_fts`` (porter stemming), one column per field, so
  ``bm25()`` weighs each.

"Similar practices" scores a candidate by the share of the query's rarity it covers: each query word
weighs its inverse document frequency (BM25's IDF), times where the practice has it (title 1, the
B fields 0.7, body 0.35), over the total weight of the query's words. The score is between 0 and 1
and means the same on both databases (only which words match is asked of each), so one cutoff serves
both. Search (``search_ids`` and the list page) uses each database's own ranking: ``ts_rank_cd`` with
length normalization, and ``bm25()`` with column weights.
"""

import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

SEARCH_CONFIG = "english"
FTS_TABLE = "practices_practice_fts"
FTS_COLUMNS = ("title", "summary", "kind", "focus_areas", "tags", "jurisdiction", "body")
# bm25() weights, in FTS_COLUMNS order: the title counts most, the body least.
FTS_WEIGHTS = (10.0, 4.0, 4.0, 4.0, 4.0, 2.0, 1.0)
# How much a matched word counts, by where it is: title, the middle fields, or only the body.
LEVEL_WEIGHTS = {"A": 1.0, "B": 0.7, "C": 0.35}
LEVEL_COLUMNS = {"A": "{title}", "B": "{summary kind focus_areas tags jurisdiction}", "C": ""}
# Practices scored word by word per query (the best by the database's own ranking), besides meaning's.
CANDIDATES = 200
# A word in this many practices or more is common: it does not fetch candidates (at 100,000 practices
# it would rank thousands of rows; it still counts for those fetched by rarer words or by meaning), and
# its document frequency is not counted further. IDF is near its floor there anyway.
COMMON_CAP = 1000
# Document frequencies are counted once a minute per process; they move slowly. A common word's (counted
# to the cap) once an hour: its count is the slow part (a thousand rows read), and its IDF sits at the
# floor whatever happens to it within the hour.
DF_TTL_SECONDS = 60
COMMON_DF_TTL_SECONDS = 3600

_df_cache: dict[tuple[str, str], tuple[float, int]] = {}
_df_lock = threading.Lock()


def reset() -> None:
    with _df_lock:
        _df_cache.clear()


def _vendor(using: str) -> str:
    return connections[using].vendor


def fts_quote(word: str) -> str:
    # Words are letters and digits only (text.WORD); quoting keeps FTS5 from reading OR/NOT/NEAR as syntax.
    return f'"{word}"'


# --- Document frequencies -------------------------------------------------------------------------


# From this many practices on, PostgreSQL's own statistics stand in for counting: the table's size is the
# planner's estimate, and a word among the most common lexemes of the search vectors (what ANALYZE keeps
# with their frequencies, about the thousand commonest) is not counted at all. Below it, everything is
# counted exactly (a small catalogue's statistics may be stale or missing, and counting it is cheap).
ESTIMATE_FROM_ROWS = 10_000


def _corpus_size_sql(using: str) -> str:
    if _vendor(using) == "postgresql":
        return (
            f"(SELECT CASE WHEN c.reltuples >= {ESTIMATE_FROM_ROWS} THEN c.reltuples::bigint "
            "ELSE (SELECT count(*) FROM practices_practice) END FROM pg_class c WHERE c.relname = 'practices_practice')"
        )
    return "(SELECT count(*) FROM practices_practice)"


def _common_lexemes_sql() -> str:
    """The search vectors' most common lexemes and how many practices hold each (frequency × estimated
    rows), from the statistics ANALYZE keeps; none while the table is under ``ESTIMATE_FROM_ROWS``."""
    return f"""common AS (
        SELECT m.lexeme, (m.frequency * c.reltuples)::bigint AS practices
        FROM pg_stats s
        JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = s.schemaname::regnamespace
        CROSS JOIN unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS m(lexeme, frequency)
        WHERE s.schemaname = current_schema() AND s.tablename = 'practices_practice'
          AND s.attname = 'search_vector' AND c.reltuples >= {int(ESTIMATE_FROM_ROWS)}
    )"""


def document_frequencies(words: list[str], using: str = "default") -> tuple[int, dict[str, int]]:
    """(number of practices, {word: practices holding it}), in one query; each count stops at the cap
    (a word past it is common, and how common no longer matters).

    Each process keeps what it counted (``_df_cache``), and where there is Redis every process also
    finds there what any other counted: a web process that has just started would otherwise count
    each word of its first queries again (25 ms of a first "similar" at 100,000 practices)."""
    now = time.monotonic()
    n = _cached("__size__", using, now)
    result, missing = {}, []
    for word in words:
        df = _cached(word, using, now)
        if df is None:
            missing.append(word)
        else:
            result[word] = df
    if n is not None and not missing:
        return n, result
    shared = _shared_cache()
    if shared is not None:
        keys = {_shared_key(using, word): word for word in (missing if n is not None else ["__size__", *missing])}
        # A count read here is kept in this process for its whole time again: at most twice as old.
        for key, value in shared.get_many(list(keys)).items():
            word = keys[key]
            _store(word, using, now, value)
            if word == "__size__":
                n = value
            else:
                result[word] = value
                missing.remove(word)
        if n is not None and not missing:
            return n, result
    postgres = _vendor(using) == "postgresql"
    cap = COMMON_CAP
    params = []
    if postgres:
        # A common word is read from the statistics (a count reads up to ``cap`` rows: 5–10 ms each at
        # 100,000 practices); any other word is counted, up to the cap.
        part = (
            f"COALESCE((SELECT max(LEAST(practices, %s)) FROM common WHERE lexeme = "
            f"ANY(tsvector_to_array(to_tsvector('{SEARCH_CONFIG}', %s)))), "
            "(SELECT count(*) FROM (SELECT 1 FROM practices_practice WHERE search_vector @@ "
            f"to_tsquery('{SEARCH_CONFIG}', %s) LIMIT %s) s))"
        )
        for word in missing:
            params += [cap, word, word, cap]
        prefix = f"WITH {_common_lexemes_sql()} " if missing else ""
    else:
        part = f"(SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s))"
        for word in missing:
            params += [fts_quote(word), cap]
        prefix = ""
    with connections[using].cursor() as cursor:
        cursor.execute(prefix + "SELECT " + ", ".join([_corpus_size_sql(using)] + [part] * len(missing)), params)
        row = cursor.fetchone()
    n = int(row[0] or 0)
    counted = {"__size__": n}
    for word, df in zip(missing, row[1:], strict=True):
        result[word] = counted[word] = int(df)
    for word, value in counted.items():
        _store(word, using, now, value)
    if shared is not None:
        by_ttl: dict[int, dict[str, int]] = {}
        for word, value in counted.items():
            by_ttl.setdefault(_ttl(word, value), {})[_shared_key(using, word)] = value
        for ttl, values in by_ttl.items():
            shared.set_many(values, timeout=ttl)
    return n, result


def _ttl(key: str, value: int) -> int:
    return COMMON_DF_TTL_SECONDS if key != "__size__" and value >= COMMON_CAP else DF_TTL_SECONDS


def _shared_cache():
    """The cache every process reads: Redis where there is one; ``None`` where each process has only
    its own memory (then ``_df_cache`` is all there is)."""
    return caches["fragments"] if settings.REDIS_URL else None


def _shared_key(using: str, word: str) -> str:
    return f"discovery:df:{using}:{word}"


def _cached(key, using, now):
    hit = _df_cache.get((using, key))
    if hit and now - hit[0] < _ttl(key, hit[1]):
        return hit[1]
    return None


def _store(key, using, now, value):
    with _df_lock:
        if len(_df_cache) > 50_000:
            _df_cache.clear()
        _df_cache[(using, key)] = (now, value)


def idf(df: int, n: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# --- Scoring candidates ---------------------------------------------------------------------------


def rank(
    queryset: QuerySet, weighted_words: dict[str, float], *, also=(), limit: int = CANDIDATES
) -> tuple[list, dict[str, float]]:
    """Score the practices of ``queryset`` that share a word with the query, best first, in one query.

    ``weighted_words``: each content word of the query and how much the member meant it (title
    words 1, summary words less). ``also``: ids to return too whatever their words (meaning's
    candidates; the same query checks that ``queryset`` holds them). Returns the practices, each with
    ``word_score`` (0 to 1) and ``word_levels`` ({word: "A", "B" or "C"}), and each word's final
    weight (IDF × its own), which reasons use to name the rarest words in common.
    """
    using = queryset.db
    words = list(weighted_words)
    also = [int(pk) for pk in also]
    n, dfs = document_frequencies(words, using) if words else (0, {})
    # Every word of the query weighs in the total, found or not: a practice sharing one word of six
    # covers little of the query, however rare that word.
    weights = {w: weighted_words[w] * idf(dfs[w], n) for w in words}
    present = [w for w in words if dfs[w] > 0]
    if not present and not also:
        return [], weights
    fetching = [w for w in present if dfs[w] < COMMON_CAP]
    if _vendor(using) == "postgresql":
        rows = _rank_postgres(queryset, present, fetching, also, limit)
    else:
        rows = _rank_sqlite(queryset, present, fetching, dfs, also, limit)
    total = sum(weights.values()) or 1.0
    candidates = []
    for pk, levels, shared_area in rows:
        word_levels = {w: level for w, level in zip(present, levels or "", strict=False) if level != "-"}
        score = sum(weights[w] * LEVEL_WEIGHTS[level] for w, level in word_levels.items()) / total
        candidates.append(Candidate(pk, score, word_levels, shared_area))
    candidates.sort(key=lambda c: (-c.word_score, c.pk))
    return candidates, weights


@dataclass
class Candidate:
    """A practice scored by its words: only what ranking needs (the page fetches the few it shows)."""

    pk: int
    word_score: float
    word_levels: dict[str, str]
    shared_area: str | None = None


def _values(rows: QuerySet) -> list[tuple]:
    # Plain tuples, not model instances: a few hundred candidates are scored, five are shown.
    area = "shared_area" if "shared_area" in rows.query.annotations else None
    if area:
        return list(rows.values_list("pk", "word_levels", area))
    return [(pk, levels, None) for pk, levels in rows.values_list("pk", "word_levels")]


def _matching(queryset, ids_sql: str, params: list, also: list[int]) -> QuerySet:
    from django.db.models import Q

    if ids_sql and also and _vendor(queryset.db) == "postgresql":
        # One IN over a UNION: an OR of two would make PostgreSQL scan the whole table.
        ids_sql = f"SELECT id FROM ({ids_sql}) fetched UNION SELECT unnest(%s::bigint[])"
        params, also = [*params, also], []
    condition = Q(pk__in=RawSQL(ids_sql, params)) if ids_sql else Q(pk__in=[])
    if also:
        condition |= Q(pk__in=also)
    # A page shows the title, summary and coalition of a few: the long columns stay in the database.
    return queryset.order_by().filter(condition).defer("body", "body_html", "search_vector")


def _rank_postgres(queryset, words, fetching, also, limit):
    """Candidates: the ``limit`` best by ``ts_rank_cd`` among practices with a fetching word (the GIN
    index finds them), plus ``also``; only those are scored word by word."""
    vector = '"practices_practice"."search_vector"'
    level_sql, level_params = [], []
    for word in words:
        level_sql.append(
            f"CASE WHEN {vector} @@ to_tsquery('{SEARCH_CONFIG}', %s) THEN 'A' "
            f"WHEN {vector} @@ to_tsquery('{SEARCH_CONFIG}', %s) THEN 'B' "
            f"WHEN {vector} @@ to_tsquery('{SEARCH_CONFIG}', %s) THEN 'C' ELSE '-' END"
        )
        level_params += [f"{word}:A", f"{word}:B", word]
    query = f"to_tsquery('{SEARCH_CONFIG}', %s)"
    ids_sql = (
        f"SELECT id FROM practices_practice WHERE search_vector @@ {query} "
        f"ORDER BY ts_rank_cd(search_vector, {query}, 1) DESC LIMIT {int(limit)}"
        if fetching
        else ""
    )
    either = " | ".join(fetching)
    rows = _matching(queryset, ids_sql, [either, either], also)
    if words:
        rows = rows.annotate(word_levels=RawSQL(" || ".join(level_sql), level_params))
    else:
        rows = rows.annotate(word_levels=RawSQL("''", []))
    return _values(rows)


# On SQLite a word in at most this many practices has its levels read from its posting lists (one query
# for all such words, whatever the candidates); a more common word is looked up row by row in the
# candidates, which costs a full-text lookup per candidate, word and level.
DOCLIST_MAX_DF = 300


def _rank_sqlite(queryset, words, fetching, dfs, also, limit):
    """Candidates: the ``limit`` best by ``bm25()`` among practices with a fetching word, plus ``also``;
    only those are scored word by word."""
    match = " OR ".join(fts_quote(w) for w in fetching)
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    ids_sql = (
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
        f"ORDER BY bm25({FTS_TABLE}, {weights}) LIMIT {int(limit)}"
        if fetching
        else ""
    )
    rows = _matching(queryset, ids_sql, [match], also)
    listed = [w for w in words if dfs[w] <= DOCLIST_MAX_DF]
    looked_up = [w for w in words if dfs[w] > DOCLIST_MAX_DF]
    rows = rows.annotate(word_levels=_levels_row_by_row(looked_up) if looked_up else RawSQL("''", []))
    found = _levels_from_posting_lists(listed, queryset.db)
    candidates = []
    for pk, row_levels, shared_area in _values(rows):
        levels = dict(zip(looked_up, row_levels or "", strict=False))
        levels.update(found.get(pk, {}))
        candidates.append((pk, "".join(levels.get(w, "-") for w in words), shared_area))
    return candidates


def _level_match(columns: str, word: str) -> str:
    """The FTS5 query for ``word`` in a level's columns (``LEVEL_COLUMNS``; none: anywhere)."""
    return f"{columns} : {fts_quote(word)}" if columns else fts_quote(word)


def _levels_row_by_row(words) -> RawSQL:
    """Each word's best level in the row at hand: a full-text lookup per word and level."""
    this_row = 'rowid = "practices_practice"."id"'
    level_sql, level_params = [], []
    for word in words:
        cases = []
        for level, columns in LEVEL_COLUMNS.items():
            exists = f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND {this_row})"
            cases.append(f"WHEN {exists} THEN '{level}'")
            level_params.append(_level_match(columns, word))
        level_sql.append("CASE " + " ".join(cases) + " ELSE '-' END")
    return RawSQL(" || ".join(level_sql), level_params)


def _levels_from_posting_lists(words, using) -> dict[int, dict[str, str]]:
    """{practice id: {word: its best level there}} for every practice holding one of ``words``, in one
    query: each word's posting list per level (``words`` are rare enough for these lists to be short)."""
    if not words:
        return {}
    parts, params = [], []
    for index, word in enumerate(words):
        for level, columns in LEVEL_COLUMNS.items():
            parts.append(f"SELECT {index}, '{level}', rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s")
            params.append(_level_match(columns, word))
    found: dict[int, dict[str, str]] = {}
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for index, level, pk in cursor.fetchall():
            levels = found.setdefault(pk, {})
            word = words[index]
            # "A" < "B" < "C": the best level is the smallest letter.
            if level < levels.get(word, "D"):
                levels[word] = level
    return found


# --- Keeping the indexes current ------------------------------------------------------------------


def index_practice_words(practice_ids: Iterable[int] | QuerySet, using: str = "default") -> None:
    """Rewrite the full-text index rows of these practices: the stored vector on PostgreSQL, the FTS5
    rows on SQLite. ``practice_ids`` may be a ``values()`` queryset, used as a subquery on PostgreSQL."""
    if _vendor(using) == "postgresql":
        _index_postgres(practice_ids, using)
    else:
        _index_sqlite(practice_ids, using)


def _names(through, tag_table):
    return (
        f"(SELECT group_concat(name, ' ') FROM (SELECT t.name FROM {through} i JOIN {tag_table} t "
        f"ON t.id = i.tag_id WHERE i.content_object_id = p.id ORDER BY t.name, t.id))"
    )


def _index_postgres(practice_ids, using):
    from django.contrib.postgres.aggregates import StringAgg
    from django.contrib.postgres.search import SearchVector
    from django.db.models import OuterRef, Subquery, TextField, Value
    from django.db.models.functions import Coalesce

    from ..models import FocusAreaItem, Practice, PracticeKind, TaggedPractice

    if not isinstance(practice_ids, QuerySet):
        practice_ids = list(practice_ids)

    def names(through):
        return Coalesce(
            Subquery(
                through.objects.filter(content_object=OuterRef("pk"))
                .order_by()
                .values("content_object")
                .annotate(names=StringAgg("tag__name", " ", order_by=("tag__name", "tag_id")))
                .values("names")
            ),
            Value(""),
            output_field=TextField(),
        )

    kind = Coalesce(
        Subquery(PracticeKind.objects.filter(pk=OuterRef("kind_id")).values("name")[:1]),
        Value(""),
        output_field=TextField(),
    )

    def vector(expression, weight):
        return SearchVector(expression, weight=weight, config=SEARCH_CONFIG)

    Practice.objects.using(using).filter(pk__in=practice_ids).update(
        search_vector=vector("title", "A")
        + vector("summary", "B")
        + vector(kind, "B")
        + vector(names(TaggedPractice), "B")
        + vector(names(FocusAreaItem), "B")
        + vector("jurisdiction", "B")
        + vector("body", "C")
    )


def _index_sqlite(practice_ids, using):
    from ..models import Practice

    ids = list(Practice.objects.using(using).filter(pk__in=practice_ids).values_list("pk", flat=True))
    gone = [] if isinstance(practice_ids, QuerySet) else sorted(set(practice_ids) - set(ids))
    with connections[using].cursor() as cursor:
        for start in range(0, max(len(ids), len(gone)), 500):
            chunk = ",".join(str(int(pk)) for pk in [*ids[start : start + 500], *gone[start : start + 500]])
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({chunk})")
            chunk = ",".join(str(int(pk)) for pk in ids[start : start + 500])
            if not chunk:
                continue
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) "
                "SELECT p.id, p.title, p.summary, k.name, "
                f"{_names('practices_focusareaitem', 'practices_focusarea')}, "
                f"{_names('practices_taggedpractice', 'taggit_tag')}, p.jurisdiction, p.body "
                "FROM practices_practice p JOIN practices_practicekind k ON k.id = p.kind_id "
                f"WHERE p.id IN ({chunk})"
            )


def forget_practice_words(practice_id: int, using: str = "default") -> None:
    """Drop a deleted practice from the SQLite index (PostgreSQL's vector goes with the row)."""
    if _vendor(using) != "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [practice_id])


# --- Search (the list page and the API's q) -------------------------------------------------------


def fts_query(alternatives: list[list[tuple[bool, str]]]) -> str:
    """Web-search syntax, already read into ``or`` alternatives of ``(negated, text)`` terms, as an FTS5
    query: ``("a" AND "b c") NOT "d" OR …``, without stop words. An alternative with nothing to find is
    dropped."""
    from .text import STOP_WORDS, WORD

    def words_of(term: str) -> str:
        # Stop words dropped, as PostgreSQL's english configuration drops them ("vehicles for fleets").
        return " ".join(w for w in WORD.findall(term) if w.lower() not in STOP_WORDS)

    parts = []
    for terms in alternatives:
        wanted = [words_of(t) for negated, t in terms if not negated]
        unwanted = [words_of(t) for negated, t in terms if negated]
        wanted, unwanted = [w for w in wanted if w], [w for w in unwanted if w]
        if not wanted:
            continue
        part = "(" + " AND ".join(fts_quote(w) for w in wanted) + ")"
        for word in unwanted:
            part = f"({part} NOT {fts_quote(word)})"
        parts.append(part)
    return " OR ".join(parts)


# A search ranks at most this many matches (plus one, to know there are more): the newest, found by
# walking the publication-date order until that many match. A rare word has fewer matches and all are
# ranked; a common one ("city": over half the catalogue at 100,000) would otherwise rank every match,
# reading each stored vector, and count them all again for the page numbers.
SEARCH_CANDIDATES = 1000


def search_candidates(matching: QuerySet) -> QuerySet:
    """The ids of the newest ``SEARCH_CANDIDATES`` + 1 rows of ``matching`` (a queryset already narrowed
    to the search's matches and every filter), as a subquery: the same bound on both databases."""
    return matching.order_by("-published_at", "-pk").values("pk")[: SEARCH_CANDIDATES + 1]


def sqlite_search(queryset: QuerySet, match: str, *, start: str, stop: str) -> QuerySet:
    """The practices matching an FTS5 query, annotated with ``rank`` (bm25 with column weights, higher
    is better) and a ``headline`` with the matches between ``start`` and ``stop``, best first."""
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    row = f'WHERE {FTS_TABLE} MATCH %s AND rowid = "practices_practice"."id"'
    body = FTS_COLUMNS.index("body")
    summary = FTS_COLUMNS.index("summary")
    return (
        queryset.filter(
            pk__in=search_candidates(
                queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))
            )
        )
        .annotate(
            rank=RawSQL(f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} {row})", [match]),
            # The summary's snippet when the summary matched, else the body's (as PostgreSQL's headline).
            headline=RawSQL(
                f"(SELECT CASE WHEN instr(s, %s) > 0 THEN s ELSE b END FROM (SELECT "
                f"snippet({FTS_TABLE}, {summary}, %s, %s, '', 30) AS s, "
                f"snippet({FTS_TABLE}, {body}, %s, %s, '', 30) AS b FROM {FTS_TABLE} {row}))",
                [start, start, stop, start, stop, match],
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )
