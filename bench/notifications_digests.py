"""Times a digest run as the workers do it, chunk by chunk, on a throwaway database.

    .venv/bin/python bench/notifications_digests.py                      # SQLite, 2,000 members
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srx_notifications \\
        .venv/bin/python bench/notifications_digests.py --members 1000 50000 [--workers 2] [--sample 10] [--reminders]

Creates a test database next to the configured one (``test_<name>``) and, for each ``--members``
count, empties it and fills it with that many members in 20 coalitions (a third follow one or two
focus areas), a week of practices, adoptions and comments, and a few upcoming meetings, every
member due. Then it runs what the beat's tick and the Celery workers would: the tick picks the due
members (``due_digest_members``) and, for each chunk of ``NOTIFICATIONS_CHUNK_SIZE``, a worker
fans it out (``dispatch_digest_chunk``) and sends it into Django's in-memory mail backend
(``send_deliveries``: claim, build, render text and HTML, send, mark). ``--workers 2`` deals the
chunks to two forked processes (PostgreSQL); ``--sample N`` sends only N chunks spread over the
run (the per-digest cost at that member count, in a fraction of the time). It prints queries per
chunk (the point: constant, not per member), milliseconds per chunk and per member, digests per
second per worker by the clock and by the worker's own CPU time (the figure to compare on a shared
machine: the clock counts the time spent waiting for a core), how many digests were rendered in
full (once per distinct content in a chunk), and drops the database. ``--reminders`` then times a
day-before reminder to every member: the tick's hand-out, and the first chunks written and sent.
Never part of the test suite: tests do not assert timings.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

COALITIONS = 20
ZONES = ["America/Denver", "America/Chicago", "America/New_York", "America/Phoenix", "America/Los_Angeles"]
WORDS = [
    "sensor",
    "network",
    "pilot",
    "broadband",
    "ransomware",
    "curb",
    "heat",
    "water",
    "meter",
    "fleet",
    "transit",
    "signal",
    "data",
    "vendor",
]


def fill(members: int, *, now) -> None:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from coalitions.models import Coalition, Membership, Profile
    from meetings.models import Meeting
    from notifications.models import Preference
    from practices.models import Adoption, Comment, FocusArea, FocusAreaItem, Practice, PracticeKind

    rng = random.Random(2026)
    User = get_user_model()
    coalitions = Coalition.objects.bulk_create(
        Coalition(name=f"Coalition {i}", slug=f"coalition-{i}", short_name=f"C{i}", region="US", time_zone=ZONES[i % 5])
        for i in range(COALITIONS)
    )
    users = User.objects.bulk_create(
        User(username=f"member{i}", email=f"member{i}@example.org", password="!", date_joined=now - timedelta(days=400))
        for i in range(members)
    )
    EmailAddress.objects.bulk_create(EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users)
    Profile.objects.bulk_create(Profile(user=u, full_name=f"Member {u.pk}") for u in users)
    home = {u.pk: coalitions[i % COALITIONS] for i, u in enumerate(users)}
    Membership.objects.bulk_create(
        Membership(user=u, coalition=home[u.pk], joined=now - timedelta(days=365)) for u in users
    )
    preferences = Preference.objects.bulk_create(
        Preference(user=u, next_digest_at=now - timedelta(minutes=1)) for u in users
    )
    areas = list(FocusArea.objects.all()) or [
        FocusArea.objects.create(name=name.title(), slug=name) for name in ("cybersecurity", "sustainability")
    ]
    Through = Preference.focus_areas.through
    Through.objects.bulk_create(
        Through(preference_id=p.pk, focusarea_id=area.pk)
        for p in preferences[::3]
        for area in rng.sample(areas, min(2, len(areas)))
    )

    kind = PracticeKind.objects.first() or PracticeKind.objects.create(name="Case study", slug="case-study")
    authors = rng.sample(users, max(members // 20, 10))
    practices = Practice.objects.bulk_create(
        Practice(
            title=" ".join(rng.sample(WORDS, 4)).capitalize(),
            slug=f"bench-{i}",
            summary=" ".join(rng.choices(WORDS, k=40)),
            body="…",
            kind=kind,
            coalition=home[author.pk],
            author=author,
            status=Practice.Status.PUBLISHED,
            published_at=now - timedelta(hours=rng.randint(1, 24 * 6)),
        )
        for i, author in enumerate(authors)
    )
    FocusAreaItem.objects.bulk_create(
        FocusAreaItem(content_object=p, tag=area) for p in practices for area in rng.sample(areas, 1)
    )
    pairs = {(rng.choice(practices).pk, rng.choice(coalitions).pk) for _ in range(len(practices))}
    Adoption.objects.bulk_create(
        Adoption(practice_id=p, coalition_id=c, created=now - timedelta(hours=rng.randint(1, 24 * 6))) for p, c in pairs
    )
    Comment.objects.bulk_create(
        Comment(
            practice=rng.choice(practices),
            author=rng.choice(users),
            body=" ".join(rng.choices(WORDS, k=30)),
            created=now - timedelta(hours=rng.randint(1, 24 * 6)),
        )
        for _ in range(members // 5)
    )
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Monthly call {i}",
            start=now + timedelta(days=3 + 7 * i),
            end=now + timedelta(days=3 + 7 * i, hours=1),
            time_zone="America/Denver",
        )
        for i in range(3)
    )
    print(
        f"  {members} members, {len(practices)} practices, {len(pairs)} adoptions, {members // 5} comments "
        f"in the last week"
    )


def measure(fn):
    connection.queries_log.clear()  # the log keeps 9,000 queries: a full log would count none
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - start) * 1000
    return result, elapsed, len(queries)


def work(chunks: list[list[int]], *, now, run: str) -> dict:
    """What the workers do for a digest run, chunk after chunk: the chunk's fan-out task
    (``dispatch_digest_chunk``) then its sending task (``send_deliveries``). Returns the figures."""
    from notifications import mail as road
    from notifications.mail import send_deliveries
    from notifications.outbox import collect_keys
    from notifications.services import dispatch_digest_chunk

    figures = {"fan_ms": [], "fan_q": [], "send_ms": [], "send_q": [], "sent": 0, "skipped": 0, "rendered": 0}
    render_parts = road._render_parts

    def counted(*args, **kwargs):  # emails rendered in full: once per distinct content of a chunk
        figures["rendered"] += 1
        return render_parts(*args, **kwargs)

    road._render_parts = counted
    cpu = time.process_time()
    for ids in chunks:
        with collect_keys() as keys:
            _, elapsed, queries = measure(lambda ids=ids: dispatch_digest_chunk(user_ids=ids, now=now, run=run))
        figures["fan_ms"].append(elapsed)
        figures["fan_q"].append(queries)
        report, elapsed, queries = measure(lambda keys=keys: send_deliveries(keys=keys, now=now))
        figures["send_ms"].append(elapsed)
        figures["send_q"].append(queries)
        figures["sent"] += len(report.sent)
        figures["skipped"] += len(report.skipped)
        mail.outbox.clear()
    # This worker's own CPU time: what the load of the other processes on the machine does not inflate
    # much (the database server's time is its own process's, not counted here).
    figures["cpu_s"] = time.process_time() - cpu
    road._render_parts = render_parts
    return figures


def in_workers(chunks: list[list[int]], *, now, run: str, workers: int) -> list[dict]:
    """``work`` in ``workers`` forked processes (own database connections), chunks dealt round-robin."""
    connection.close()  # each child opens its own
    children = []
    for index in range(workers):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                figures = work(chunks[index::workers], now=now, run=run)
                os.write(write, json.dumps(figures).encode())
            finally:
                os._exit(0)
        os.close(write)
        children.append((pid, read))
    results = []
    for pid, read in children:
        with os.fdopen(read) as pipe:
            results.append(json.loads(pipe.read()))
        os.waitpid(pid, 0)
    return results


def run(members: int, workers: int, sample: int | None) -> None:
    from notifications.models import Delivery
    from notifications.services import due_digest_members, new_digest_run

    now = timezone.now()
    started = time.perf_counter()
    fill(members, now=now)
    print(f"  filled in {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.1f}")

    # The beat's tick: pick the due members (one query), deal them out in chunks.
    due, tick_ms, tick_queries = measure(lambda: due_digest_members(now=now))
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    chunks = [due[i : i + size] for i in range(0, len(due), size)]
    print(f"  tick: {len(due)} due in {tick_ms:.0f} ms ({tick_queries} queries), {len(chunks)} chunks of {size}")
    if sample:
        # Evenly spread over the run: members at its start, middle and end.
        chunks = chunks[:: max(len(chunks) // sample, 1)][:sample]
        due = [member for chunk in chunks for member in chunk]
        print(f"  sending a sample of {len(chunks)} chunks spread over the run ({len(due)} digests)")
    run_id = new_digest_run()

    started = time.perf_counter()
    if workers == 1:
        results = [work(chunks, now=now, run=run_id)]
    else:
        results = in_workers(chunks, now=now, run=run_id, workers=workers)
    wall = time.perf_counter() - started
    load = os.getloadavg()[0]

    def merged(name):
        return [value for figures in results for value in figures[name]]

    def line(label, ms, queries):
        print(
            f"  {label:<36} queries/chunk {min(queries)}–{max(queries):<4} "
            f"ms/chunk median {statistics.median(ms):7.1f}   ms/member {sum(ms) / len(due):6.2f}"
        )

    sent = sum(figures["sent"] for figures in results)
    skipped = sum(figures["skipped"] for figures in results)
    line("fan-out chunk (dispatch_digest_chunk)", merged("fan_ms"), merged("fan_q"))
    line("send chunk (claim→build→send→mark)", merged("send_ms"), merged("send_q"))
    first = merged("fan_ms")[0] + merged("send_ms")[0]
    print(f"  first chunk sent {(tick_ms + first) / 1000:.2f} s after the tick began")
    cpu = sum(figures["cpu_s"] for figures in results)
    rendered = sum(figures["rendered"] for figures in results)
    print(f"  {rendered} digests rendered in full for {sent} sent (the rest differ only by their unsubscribe link)")
    print(
        f"  worker CPU {cpu * 1000 / len(due):.2f} ms per digest (fan-out and send): "
        f"{len(due) / cpu:.0f} digests per CPU-second of a worker; "
        f"by the clock {len(due) / wall / workers:.0f} per second per worker"
    )
    rows = Delivery.objects.filter(kind=Delivery.Kind.DIGEST, user_id__in=due)
    print(
        f"  {workers} worker(s): {sent} digests sent, {skipped} skipped (nothing new) in {wall:.1f} s: "
        f"{sent / wall:.0f} digests/s in all, {sent / wall / workers:.0f} per worker "
        f"(fan-out included; load average {load:.1f}); rows {rows.count()}, sent {rows.filter(status='sent').count()}"
    )


def reminders(members: int) -> None:
    """A meeting every member is invited to, its day-before reminder due: how soon the first chunk is sent.

    The tick (``dispatch_reminders`` with the chunks handed out, as the beat's tick does) picks the
    recipients and writes the marker; a worker then writes and sends the first chunk."""
    from meetings.models import Meeting
    from notifications.mail import send_deliveries
    from notifications.models import Delivery, Dispatch
    from notifications.outbox import collect_keys
    from notifications.services import dispatch_reminder_chunk, dispatch_reminders

    now = timezone.now()
    Meeting.objects.create(
        title="All-hands",
        start=now + timedelta(days=1, minutes=-1),
        end=now + timedelta(days=1, minutes=59),
        time_zone="America/Denver",
    )
    handed = []
    started = time.perf_counter()
    cpu = time.process_time()
    _, tick_ms, tick_queries = measure(lambda: dispatch_reminders(now=now, hand_out=handed.extend))
    tick_cpu = time.process_time() - cpu
    rows = sum(len(chunk.user_ids) for chunk in handed)
    written = Delivery.objects.filter(kind=Delivery.Kind.REMINDER).count()
    print(
        f"  reminder tick: {rows} recipients in {len(handed)} chunks handed out in {tick_ms:.0f} ms "
        f"({tick_cpu * 1000:.0f} ms CPU, {tick_queries} queries, {written} rows written by the tick)"
    )
    counts, sent = [], 0
    for chunk in handed[:3]:
        cpu = time.process_time()
        with collect_keys() as keys:
            _, fan_ms, fan_queries = measure(lambda chunk=chunk: dispatch_reminder_chunk(chunk=chunk, now=now))
        report, send_ms, send_queries = measure(lambda keys=keys: send_deliveries(keys=keys, now=now))
        counts.append((fan_queries, send_queries, fan_ms, send_ms, time.process_time() - cpu))
        sent += len(report.sent)
        if len(counts) == 1:
            first = time.perf_counter() - started
        mail.outbox.clear()
    for fan_queries, send_queries, fan_ms, send_ms, chunk_cpu in counts:
        print(
            f"  reminder chunk: write {fan_queries} queries {fan_ms:.0f} ms, send {send_queries} queries "
            f"{send_ms:.0f} ms, {chunk_cpu * 1000:.0f} ms CPU"
        )
    print(
        f"  first reminders sent {first:.2f} s after the tick began; {sent} sent in {len(counts)} chunks; "
        f"marker {Dispatch.objects.count()}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[2000])
    parser.add_argument("--workers", type=int, default=1, help="forked worker processes (PostgreSQL only above 1)")
    parser.add_argument("--sample", type=int, metavar="CHUNKS", help="send only this many chunks of each run")
    parser.add_argument(
        "--reminders", action="store_true", help="then time a reminder's fan-out to every member (first chunks)"
    )
    args = parser.parse_args()

    # The in-memory backend, as the tests use; no query log beyond what ``measure`` captures.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEBUG = False
    mail.outbox = []
    if args.workers > 1 and connection.vendor != "postgresql":
        parser.error("--workers above 1 needs PostgreSQL (the SQLite test database lives in one process's memory)")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{connection.vendor}, chunk size {settings.NOTIFICATIONS_CHUNK_SIZE}, {os.cpu_count()} cores:")
        for members in args.members:
            call_command("flush", interactive=False, verbosity=0)  # nothing left over from the last size
            run(members, args.workers, args.sample)
            if args.reminders:
                reminders(members)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
