"""Times the digest fan-out and sending, chunk by chunk, on a throwaway database.

    .venv/bin/python bench/notifications_digests.py                      # SQLite, 2,000 members
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srx_notifications \\
        .venv/bin/python bench/notifications_digests.py --members 2000 10000

Creates a test database next to the configured one (``test_<name>``) and, for each ``--members``
count, empties it and fills it with that many members in 20 coalitions (a third follow one or two focus areas),
a week of practices, adoptions and comments, and a few upcoming meetings; then makes every digest
due and runs what the digest tick and the Celery workers would: the fan-out (``dispatch_digests``),
then each chunk of ``NOTIFICATIONS_CHUNK_SIZE`` members twice, once building the digests alone
(``build_digests``) and once sending them for real into Django's in-memory mail backend
(``send_deliveries``: claim, build, render text and HTML, send, mark sent). It prints queries per
chunk (the point: constant, not per member), milliseconds per chunk and per member, and drops the
database. Never part of the test suite: tests do not assert timings.
"""

import argparse
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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
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


def run(members: int) -> None:
    from notifications.digests import build_digests, digest_users
    from notifications.mail import collect_keys, send_deliveries
    from notifications.services import dispatch_digests

    now = timezone.now()
    started = time.perf_counter()
    fill(members, now=now)
    print(f"  filled in {time.perf_counter() - started:.1f} s")

    def fan_out():
        with collect_keys() as keys:
            dispatch_digests(now=now)
        return keys

    keys, elapsed, queries = measure(fan_out)
    print(f"  fan-out (dispatch_digests): {len(keys)} digests, {elapsed:.0f} ms, {queries} queries")

    size = settings.NOTIFICATIONS_CHUNK_SIZE
    chunks = [keys[i : i + size] for i in range(0, len(keys), size)]
    build_ms, build_queries, send_ms, send_queries, sent = [], [], [], [], 0
    for chunk in chunks:
        ids = [int(key.split(":")[1]) for key in chunk]
        _, elapsed, queries = measure(lambda ids=ids: build_digests(list(digest_users(ids)), now=now))
        build_ms.append(elapsed)
        build_queries.append(queries)
        report, elapsed, queries = measure(lambda chunk=chunk: send_deliveries(keys=chunk, now=now))
        send_ms.append(elapsed)
        send_queries.append(queries)
        sent += len(report.sent)
        mail.outbox.clear()

    def line(label, ms, queries):
        per_member = sum(ms) / len(keys)
        print(
            f"  {label:<40} queries/chunk {min(queries)}–{max(queries):<4} "
            f"ms/chunk median {statistics.median(ms):7.1f}   ms/member {per_member:6.2f}"
        )

    print(f"  {len(chunks)} chunks of {size}; {sent} digests sent, {len(keys) - sent} skipped (nothing new)")
    line("build digests (4 queries + users)", build_ms, build_queries)
    line("send_deliveries (claim→render→send→mark)", send_ms, send_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[2000])
    args = parser.parse_args()

    setup_test_environment()  # the in-memory mail backend, like the tests
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{connection.vendor}, chunk size {settings.NOTIFICATIONS_CHUNK_SIZE}:")
        for members in args.members:
            call_command("flush", interactive=False, verbosity=0)  # nothing left over from the last size
            run(members)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
