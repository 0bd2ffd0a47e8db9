"""Discovery at scale: "similar", rare-word search, the save path and the vector index at 100,000 practices.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srx_bench .venv/bin/python bench/discovery_scale_vectors.py
    .venv/bin/python bench/discovery_scale_vectors.py --practices 20000 --repeats 50      # SQLite, smaller

Creates a throwaway database (``bench_<name>`` beside the configured PostgreSQL one), fills it with
``--practices`` practices whose titles and summaries are the evaluation set's, varied (words swapped,
rare words sprinkled with a Zipf-like spread, as a real catalogue's long tail), writes their full-text
index the way the services do, and stores one vector per practice. Vectors are random unit vectors, not
the model's: embedding 100,000 texts takes hours on this machine (the re-embedding rate is measured on
real texts and extrapolated), and a matrix product costs the same whatever the numbers. Every query's
own embedding is the real model's and is included in the timings. Never part of the test suite.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

RARE_WORDS = 20_000  # distinct rare words in the catalogue's long tail


def percentiles(samples):
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def fill(n: int, rng: random.Random):
    from coalitions.models import Coalition, Membership
    from practices.discovery import embeddings, vectors, words
    from practices.models import DocumentVector, FocusArea, FocusAreaItem, Practice, PracticeKind
    from tests.discovery.evaluation import read_evaluation_set
    from tests.factories import UserFactory

    evaluation = read_evaluation_set()
    coalitions = [
        Coalition.objects.create(name=f"Coalition {i}", slug=f"coalition-{i}", short_name=f"C{i}", region="US")
        for i in range(6)
    ]
    member = UserFactory(email="bench@example.org")
    Membership.objects.create(user=member, coalition=coalitions[0])
    areas = list(FocusArea.objects.all())
    kinds = list(PracticeKind.objects.all())
    templates = evaluation.practices
    vocabulary = sorted({w for p in templates for w in (p.title + " " + p.summary).split() if w.isalpha()})
    rare = [f"{rng.choice(vocabulary).lower()}{i}" for i in range(RARE_WORDS)]
    used: dict[str, int] = {}
    now = timezone.now()
    started = time.perf_counter()
    batch = 5000
    for start in range(0, n, batch):
        rows = []
        for i in range(start, min(n, start + batch)):
            template = rng.choice(templates)
            title_words = template.title.split()
            title_words[rng.randrange(len(title_words))] = rng.choice(vocabulary)
            # Zipf-like: most rare words appear in a handful of practices, a few in many.
            extra = [rare[int(rng.paretovariate(0.6) * 97) % RARE_WORDS] for _ in range(3)]
            for word in extra:
                used[word] = used.get(word, 0) + 1
            rows.append(
                Practice(
                    title=" ".join(title_words)[:200],
                    slug=f"bench-{i}",
                    summary=f"{template.summary} {' '.join(extra)}"[:1000],
                    body=template.body,
                    jurisdiction=f"City {i % 500}",
                    kind=rng.choice(kinds),
                    coalition=rng.choice(coalitions),
                    author=member,
                    status=Practice.Status.PUBLISHED,
                    visibility=rng.choice(Practice.Visibility.values),
                    published_at=now,
                )
            )
        with transaction.atomic():
            created = Practice.objects.bulk_create(rows)
            FocusAreaItem.objects.bulk_create(
                FocusAreaItem(content_object=p, tag=area) for p in created for area in rng.sample(areas, 2)
            )
            words.index_practice_words([p.pk for p in created])
            unit = np.random.default_rng(start).standard_normal((len(created), embeddings.DIMENSIONS))
            unit = (unit / np.linalg.norm(unit, axis=1, keepdims=True)).astype(np.float32)
            DocumentVector.objects.bulk_create(
                DocumentVector(doc_type="practice", doc_id=p.pk, model=embeddings.MODEL_NAME, vector=unit[k].tobytes())
                for k, p in enumerate(created)
            )
        print(f"  {min(n, start + batch):>7} practices ({time.perf_counter() - started:.0f} s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    vectors.reset()
    # Rare: in at most 20 practices (a long-tail word a member would search for).
    rare_used = sorted(w for w, count in used.items() if count <= 20)
    print(f"  {len(used)} long-tail words, {len(rare_used)} of them in 20 practices or fewer")
    return member, rare_used


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--embed-sample", type=int, default=200, help="real texts embedded to time re-embedding")
    parser.add_argument("--keep", action="store_true", help="keep the filled database, and reuse one kept before")
    args = parser.parse_args(argv)

    from django.contrib.auth.models import AnonymousUser

    from config.celery import app as celery_app
    from practices import discovery
    from practices.discovery import embeddings, vectors
    from practices.models import Practice
    from tests.discovery.evaluation import read_evaluation_set

    celery_app.conf.task_always_eager = False  # the save path enqueues; it does not embed
    setup_test_environment()
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep, keepdb=args.keep)
    rng = random.Random(2026)
    try:
        if args.keep and Practice.objects.count() >= args.practices:
            member, rare = kept_catalogue()
        else:
            print(f"{connection.vendor}: filling {args.practices} practices", flush=True)
            member, rare = fill(args.practices, rng)
        queries = read_evaluation_set().queries
        embeddings.get_model()

        # The vector index: first load, and its memory.
        index = vectors.index_for(discovery.PRACTICE)
        started = time.perf_counter()
        index.refresh(force=True)
        load_s = time.perf_counter() - started
        print(f"  vector index: {len(index)} vectors, {index.memory_bytes / 2**20:.0f} MiB, loaded in {load_s:.1f} s")

        # "Similar": title and summary as the form sends them, the query's embedding included.
        samples, cpu = [], []
        for i in range(args.repeats):
            q = queries[i % len(queries)]
            title = f"{q.title} {i}"  # a new text each time: no cached embedding
            started, started_cpu = time.perf_counter(), time.process_time()
            discovery.suggest(title=title, summary=q.summary, focus_area_slugs=q.focus_areas, user=member)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        p50, p95 = percentiles(samples)
        c50, c95 = percentiles(cpu)
        print(f"  similar (title + summary, embedding included): p50 {p50:.1f} ms, p95 {p95:.1f} ms wall")
        print(f"    this process's CPU (embedding, numpy, Python; not PostgreSQL's): p50 {c50:.1f}, p95 {c95:.1f} ms")
        samples_embed = []
        for i in range(args.repeats):
            q = queries[i % len(queries)]
            started = time.perf_counter()
            embeddings.get_model().query(discovery.query_text(f"{q.title} {i}", q.summary))
            samples_embed.append((time.perf_counter() - started) * 1000)
        p50e, p95e = percentiles(samples_embed)
        print(f"    of which the query's embedding alone: p50 {p50e:.1f} ms, p95 {p95e:.1f} ms")

        # Search for a rare word: the list page's first page (rows, then its prefetches).
        anonymous = AnonymousUser()
        samples, found = [], 0
        for _ in range(args.repeats):
            word = rare[rng.randrange(len(rare))]
            started = time.perf_counter()
            page = list(Practice.objects.published().visible_to(anonymous).for_list().search(word)[:50])
            samples.append((time.perf_counter() - started) * 1000)
            found += len(page)
        p50, p95 = percentiles(samples)
        rows = found / args.repeats
        print(f"  search for a rare word (first page, public): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {rows:.1f} rows")

        # The save path: what indexing adds to a practice's save (words now, embedding enqueued).
        from practices import services

        practice_ids = list(Practice.objects.order_by("?").values_list("pk", flat=True)[: args.repeats])
        samples = []
        for pk in practice_ids:
            started = time.perf_counter()
            with transaction.atomic():
                services.update_search_vectors(practice_ids=[pk])
            samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(samples)
        print(f"  save path, discovery's part (full-text row rewritten): p50 {p50:.1f} ms, p95 {p95:.1f} ms")

        # Re-embedding: real titles and summaries, in the command's batches; extrapolated to the catalogue.
        texts = [discovery.practice_text(p.title, p.summary) for p in read_evaluation_set().practices]
        sample = (texts * (args.embed_sample // len(texts) + 1))[: args.embed_sample]
        started = time.perf_counter()
        for start in range(0, len(sample), 32):
            embeddings.embed_passages(sample[start : start + 32])
        per_text = (time.perf_counter() - started) / len(sample)
        print(
            f"  re-embedding: {per_text * 1000:.0f} ms per practice on one core, "
            f"so {per_text * args.practices / 3600:.1f} h for {args.practices} on one core"
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


def kept_catalogue():
    """The member and the rare words of a catalogue filled by an earlier ``--keep`` run."""
    from django.contrib.auth import get_user_model

    from practices.models import Practice

    member = get_user_model().objects.get(email="bench@example.org")
    summaries = Practice.objects.order_by("pk").values_list("summary", flat=True)[:20000]
    counts: dict[str, int] = {}
    for summary in summaries:
        for word in summary.split()[-3:]:
            if word[-1:].isdigit():
                counts[word] = counts.get(word, 0) + 1
    print(f"postgresql: reusing {Practice.objects.count()} practices")
    return member, sorted(w for w, n in counts.items() if n <= 20)


if __name__ == "__main__":
    sys.exit(main())
