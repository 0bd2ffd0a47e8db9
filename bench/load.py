"""A bounded load test on loopback: gunicorn on PostgreSQL with Redis, half the visitors signed in.

    .venv/bin/python bench/load.py                       # 10,000 practices, 64 connections, 60 s, two rounds
    .venv/bin/python bench/load.py --practices 2000 --seconds 20 --connections 32

One command from a fresh clone (after ``make`` has made the venv). It starts a PostgreSQL cluster
and a Redis of its own on free ports (``bench/faultkit.py``; a temporary folder, both stopped at the
end; never the servers on 5432 and 6379), migrates, loads the demo data and ``--practices`` generated
practices (``seed_scale``'s generator), and signs the demo members in (sessions made in the database, so
the login throttle is not what is measured). ``--postgres`` (a server: a database ``srx_load_<pid>``
is made on it and dropped at the end) or ``--redis`` (a URL with a database number of its own) use
servers you name instead. Then it starts gunicorn on a free loopback port with production settings
(``DJANGO_DEBUG=0``) and Redis as cache and broker, and runs the load generator: ``--connections`` threads,
each with one keep-alive connection, for ``--seconds``, over the main pages; even threads are
anonymous, odd ones signed in. It prints requests/s, p50/p95/p99, errors (no answer) and 5xx.
Round two repeats it with one stored worst-case Markdown practice (the slowest shape of
``bench/markdown.py`` at the body's maximum length) in the mix, viewed by every thread.

The generator is threads and ``http.client`` from the standard library, a process of its own that
never imports Django. Everything listens on 127.0.0.1 only, and every wait is bounded.
"""

import argparse
import collections
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from faultkit import Postgres, Redis, free_port, stop_cleanly_on_term, stop_process_group

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

ANONYMOUS_PAGES = ["/", "/practices/", "/practices/?q=ransomware+incident", "/coalitions/", "/meetings/"]
MEMBER_PAGES = [*ANONYMOUS_PAGES, "/practices/mine/", "/email/preferences/"]


# --- Inside Django: fill the database and write what the generator needs -----------------------


def prepare(out: Path, practices: int) -> None:
    sys.path[0] = str(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from config.management.commands.seed_scale import fill_practices

    started = time.perf_counter()
    fill_practices(practices, seed=2026)  # stored HTML and search vectors made as a member's save makes them
    print(f"  {practices:,} practices generated in {time.perf_counter() - started:.0f} s", flush=True)

    from practices.models import Practice

    slugs = list(
        Practice.objects.published()
        .filter(visibility=Practice.Visibility.PUBLIC)
        .order_by("?")
        .values_list("slug", flat=True)[:500]
    )
    sessions = []
    User = get_user_model()
    for user in User.objects.filter(email__endswith="@demo.smartregions.org", is_active=True).order_by("pk"):
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    out.write_text(json.dumps({"slugs": slugs, "sessions": sessions}))


def add_worst_markdown(out: Path) -> None:
    """Store one public practice whose body is the slowest Markdown shape at the body's maximum length."""
    sys.path[0] = str(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_markdown", ROOT / "bench" / "markdown.py")
    shapes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shapes)  # sets Django up
    from practices.forms import BODY_MAX_LENGTH
    from practices.models import Practice

    worst = max(
        ((shapes.best_time(make(BODY_MAX_LENGTH), 1), name, make) for name, make in shapes.SHAPES.items()),
        key=lambda row: row[0],
    )
    seconds, name, make = worst
    template = Practice.objects.published().filter(visibility=Practice.Visibility.PUBLIC).first()
    practice = Practice(
        title=f"Worst-case Markdown: {name}",
        slug="worst-case-markdown",
        summary="One stored worst-case body in the mix.",
        body=make(BODY_MAX_LENGTH),
        jurisdiction=template.jurisdiction,
        kind=template.kind,
        coalition=template.coalition,
        author=template.author,
        status=Practice.Status.PUBLISHED,
        visibility=Practice.Visibility.PUBLIC,
        published_at=template.published_at,
    )
    practice.save()  # renders and stores the HTML once
    assert practice.body_html
    data = json.loads(out.read_text())
    data["worst"] = {"slug": practice.slug, "shape": name, "render_ms": round(seconds * 1000)}
    out.write_text(json.dumps(data))


# --- The generator: a process of its own, no Django --------------------------------------------


def generate(base: str, data: dict, connections: int, seconds: float) -> dict:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    status_counts: dict[str, int] = {}
    errors: list[str] = []
    worst = data.get("worst", {}).get("slug")

    def visitor(index: int) -> None:
        rng = random.Random(index)
        signed_in = index % 2 == 1
        cookie = f"sessionid={data['sessions'][index % len(data['sessions'])]}" if signed_in else ""
        pages = MEMBER_PAGES if signed_in else ANONYMOUS_PAGES
        conn = http.client.HTTPConnection(host, port, timeout=35)
        mine_lat, mine_status, mine_errors = [], {}, []
        while time.monotonic() < deadline:
            roll = rng.random()
            if worst and roll < 0.1:
                path = f"/practices/{worst}/"
            elif roll < 0.5:
                path = f"/practices/{rng.choice(data['slugs'])}/"
            else:
                path = rng.choice(pages)
            headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
            if cookie:
                headers["Cookie"] = cookie
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                mine_lat.append(time.perf_counter() - started)
                key = f"{response.status // 100}xx"
                mine_status[key] = mine_status.get(key, 0) + 1
                if response.status >= 400:
                    mine_errors.append(f"{response.status} {path}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                mine_errors.append(f"{type(error).__name__} {path}")
                conn.close()
        conn.close()
        with lock:
            latencies.extend(mine_lat)
            for key, count in mine_status.items():
                status_counts[key] = status_counts.get(key, 0) + count
            errors.extend(mine_errors)

    threads = [threading.Thread(target=visitor, args=(i,), daemon=True) for i in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "median": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "status": status_counts,
        "errors": len([e for e in errors if not e[0].isdigit()]),
        "4xx": len([e for e in errors if e[0] == "4"]),
        "5xx": len([e for e in errors if e[0] == "5"]),
        "codes": dict(sorted(collections.Counter(e.split()[0] for e in errors).items())),
        "examples": sorted(set(errors))[:10],
    }


# --- The orchestrator -------------------------------------------------------------------------


def run(cmd: list[str], env: dict, timeout: float) -> None:
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, timeout=timeout)


def wait_for(url: str, timeout: float) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on {url} within {timeout:.0f} s")


def report(label: str, figures: dict) -> str:
    return (
        f"| {label} | {figures['requests']:,} | {figures['rps']:.1f} | {figures['p50']:.0f} | {figures['p95']:.0f} "
        f"| {figures['p99']:.0f} | {figures['errors']} | {figures['4xx']} | {figures['5xx']} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="a server to make its database on (default: a cluster of its own)")
    parser.add_argument("--redis", help="a Redis URL with a database number of its own (default: a Redis of its own)")
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (gthread, 4 threads each)")
    parser.add_argument("--keep", action="store_true", help="keep the database made on --postgres")
    parser.add_argument("--prepare", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--add-worst", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--generate", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    stop_cleanly_on_term()

    if args.prepare:
        prepare(Path(args.prepare), args.practices)
        return 0
    if args.add_worst:
        add_worst_markdown(Path(args.add_worst))
        return 0
    if args.generate:
        figures = generate(args.base, json.loads(Path(args.generate).read_text()), args.connections, args.seconds)
        print(json.dumps(figures))
        return 0

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="srx-load-"))
    os.chmod(workdir, 0o755)  # the cluster's own user reads its folder inside
    data_file = workdir / "data.json"
    closers = []
    name = f"srx_load_{os.getpid()}"
    if args.postgres:
        subprocess.run(["psql", f"{args.postgres}/postgres", "-qc", f"create database {name}"], check=True, timeout=60)
        database_url = f"{args.postgres.rstrip('/')}/{name}"
        if not args.keep:
            closers.append(
                lambda: subprocess.run(
                    ["psql", f"{args.postgres}/postgres", "-qc", f"drop database if exists {name} with (force)"],
                    timeout=60,
                )
            )
    else:
        (workdir / "db").mkdir()
        cluster = Postgres(workdir / "db")
        closers.append(lambda: cluster.stop("immediate"))
        database_url = cluster.url
    if args.redis:
        redis_url = args.redis
    else:
        (workdir / "redis").mkdir()
        redis = Redis(workdir / "redis")
        closers.append(redis.stop)
        redis_url = redis.url
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.urandom(32).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "SITE_URL": base,
        "DJANGO_VAR_DIR": str(workdir / "var"),
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }
    print(f"Load test: {args.practices:,} practices, {args.connections} connections, {args.seconds:.0f} s, {base}")
    print(f"  PostgreSQL {database_url.rsplit('@', 1)[-1]}, Redis {redis_url.rsplit('@', 1)[-1]}")
    gunicorn = None
    try:
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, 300)
        run([PYTHON, __file__, "--prepare", str(data_file), "--practices", str(args.practices)], env, 3600)
        gunicorn_log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 — gunicorn writes it until the end
        gunicorn = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "30",
            ],
            env=env,
            cwd=ROOT,
            stdout=gunicorn_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(base, 60)
        rows = []
        for label in ("main pages", "with one worst-case Markdown practice"):
            if label != "main pages":
                run([PYTHON, __file__, "--add-worst", str(data_file)], env, 600)
            out = subprocess.run(
                [PYTHON, __file__, "--generate", str(data_file), "--base", base]
                + ["--connections", str(args.connections), "--seconds", str(args.seconds)],
                env={k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"},
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
                timeout=args.seconds + 120,
            )
            figures = json.loads(out.stdout)
            rows.append(report(label, figures))
            print(f"  {label}: {figures['status']}, examples of failures: {figures['examples'] or 'none'}")
        worst = json.loads(data_file.read_text()).get("worst", {})
        print()
        print(
            f"Machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
            f"gunicorn {args.workers} workers x 4 threads; {args.practices:,} generated practices + demo data; "
            f"worst case: {worst.get('shape')} ({worst.get('render_ms')} ms to render once, on save)"
        )
        print("| round | requests | req/s | p50 ms | p95 ms | p99 ms | errors | 4xx | 5xx |")
        print("|---|---|---|---|---|---|---|---|---|")
        print("\n".join(rows))
        return 0
    finally:
        if gunicorn is not None:
            stop_process_group(gunicorn)
        for close in reversed(closers):
            try:
                close()
            except Exception as error:  # keep stopping the others
                print(f"stopping a service failed: {error}", file=sys.stderr)
        print(f"(gunicorn log and data in {workdir})")


if __name__ == "__main__":
    sys.exit(main())
