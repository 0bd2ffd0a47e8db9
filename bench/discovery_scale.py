"""Discovery at scale: "similar" with its query embedding, word search, the stored "similar" lists, the
vector index and what a save costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srx_bench \\
        .venv/bin/python bench/discovery_scale.py --practices 100000 --keepdb
    .venv/bin/python bench/discovery_scale.py --practices 2000          # a quick look on SQLite
    .venv/bin/python bench/discovery_scale.py --smoke                   # seconds: checks the script runs

Creates ``bench_<name>`` beside the configured database (``--keepdb`` keeps it, and a later run with the
same ``--practices`` and ``--seed`` skips the fill), fills it with the ``seed_scale`` generator (bulk inserts, search
vectors by the services' own function) and prints the median and 95th percentile in milliseconds of:

- **similar**: ``practices.discovery.suggest`` for the evaluation set's query titles and summaries, as a
  member, the query's own embedding included, and that embedding alone; the vector index's load time
  and memory;
- **rare-word search**: the search page's query (filters, count and first page of 50) for words found in
  at most three practices;
- **common-word search** (``--common-words``): the list's rows and its bounded count for words in many
  practices, and the same unbounded (every match ranked, then counted), as before the bound;
- **stored "similar"**: ``refresh_similar`` (the task after a save) and ``stored_similar`` (the practice
  page's read);
- **save**: ``practices.services.update_practice`` of a title and summary (rolled back, so the data stays
  as generated), and the part of it that keeps the full-text index (``update_search_vectors``); with the
  discovery module, also the embedding a task makes after the commit.

Meaning vectors (``--vectors``): ``none`` leaves the index empty (suggest ranks by words); ``sample``
(the default) embeds ``--embed-sample`` practices with the module's own function, times it (and
extrapolates to the catalogue), and fills the others with copies of those vectors so the in-process
index has one row per practice, as search cost depends on the number of rows, not their values (the
answers are then not meaningful, the timings are); ``random`` stores a random unit vector for every
practice without loading the model for the catalogue (the quickest fill at 100,000; the queries'
embeddings are still the model's); ``all`` embeds every practice with the module's
``rebuild_discovery_index`` command and times it.
Never part of the test suite: tests do not assert timings.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from config.management.commands.seed_scale import TextGenerator, fill_practices  # noqa: E402
from tests.discovery.metrics import percentile  # noqa: E402


def timed(label: str, fn, repeats: int) -> list[float]:
    """Wall-clock p50/p95 of ``fn``, and the p50 of this process's own CPU time (Python's share)."""
    samples, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"  {label:<58} p50 {statistics.median(samples):8.2f} ms   p95 {percentile(samples, 95):8.2f} ms"
        f"   (Python CPU p50 {statistics.median(cpu):6.2f} ms)"
    )
    return samples


def server_milliseconds(fn) -> float | None:
    """PostgreSQL's own execution time for the statements ``fn`` runs (EXPLAIN ANALYZE of each, rolled
    back): what the database spends, without the waits a busy machine adds to the wall clock."""
    if connection.vendor != "postgresql":
        return None
    # A full log (9,000 statements, after the similar rounds) would leave the capture empty: start it afresh.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        rolled_back(fn)()
    total = 0.0
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith(("SELECT", "UPDATE"))]
    for sql in statements:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                total += cursor.fetchone()[0][0]["Execution Time"]
                raise Rollback
        except Rollback:
            pass
    return total


def timed_with_server(label: str, fns, repeats: int) -> None:
    """Wall-clock p50/p95 of ``next(fns)()`` and, on PostgreSQL, of the database's execution time alone."""
    calls = [next(fns) for _ in range(repeats)]
    it = iter(calls)
    timed(label, lambda: next(it)(), repeats)
    server = [server_milliseconds(fn) for fn in calls]
    if server[0] is not None:
        label = "  database execution alone"
        print(f"  {label:<58} p50 {statistics.median(server):8.2f} ms   p95 {percentile(server, 95):8.2f} ms")


def discovery_module():
    try:
        from practices import discovery
    except ImportError as exc:
        print(f"  (no discovery module yet: {exc})")
        return None
    return discovery


class Rollback(Exception):
    pass


def rolled_back(fn):
    """Run ``fn`` in a transaction that is then rolled back (on-commit work never runs)."""

    def run():
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass

    return run


def fill_or_reuse(args):
    from practices.models import Practice

    existing = Practice.objects.count()
    if existing == args.practices:
        print(f"{connection.vendor}: reusing {existing:,} practices in {connection.settings_dict['NAME']}")
        # The names each practice got, regenerated from the seed (no database needed).
        generator = TextGenerator(args.seed)
        for _ in range(args.practices):
            generator.practice()
        from config.management.commands.seed_scale import FillReport, ensure_coalitions

        coalitions, authors = ensure_coalitions()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        ids = list(Practice.objects.values_list("pk", flat=True))
        return FillReport(practice_ids=ids, name_documents=generator.name_documents, member=authors[coalitions[0].pk])
    if existing:
        sys.exit(f"{connection.settings_dict['NAME']} holds {existing:,} practices, not {args.practices:,}: drop it")
    started = time.perf_counter()
    last = [started]

    def progress(message):
        if time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            print(f"  … {message} ({last[0] - started:.0f} s)", flush=True)

    report = fill_practices(args.practices, seed=args.seed, batch_size=args.batch_size, progress=progress)
    seconds = time.perf_counter() - started
    print(
        f"{connection.vendor}: {args.practices:,} practices filled in {seconds:.1f} s "
        f"({args.practices / seconds:,.0f} a second, search vectors included)"
    )
    return report


def prepare_vectors(args, discovery, ids) -> None:
    """Give the module's index one vector per practice, as ``--vectors`` says."""
    if args.vectors == "none":
        print("  vectors: none (suggest ranks by words alone)")
        return
    if args.vectors == "random":
        import numpy as np

        generator = np.random.default_rng(args.seed)
        started = time.perf_counter()
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            unit = generator.standard_normal((len(chunk), discovery.embeddings.DIMENSIONS))
            unit = (unit / np.linalg.norm(unit, axis=1, keepdims=True)).astype(np.float32)
            discovery.vectors.store_vectors(discovery.PRACTICE, {pk: unit[k] for k, pk in enumerate(chunk)})
        print(f"  vectors: {len(ids):,} random unit vectors stored in {time.perf_counter() - started:.1f} s")
        return
    if args.vectors == "all":
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("rebuild_discovery_index", "--missing")
        print(f"  vectors: {len(ids):,} practices embedded in {time.perf_counter() - started:.0f} s")
        return
    embed = getattr(discovery, "embed_practices", None)
    vectors = getattr(discovery, "vectors", None)
    if embed is None or not hasattr(vectors, "store_vectors"):
        print("  vectors: skipped, the module has no embed_practices() or vectors.store_vectors()")
        return
    import numpy as np

    try:
        from practices.models import DocumentVector
    except ImportError:
        print("  vectors: skipped, no practices.models.DocumentVector to copy stored vectors from")
        return

    sample = ids[: args.embed_sample]
    started = time.perf_counter()
    stored = embed(sample)
    seconds = time.perf_counter() - started
    if not stored:
        print("  vectors: the model could not be loaded; suggest ranks by words alone")
        return
    print(
        f"  embedding: {stored:,} practices in {seconds:.1f} s, {seconds / stored * 1000:.1f} ms each: "
        f"{seconds / stored * 100_000 / 60:.0f} min for 100,000 on one core"
    )
    blobs = [
        np.frombuffer(bytes(blob), dtype=np.float32)
        for blob in DocumentVector.objects.filter(doc_type=discovery.PRACTICE, doc_id__in=sample).values_list(
            "vector", flat=True
        )
    ]
    rest = ids[args.embed_sample :]
    for start in range(0, len(rest), 5000):
        chunk = rest[start : start + 5000]
        vectors.store_vectors(discovery.PRACTICE, {pk: blobs[i % len(blobs)] for i, pk in enumerate(chunk)})
    print(f"  vectors: {len(rest):,} more filled with copies of those (timing stand-ins)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3, help="rounds over the similar and search queries")
    parser.add_argument("--saves", type=int, default=30, help="timed saves")
    parser.add_argument("--vectors", choices=("none", "sample", "random", "all"), default="sample")
    parser.add_argument("--embed-sample", type=int, default=300)
    parser.add_argument(
        "--common-words",
        default="city,data",
        help="comma-separated words in many practices, searched bounded and unbounded ('' to skip)",
    )
    parser.add_argument("--stored-similar", type=int, default=10, help="practices whose similar lists are refreshed")
    parser.add_argument("--keepdb", "--keep", action="store_true", help="keep the database for the next run")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a run of seconds on a few hundred practices, to check the script still works (numbers mean nothing)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.practices, args.repeats, args.saves = min(args.practices, 300), 1, 2
        args.embed_sample, args.stored_similar, args.keepdb = 5, 2, False
        args.vectors = "random" if args.vectors == "sample" else args.vectors

    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True  # nothing enqueued here waits for a worker
    setup_test_environment()
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keepdb, keepdb=args.keepdb)
    try:
        measure(args)
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


def measure(args):
    from practices.filters import PracticeFilter, listed_practices
    from practices.models import Practice
    from practices.services import update_practice, update_search_vectors
    from tests.discovery.evaluation import read_evaluation_set

    report = fill_or_reuse(args)
    member = report.member
    discovery = discovery_module()

    print("similar (the new-practice form's panel):")
    if discovery is not None and hasattr(discovery, "suggest"):
        prepare_vectors(args, discovery, report.practice_ids)
        index_for = getattr(getattr(discovery, "vectors", None), "index_for", None)
        queries = read_evaluation_set().queries
        if index_for is not None:
            started = time.perf_counter()
            index_for(discovery.PRACTICE).refresh(force=True)
            print(f"  vector index loaded in {time.perf_counter() - started:.1f} s")
        discovery.suggest(title=queries[0].title, summary=queries[0].summary, user=member)  # loads model, index
        embeddings = getattr(discovery, "embeddings", None)
        forget = getattr(embeddings, "forget_queries", lambda: None)
        rounds = iter([q for _ in range(args.repeats) for q in queries])

        def similar():
            # Every call embeds its text, as for a member typing something new (the recent queries' cache
            # would otherwise answer the second round); words' document frequencies stay as a process keeps them.
            forget()
            q = next(rounds)
            return discovery.suggest(title=q.title, summary=q.summary, focus_area_slugs=q.focus_areas, user=member)

        timed(f"suggest(), {len(queries)} queries, a process's first", similar, len(queries))
        if args.repeats > 1:
            timed(
                f"suggest(), the same x {args.repeats - 1} again, new embeddings",
                similar,
                len(queries) * (args.repeats - 1),
            )
        if embeddings is not None and embeddings.get_model() is not None:
            # A new text each time: no embedding cached from the rounds above.
            texts = iter(
                discovery.query_text(f"{q.title} {n}", q.summary) for n in range(args.repeats) for q in queries
            )
            timed(
                "of which the query's embedding alone",
                lambda: embeddings.embed_query(next(texts)),
                len(queries) * args.repeats,
            )
        if index_for is not None:
            index = index_for(discovery.PRACTICE, "default")
            memory = getattr(index, "memory_bytes", None)
            if memory is not None:
                print(f"  vector index: {len(index):,} rows, {memory / 2**20:.0f} MiB in this process")
    else:
        print("  skipped: practices.discovery.suggest is not there yet")

    rare = report.rare_words(max_documents=3, count=20)
    print(f"search (the search page: count and first page of 50), {len(rare)} words in at most 3 practices:")
    listed = listed_practices(member)
    found = []

    def search(word):
        page = Paginator(PracticeFilter({"q": word}, queryset=listed).sorted_queryset(), 50).get_page(1)
        found.append(len(list(page)))

    searches = (lambda word=word: search(word) for word in rare * args.repeats)
    timed_with_server("rare word", searches, len(rare) * args.repeats)
    print(f"  results per search: min {min(found)}, max {max(found)} (each word is in 1–3 practices)")

    common = [word for word in args.common_words.split(",") if word.strip()]
    if common and discovery is not None:
        measure_common_words(common, member, args.repeats, discovery)
    if discovery is not None and hasattr(discovery, "refresh_similar"):
        measure_stored_similar(report.practice_ids, args.stored_similar, args.repeats, discovery)

    print("save (rolled back each time, so the data stays as generated):")
    practice = Practice.objects.filter(author=member).order_by("pk").first()
    title, summary = practice.title, practice.summary
    edits = iter(range(args.saves * 2))

    def save():
        n = next(edits)
        update_practice(
            practice=practice, by=member, data={"title": f"{title} (rev {n})", "summary": f"{summary} Revised {n}."}
        )

    timed("update_practice(), the whole service", rolled_back(save), args.saves)
    index_words = rolled_back(lambda: update_search_vectors(practice_ids=[practice.pk]))
    timed_with_server(
        "of which the full-text index (update_search_vectors)", iter([index_words] * args.saves), args.saves
    )
    embed = getattr(discovery, "embed_practices", None) if discovery else None
    if embed is not None:
        timed(
            "embedding one practice (the task after the commit)",
            # Each time from its text: the module keeps the last passages it embedded (a retried task).
            rolled_back(lambda: (discovery.embeddings.forget_queries(), embed([practice.pk]))),
            args.saves,
        )
    else:
        print("  embedding after the commit: skipped, no discovery.embed_practices() yet")


def measure_common_words(common: list[str], member, repeats: int, discovery) -> None:
    """The list's first page and its bounded count for words in many practices, then the same with the
    bound lifted (every match ranked, then counted again), as the page was before the bound."""
    from practices.discovery import words
    from practices.filters import listed_practices

    print(f"search for common words (first page of 50 and the count), bounded at {words.SEARCH_CANDIDATES:,}:")
    listed = listed_practices(member)
    for word in common:
        for label, bound in (("bounded", words.SEARCH_CANDIDATES), ("unbounded, as before", 10**9)):
            saved, words.SEARCH_CANDIDATES = words.SEARCH_CANDIDATES, bound
            counted = []

            def search(word=word, counted=counted):
                matches = listed.search(word)
                list(matches[:50])
                counted.append(matches.count())

            try:
                timed(f"{word!r} ({label})", search, max(5, repeats))
            finally:
                words.SEARCH_CANDIDATES = saved
            print(f"    count shown: {counted[-1]:,}")


def measure_stored_similar(practice_ids: list[int], sample: int, repeats: int, discovery) -> None:
    """What the task after a save spends refreshing a practice's "similar" list and its neighbours', then
    what a practice page spends reading the stored list."""
    from django.contrib.auth.models import AnonymousUser

    from practices.models import Practice

    print('stored "similar practices":')
    step = max(1, len(practice_ids) // max(1, sample))
    chosen = practice_ids[::step][:sample]
    lists = []
    refreshes = iter(chosen)
    timed(
        "refresh_similar() (the task after a save)",
        lambda: lists.append(discovery.refresh_similar([next(refreshes)])),
        len(chosen),
    )
    print(f"    lists refreshed each time: {max(lists) if lists else 0}")
    practices = [Practice.objects.get(pk=pk) for pk in chosen]
    anonymous = AnonymousUser()
    reads = iter(practices[n % len(practices)] for n in range(max(5, repeats)))
    timed(
        "stored_similar() (the practice page's read)",
        lambda: discovery.stored_similar(next(reads), user=anonymous),
        max(5, repeats),
    )


if __name__ == "__main__":
    sys.exit(main())
