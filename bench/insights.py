"""Times the insights page's figures and the page itself on a database filled by ``seed_scale``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python bench/insights.py --repeats 5

``seed_scale`` names no funding programs, so the first run gives the practices some of the seeded
programs, about two each, chosen by id (one INSERT … SELECT; ``--no-programs`` leaves them out). Then, as a partnership
admin and as a member of a coalition: the aggregate queries uncached (``insights.figures.compute``)
with the default range, a coalition filter and a focus-area filter, and the whole page through the
test client, uncached and from the shared cache. Prints the median and the slowest in milliseconds, and
the page's query count. Reads only (besides the programs). Never part of the test suite.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from coalitions.models import Membership  # noqa: E402
from insights import figures  # noqa: E402
from practices.filters import filter_options  # noqa: E402
from practices.models import FocusArea, Practice  # noqa: E402
from practices.selectors import forget_listed_counts  # noqa: E402


def give_programs() -> int:
    """About two programs per practice, chosen by ids: deterministic, one statement; none if any exist."""
    through = Practice.funding_programs.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {through}")
        if cursor.fetchone()[0]:
            return 0
        cursor.execute(
            f"""INSERT INTO {through} (practice_id, fundingprogram_id)
                SELECT p.id, f.id FROM practices_practice p
                JOIN practices_fundingprogram f ON (p.id + f.id * 7) % 11 IN (0, 3)"""
        )
        return cursor.rowcount


def timed(run, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-programs", action="store_true")
    args = parser.parse_args()
    if not args.no_programs:
        print(f"program links added: {give_programs():,}")
    print(
        f"database: {connection.vendor}, practices: {Practice.objects.count():,}, "
        f"published: {Practice.objects.published().count():,}"
    )
    User = get_user_model()
    # seed_scale makes no partnership admin: an unsaved staff user reads as one (figures only read).
    admin = User.objects.filter(is_staff=True).first() or User(is_staff=True, is_active=True)
    membership = Membership.objects.select_related("user", "coalition").order_by("pk").first()
    area = FocusArea.objects.order_by("pk").first()
    options = filter_options()
    default = figures.Scope.default(timezone.now().date())
    scopes = {
        "default (24 months)": default,
        "one coalition": figures.Scope(start=default.start, end=default.end, coalition=membership.coalition.slug),
        "one focus area": figures.Scope(start=default.start, end=default.end, focus_area=area.slug),
    }
    print("\n| who | figures | median ms | slowest ms |\n|---|---|---|---|")
    for who, user in (("partnership admin", admin), ("member", membership.user)):
        for label, scope in scopes.items():
            median, slowest = timed(lambda u=user, s=scope: figures.compute(u, s, options), args.repeats)
            print(f"| {who} | {label} | {median:.0f} | {slowest:.0f} |")
    client = Client()
    client.force_login(membership.user)

    def page_uncached():
        forget_listed_counts()
        assert client.get("/insights/").status_code == 200

    def page_cached():
        assert client.get("/insights/").status_code == 200

    forget_listed_counts()
    with CaptureQueriesContext(connection) as queries:
        page_uncached()
    print(f"\nmember's page: {len(queries)} queries uncached (cache: {type(cache).__name__})")
    for label, run in (("page, uncached", page_uncached), ("page, from the shared cache", page_cached)):
        median, slowest = timed(run, args.repeats)
        print(f"member, {label}: median {median:.0f} ms, slowest {slowest:.0f} ms")


if __name__ == "__main__":
    main()
