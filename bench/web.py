"""Every main page against the framework floor, at scale: gunicorn (2 workers) on PostgreSQL, wrk on loopback.

    .venv/bin/python manage.py seed_scale                       # once: 100,000 practices (see README)
    .venv/bin/python bench/web.py --database-url postgres://postgres@127.0.0.1:5432/srx_scale
    .venv/bin/python bench/web.py --database-url ... --compare postgres://...@.../srx_scale10k   # growth

For each page, anonymous and signed in: requests/s with ``--connections`` (16) for ``--seconds``, then
p50/p95/p99 at one connection, and the throughput as a share of the floor's (``/bench/floor/``: one
query, a few bytes; mounted by the BENCH_FLOOR_VIEW setting) measured in the same run, beside the JSON
API detail (the cheapest real page). The load average is printed with every row: the machine is shared.
Needs ``wrk`` (Debian: ``apt-get install -y wrk``). With ``--compare``, the same pages are measured on a
second database (e.g. 10,000 practices) right after, and a growth table put side by side.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "seconds": %.3f, "errors": %d, "bad_status": %d, '
    .. '"p50": %.2f, "p95": %.2f, "p99": %.2f}\\n', summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django(database_url: str, redis_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    # The member's session carries a hash keyed by the secret key: the server must use the one this
    # process signs with, or it drops the session and every "member" row measures an anonymous visit.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def pages_and_session(deep_share: float) -> tuple[dict[str, str], str, dict]:
    """The URLs to measure (found in the data) and a signed-in member's session cookie."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count

    from coalitions.models import Membership
    from meetings.models import Meeting
    from practices.filters import listed_practices
    from practices.models import Practice, TaggedPractice
    from practices.pagination import _encode

    public = Practice.objects.published().filter(visibility=Practice.Visibility.PUBLIC).order_by("pk")
    total = Practice.objects.count()
    practice = public[total // 3]
    meeting = Meeting.objects.upcoming().not_cancelled().filter(agenda_items__isnull=False).first()
    # A long-tail name used as a tag by one practice: a word in only a few practices' text.
    rare = (
        TaggedPractice.objects.filter(tag__name__regex=r"^[a-z]+$")
        .values("tag__name")
        .annotate(n=Count("pk"))
        .filter(n=1)
        .order_by("tag__name")
        .values_list("tag__name", flat=True)
        .first()
    )
    filters = "focus_area=transportation&maturity=pilot"
    listed = listed_practices(AnonymousUser()).in_focus_area("transportation").filter(maturity="pilot")
    listed = listed.order_by("-published_at", "-pk")
    depth = int(listed.count() * deep_share)
    row = listed.values("published_at", "pk")[depth]
    cursor = _encode([row["published_at"], row["pk"]])
    pages = {
        "floor (one query)": "/bench/floor/",
        "API detail": f"/practices/api/{practice.slug}/",
        "home": "/",
        "list, 2 filters, page 1": f"/practices/?{filters}",
        f"list, 2 filters, deep (row {depth:,})": f"/practices/?{filters}&after={cursor}",
        'search, common word ("city")': "/practices/?q=city",
        f'search, rare word ("{rare}")': f"/practices/?q={rare}",
        "practice detail": practice.get_absolute_url(),
        "focus-area index": "/practices/focus/",
        "meetings list": "/meetings/",
        "meeting page": meeting.get_absolute_url(),
        "API list": "/practices/api/",
    }
    member = Membership.objects.select_related("user").order_by("pk")[100].user
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.save()
    sizes = {
        "practices": total,
        "members": Membership.objects.count(),
        "meetings": Meeting.objects.count(),
        "database": settings.DATABASES["default"]["NAME"],
    }
    return pages, f"{settings.SESSION_COOKIE_NAME}={store.session_key}", sizes


def start_gunicorn(database_url: str, redis_url: str, port: int, workers: int) -> subprocess.Popen:
    """gunicorn in production settings; its log goes to var/bench-web-gunicorn.log."""
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "bench-web-gunicorn.log", "a")  # noqa: SIM115 — the server's, for its lifetime
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_FLOOR_VIEW": "1",
        "LOG_LEVEL": "WARNING",
    }
    # Production settings serve static files from collectstatic's manifest.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(120):
        try:
            check(port, "/bench/floor/", None)
            return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    sys.exit("gunicorn did not answer within a minute")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front would say; else the SSL redirect answers


def check(port: int, path: str, cookie: str | None) -> tuple[int, int]:
    status, body = fetch(port, path, cookie)
    return status, len(body)


def fetch(port: int, path: str, cookie: str | None) -> tuple[int, bytes]:
    headers = dict(HEADERS, **({"Cookie": cookie} if cookie else {}))
    with urlopen(Request(f"http://127.0.0.1:{port}{path}", headers=headers), timeout=60) as response:  # noqa: S310
        return response.status, response.read()


def wrk(port: int, path: str, cookie: str | None, *, connections: int, seconds: float, script: str) -> dict:
    command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{round(seconds)}s",
               "--timeout", "10s", "-s", script, "-H", "X-Forwarded-Proto: https"]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    result["load"] = os.getloadavg()[0]
    return result


def measure(args, database_url: str) -> dict:
    setup_django(database_url, args.redis_url)
    from django.core.cache import cache
    from django.db import connections

    # Start from an empty shared cache: what another database's run kept there (the same paths, the same
    # generations) would otherwise answer for this one.
    cache.clear()

    pages, cookie, sizes = pages_and_session(args.deep_share)
    connections.close_all()
    port = free_port()
    server = start_gunicorn(database_url, args.redis_url, port, args.workers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    rows = {}
    try:
        if b"Log out" not in fetch(port, "/", cookie)[1]:
            sys.exit("The member's session is not signed in on the server: the member rows would be anonymous.")
        for audience, who in (("anonymous", None), ("member", cookie)):
            for name, path in pages.items():
                for _ in range(2):  # warm: each worker's first request and the shared cache
                    status, size = check(port, path, who)
                if status != 200:
                    sys.exit(f"{name} ({audience}) answered {status}")
                many = wrk(port, path, who, connections=args.connections, seconds=args.seconds, script=script.name)
                one = wrk(port, path, who, connections=1, seconds=args.one_seconds, script=script.name)
                rows[(audience, name)] = {"many": many, "one": one, "bytes": size}
                print(
                    f"  {sizes['practices']:>7,} {audience:9} {name:40} {many['rps']:7.1f} req/s  "
                    f"p50 {one['p50']:6.1f}  p95 {one['p95']:6.1f}  p99 {one['p99']:6.1f} ms  "
                    f"errors {many['errors'] + many['bad_status']}  load {many['load']:.1f}",
                    flush=True,
                )
    finally:
        stop(server)
        os.unlink(script.name)
    return {"sizes": sizes, "pages": list(pages), "rows": rows}


def table(run: dict) -> str:
    lines = [
        "| who | page | req/s (16 conn.) | share of floor | p50 / p95 / p99 ms (1 conn.) | errors | load avg |",
        "|---|---|---|---|---|---|---|",
    ]
    for audience in ("anonymous", "member"):
        floor = run["rows"][(audience, "floor (one query)")]["many"]["rps"]
        for name in run["pages"]:
            row = run["rows"][(audience, name)]
            many, one = row["many"], row["one"]
            lines.append(
                f"| {audience} | {name} | {many['rps']:.1f} | {100 * many['rps'] / floor:.0f}% | "
                f"{one['p50']:.1f} / {one['p95']:.1f} / {one['p99']:.1f} | {many['errors'] + many['bad_status']} | "
                f"{many['load']:.1f} |"
            )
    return "\n".join(lines)


def growth(small: dict, large: dict) -> str:
    lines = [
        f"| who | page | p50 ms at {small['sizes']['practices']:,} | p50 ms at {large['sizes']['practices']:,} | "
        "growth | share of floor (small / large) |",
        "|---|---|---|---|---|---|",
    ]
    for audience in ("anonymous", "member"):
        floors = [run["rows"][(audience, "floor (one query)")]["many"]["rps"] for run in (small, large)]
        for name_small, name_large in zip(small["pages"], large["pages"], strict=True):
            a, b = small["rows"][(audience, name_small)], large["rows"][(audience, name_large)]
            lines.append(
                f"| {audience} | {name_large} | {a['one']['p50']:.1f} | {b['one']['p50']:.1f} | "
                f"{b['one']['p50'] / a['one']['p50']:.2f}× | "
                f"{100 * a['many']['rps'] / floors[0]:.0f}% / {100 * b['many']['rps'] / floors[1]:.0f}% |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/srx_scale")
    parser.add_argument("--compare", help="a second database (e.g. 10,000 practices) measured the same way")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--one-seconds", type=float, default=5)
    parser.add_argument("--deep-share", type=float, default=0.8, help="how deep the deep page is (0-1)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install -y wrk)")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at start", flush=True)
    if args.compare:  # one process per database: Django connects once
        small = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--json", "--database-url", args.compare, "--redis-url", args.redis_url,
                 "--workers", str(args.workers), "--connections", str(args.connections), "--seconds", str(args.seconds),
                 "--one-seconds", str(args.one_seconds), "--deep-share", str(args.deep_share)],
                stdout=subprocess.PIPE, text=True, check=True,  # its errors and progress show as they come
            ).stdout.splitlines()[-1]
        )  # fmt: skip
        small["rows"] = {tuple(k.split("|", 1)): v for k, v in small["rows"].items()}
    large = measure(args, args.database_url)
    print(f"\n{large['sizes']}\n\n{table(large)}")
    if args.compare:
        print(f"\n{small['sizes']}\n\n{table(small)}\n\n{growth(small, large)}")


def main_json():
    parser = argparse.ArgumentParser()
    for name in ("--database-url", "--redis-url", "--workers", "--connections", "--seconds", "--one-seconds"):
        parser.add_argument(name)
    parser.add_argument("--deep-share", type=float)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.workers, args.connections = int(args.workers), int(args.connections)
    args.seconds, args.one_seconds = float(args.seconds), float(args.one_seconds)
    run = measure(args, args.database_url)
    run["rows"] = {"|".join(k): v for k, v in run["rows"].items()}
    print(json.dumps(run))


if __name__ == "__main__":
    main_json() if "--json" in sys.argv else main()
