"""Times the practice list, search and "similar practices" queries on a throwaway database.

    .venv/bin/python bench/practices_search.py            # SQLite, 2,000 practices
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srx_practices \\
        .venv/bin/python bench/practices_search.py --practices 5000 --repeats 30

Creates a test database next to the configured one (``test_<name>``), fills it, runs each query
``--repeats`` times as an anonymous visitor and as a member, prints the median and 95th percentile
in milliseconds, and drops the database. Never part of the test suite: tests do not assert timings.
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

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

WORDS = [
    "sensor",
    "network",
    "pilot",
    "broadband",
    "mapping",
    "ransomware",
    "incident",
    "response",
    "retainer",
    "curb",
    "management",
    "loading",
    "zone",
    "heat",
    "resilience",
    "water",
    "meter",
    "leak",
    "fleet",
    "electric",
    "vehicle",
    "charging",
    "transit",
    "signal",
    "priority",
    "open",
    "data",
    "privacy",
    "procurement",
    "vendor",
    "evaluation",
    "playbook",
    "streetlight",
    "energy",
    "savings",
    "flood",
    "alert",
    "air",
    "quality",
    "digital",
    "inclusion",
    "navigator",
    "hotspot",
    "fiber",
    "interlocal",
    "wireless",
    "rural",
]


def fill(n: int):
    from taggit.models import Tag

    from coalitions.models import Coalition, Membership
    from practices.models import FocusArea, FocusAreaItem, Practice, PracticeKind, TaggedPractice
    from practices.services import update_search_vectors
    from tests.factories import UserFactory

    rng = random.Random(2026)
    coalitions = [
        Coalition.objects.create(name=f"Coalition {i}", slug=f"coalition-{i}", short_name=f"C{i}", region="US")
        for i in range(6)
    ]
    member = UserFactory(email="bench@example.org")
    Membership.objects.create(user=member, coalition=coalitions[0])
    areas = list(FocusArea.objects.all()) or [
        FocusArea.objects.create(name=name.title(), slug=name)
        for name in ("cybersecurity", "sustainability", "transportation", "connectivity")
    ]
    kinds = list(PracticeKind.objects.all()) or [PracticeKind.objects.create(name="Case study", slug="case-study")]
    tags = [Tag.objects.create(name=f"{w} {i}", slug=f"{w}-{i}") for i, w in enumerate(WORDS)]
    now = timezone.now()
    practices = Practice.objects.bulk_create(
        Practice(
            title=" ".join(rng.sample(WORDS, 5)).capitalize(),
            slug=f"bench-{i}",
            summary=" ".join(rng.choices(WORDS, k=40)),
            body=" ".join(rng.choices(WORDS, k=400)),
            jurisdiction=f"City {i % 50}",
            kind=rng.choice(kinds),
            coalition=rng.choice(coalitions),
            author=member,
            status=Practice.Status.PUBLISHED,
            visibility=rng.choice(Practice.Visibility.values),
            published_at=now,
        )
        for i in range(n)
    )
    FocusAreaItem.objects.bulk_create(
        FocusAreaItem(content_object=p, tag=area) for p in practices for area in rng.sample(areas, 2)
    )
    TaggedPractice.objects.bulk_create(
        TaggedPractice(content_object=p, tag=tag) for p in practices for tag in rng.sample(tags, 3)
    )
    update_search_vectors(practice_ids=[p.pk for p in practices])
    return member, areas


def timed(label, fn, repeats):
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"  {label:<44} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from practices.models import Practice

        started = time.perf_counter()
        member, areas = fill(args.practices)
        print(f"{connection.vendor}: {args.practices} practices created in {time.perf_counter() - started:.1f} s")
        area_ids = [areas[0].pk]
        for who, user in (("anonymous", AnonymousUser()), ("member", member)):
            print(f"{who}:")

            def page(qs):
                return list(qs.order_by("-published_at", "-pk")[:50])

            listed = Practice.objects.published().visible_to(user).for_list()
            timed("list, first page of 50", lambda listed=listed: page(listed), args.repeats)
            timed("list, one focus area", lambda listed=listed: page(listed.in_focus_area(areas[1].slug)), args.repeats)
            timed(
                "search 'ransomware incident'",
                lambda listed=listed: list(listed.search("ransomware incident")[:50]),
                args.repeats,
            )
            timed(
                "search count 'pilot -fiber'", lambda listed=listed: listed.search("pilot -fiber").count(), args.repeats
            )
            visible = Practice.objects.published().visible_to(user)
            timed(
                "similar_to('Broadband mapping pilot')",
                lambda visible=visible: list(visible.similar_to("Broadband mapping pilot", area_ids)[:5]),
                args.repeats,
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
