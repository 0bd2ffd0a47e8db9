"""How well "similar practices" finds what already exists: the evaluation set on a throwaway database.

    .venv/bin/python bench/discovery.py                       # SQLite; also PostgreSQL if DATABASE_URL is one
    .venv/bin/python bench/discovery.py --postgres postgres://postgres@127.0.0.1:5432/srx_bench
    .venv/bin/python bench/discovery.py --rankers old --markdown --misses

For each database: creates a test database (``bench_evaluation_<name>`` beside the configured PostgreSQL one, in
memory for SQLite), loads ``tests/discovery``'s practices through the services, asks every query of the
set and prints, per ranker and per input sent (title; title and summary; title, summary and ticked focus
areas): recall@1 and recall@3 of the easy and hard queries, the mean number of suggestions shown for
no-target queries, and p50/p95 milliseconds per call (after one warm-up call). Drops the database.

Rankers: ``old`` is the ranking the new-practice form's panel uses before discovery
(``Practice.objects.published().visible_to(user).similar_to(title, focus_area_ids)``, five shown; it reads
no summary); ``new`` is ``practices.discovery.suggest`` (skipped, with the reason, while that module is
missing). Never part of the test suite: tests do not assert timings.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RANKERS = ("old", "new")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run on PostgreSQL at this URL (default: DATABASE_URL when it points at PostgreSQL)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="run on PostgreSQL only")
    parser.add_argument("--rankers", default=",".join(RANKERS), help="comma-separated: old,new")
    parser.add_argument("--repeats", type=int, default=3, help="rounds over the queries, for timing")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for bench/RESULTS.md)")
    parser.add_argument("--misses", action="store_true", help="list the queries whose target was not in the top 3")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- One database, in its own process (Django reads DATABASE_URL once) ------------------------------


def old_ranker(user):
    """Today's panel: ``similar_to`` over the published practices the member sees, five shown."""
    from practices.models import FocusArea, Practice
    from tests.discovery.metrics import PANEL_SIZE

    def rank(query, mode):
        slugs = mode.focus_areas(query)
        area_ids = list(FocusArea.objects.filter(slug__in=slugs).values_list("pk", flat=True)) if slugs else []
        shown = (
            Practice.objects.published()
            .visible_to(user)
            .similar_to(query.title, area_ids)
            .select_related("coalition")[:PANEL_SIZE]
        )
        return [p.pk for p in shown]

    return rank


def run_one(args) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from bench.evaluation_db import evaluation_database, setup_django

    setup_django()
    from django.db import connection

    from tests.discovery.metrics import MODES, RankerUnavailable, evaluate, suggest_ranker

    rows = []
    with evaluation_database() as (evaluation, ids, user):
        counts = {d: len(evaluation.queries_of(d)) for d in ("easy", "hard", "none")}
        print(
            f"\n{connection.vendor}: {len(ids)} practices, {len(evaluation.queries)} queries "
            f"({counts['easy']} easy, {counts['hard']} hard, {counts['none']} no-target); "
            f"{args.repeats} timed rounds",
            flush=True,
        )
        factories = {"old": old_ranker, "new": suggest_ranker}
        for name in args.rankers.split(","):
            try:
                ranker = factories[name](user)
            except RankerUnavailable as exc:
                print(f"  {name}: skipped, {exc}")
                continue
            ranker(evaluation.queries[0], MODES[-1])  # warm-up: a model load or a cold cache is not a call
            for mode in MODES:
                result = evaluate(ranker, evaluation, ids, mode, repeats=args.repeats)
                rows.append(
                    {
                        "database": connection.vendor,
                        "ranker": name,
                        "sent": mode.name,
                        "easy_r1": result.recall("easy", 1),
                        "easy_r3": result.recall("easy", 3),
                        "hard_r1": result.recall("hard", 1),
                        "hard_r3": result.recall("hard", 3),
                        "none_shown": result.mean_shown("none"),
                        "p50_ms": result.p50(),
                        "p95_ms": result.p95(),
                        "misses": {d: [q.label for q in result.misses(d, 3)] for d in ("easy", "hard")},
                    }
                )
    return rows


# --- The command: one child process per database ------------------------------------------------


HEADERS = (
    "database",
    "ranker",
    "sent",
    "easy R@1",
    "easy R@3",
    "hard R@1",
    "hard R@3",
    "none shown",
    "p50 ms",
    "p95 ms",
)


def cells(row) -> list[str]:
    return [
        row["database"],
        row["ranker"],
        row["sent"],
        *(f"{row[k]:.2f}" for k in ("easy_r1", "easy_r3", "hard_r1", "hard_r3", "none_shown")),
        f"{row['p50_ms']:.1f}",
        f"{row['p95_ms']:.1f}",
    ]


def print_table(rows, markdown: bool) -> None:
    table = [list(HEADERS), *(cells(r) for r in rows)]
    if markdown:
        print("| " + " | ".join(table[0]) + " |")
        print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(HEADERS))) + "|")
        for line in table[1:]:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    for line in table:
        print("  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))))


def databases(args) -> list[str]:
    urls = [] if args.no_sqlite else ["sqlite:///" + str(ROOT / "var" / "bench-discovery.sqlite3")]
    postgres = args.postgres or os.environ.get("DATABASE_URL", "")
    if postgres.startswith(("postgres://", "postgresql://", "pgsql://")):
        urls.append(postgres)
    return urls


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        Path(os.environ["BENCH_DISCOVERY_OUT"]).write_text(json.dumps(run_one(args)))
        return 0
    rows = []
    out = ROOT / "var" / "bench-discovery.json"
    out.parent.mkdir(exist_ok=True)
    for url in databases(args):
        child_args = [sys.executable, __file__, "--child", "--rankers", args.rankers, "--repeats", str(args.repeats)]
        env = {**os.environ, "DATABASE_URL": url, "BENCH_DISCOVERY_OUT": str(out)}
        subprocess.run(child_args, env=env, check=True, cwd=ROOT)
        rows.extend(json.loads(out.read_text()))
    out.unlink(missing_ok=True)
    print()
    print_table(rows, args.markdown)
    if args.misses:
        for row in rows:
            for difficulty, labels in row["misses"].items():
                if labels:
                    where = f"{row['database']} {row['ranker']} [{row['sent']}]"
                    print(f"\n{where} {difficulty} misses at 3: {', '.join(labels)}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
