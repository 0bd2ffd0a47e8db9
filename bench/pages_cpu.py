"""CPU time and queries per page, in one process with Django's test client: the part of a page's cost that
is ours (Python and the queries it sends), without a server or a load generator in the way.

    .venv/bin/python bench/pages_cpu.py --database-url postgres://postgres@127.0.0.1:5432/srx_scale
    .venv/bin/python bench/pages_cpu.py --database-url ... --only "member list" --profile 25

The pages are bench/web.py's (found in the data the same way), anonymous and signed in, in production
settings (DJANGO_DEBUG=0) with the shared cache at ``--redis-url``. Each page is fetched once to warm
the caches a steady state has, then ``--repeats`` times: the median and 90th percentile of this
process's CPU milliseconds (``time.process_time``) and of the wall-clock milliseconds, and the queries of
one more request. ``--cold`` renews the listed-practices generation before every request, so nothing
cached for the lists answers (the first visit after any change). ``--profile N`` prints cProfile's top
N functions by cumulative time for each page measured (use ``--only``).
"""

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--only", action="append", default=[], help='"<anonymous|member> <words of the page name>"')
    parser.add_argument("--cold", action="store_true", help="renew the listed generation before every request")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--explain", action="store_true", help="each query's PostgreSQL execution time and plan")
    args = parser.parse_args()

    os.environ.update(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="testserver", LOG_LEVEL="WARNING", BENCH_FLOOR_VIEW="1")
    import subprocess

    import web  # bench/web.py: the same pages and the same signed-in member

    web.setup_django(args.database_url, args.redis_url)
    # Production settings serve static files from collectstatic's manifest.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from practices import selectors

    pages, cookie, sizes = web.pages_and_session(0.5)
    name, value = cookie.split("=", 1)
    clients = {"anonymous": Client(), "member": Client()}
    clients["member"].cookies[name] = value
    assert b"Log out" in clients["member"].get("/", secure=True).content, "the member is not signed in"
    logging.getLogger("config.requests").setLevel(logging.WARNING)  # one line per request otherwise
    cold = ", cold lists" if args.cold else ""
    print(f"{sizes['practices']:,} practices, {sizes['members']:,} members, {sizes['meetings']:,} meetings; "
          f"load average {os.getloadavg()[0]:.1f}; {args.repeats} repeats{cold}")  # fmt: skip
    print(f"{'who':<10} {'page':<42} {'CPU ms p50':>10} {'p90':>7} {'wall p50':>9} {'p90':>7} {'queries':>8}")
    for audience, client in clients.items():
        for page, path in pages.items():
            label = f"{audience} {page}"
            if args.only and not any(all(word in label for word in wanted.split()) for wanted in args.only):
                continue

            def get(path=path, client=client, label=label):
                if args.cold:
                    selectors.forget_listed_counts()
                response = client.get(path, secure=True)
                assert response.status_code == 200, (label, response.status_code)
                return response

            get()
            cpu, wall = [], []
            profiler = cProfile.Profile() if args.profile else None
            for _ in range(args.repeats):
                c0, w0 = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                get()
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
            with CaptureQueriesContext(connection) as queries:
                get()
            print(f"{audience:<10} {page[:42]:<42} {statistics.median(cpu):>10.1f} {percentile(cpu, 90):>7.1f} "
                  f"{statistics.median(wall):>9.1f} {percentile(wall, 90):>7.1f} {len(queries):>8}")  # fmt: skip
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
            if args.explain:
                explain(connection, queries)


def explain(connection, queries) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of each SELECT of the last request: execution ms, then the statement's
    start and the plan's top line, slowest first."""
    timed = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            ms = next((float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")), 0.0)
            timed.append((ms, query["sql"], plan))
    for ms, sql, plan in sorted(timed, key=lambda item: item[0], reverse=True):
        print(f"    {ms:8.2f} ms  {sql[:150]}")
        print(f"                 {plan[0].strip()[:140]}")


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
