"""How often practice pages are read, without a database write per view and without storing who read them.

A view of a practice's page adds one to a counter in the shared cache (``count_view``), wherever the page
came from: the decorator ``counts_views`` wraps the view outside ``pagecache.anonymous_page``, so a page
served from the anonymous page cache counts as well. A periodic task (``flush_practice_views``, on beat)
moves the counters into ``PracticeViewCount`` rows, one per practice and month.

With Redis as the shared cache the counters are one hash, field ``<YYYY-MM>:<slug>``: a view is an
``HINCRBY`` (atomic, however many web processes count at once). A flush first ``RENAME``s the hash to a
batch key of its own token, atomically: views counted after that start a new hash, and two workers never
take the same counts. The batch is then added in one transaction that also claims the token
(``ViewCountBatch``, unique) and deleted after commit. A batch left behind by a worker that died is found
by the next flush and added then, unless its token shows it was added already: nothing is lost, and
nothing counted twice.

Without Redis (a development checkout: local memory or the database cache) the counters are one dict
under one cache key, changed under a process lock, taken and added by the same flush. That is exact in
one process (``runserver``) and approximate across several; production runs Redis.
"""

import contextlib
import datetime as dt
import logging
import threading
import uuid
from functools import wraps

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.utils import timezone
from redis.exceptions import RedisError, ResponseError

from .models import Practice, PracticeViewCount, ViewCountBatch

logger = logging.getLogger(__name__)

LIVE_KEY = "practices:views"
BATCH_PREFIX = "practices:views:batch:"
# Tokens of added batches are kept this long: far longer than any batch could be left in the cache.
BATCH_MEMORY = dt.timedelta(days=30)

_lock = threading.Lock()


def _redis():
    """The Redis client behind the shared cache, or None when the cache is not Redis."""
    shared = caches["default"]
    if isinstance(shared, RedisCache):
        return shared._cache.get_client(shared.make_key(LIVE_KEY), write=True)
    return None


def count_view(slug: str, *, now: dt.datetime | None = None) -> None:
    """One more view of the practice ``slug`` this month (UTC). Never fails the page: a cache that cannot be
    reached loses the view and logs why."""
    field = f"{(now or timezone.now()).astimezone(dt.UTC):%Y-%m}:{slug}"
    client = _redis()
    if client is not None:
        try:
            client.hincrby(cache.make_key(LIVE_KEY), field, 1)
        except RedisError:
            logger.warning("Cache unreachable: a view of %s was not counted", slug)
        return
    with _lock:
        counts = cache.get(LIVE_KEY) or {}
        counts[field] = counts.get(field, 0) + 1
        cache.set(LIVE_KEY, counts, None)


def counts_views(view):
    """Count each page the view answers with 200 to a GET, from a cache or not (outermost decorator)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            count_view(kwargs["slug"])
        return response

    return wrapped


def _decode(raw: dict) -> dict[str, int]:
    return {(key.decode() if isinstance(key, bytes) else key): int(value) for key, value in raw.items()}


def flush_practice_views() -> int:
    """Add the views counted in the shared cache to ``PracticeViewCount``; returns how many views were added.
    Safe to run twice, or in two workers at once (see the module's note)."""
    client = _redis()
    if client is None:
        with _lock:
            counts = cache.get(LIVE_KEY) or {}
            cache.delete(LIVE_KEY)
        return _add_batch(uuid.uuid4().hex, counts) if counts else 0
    live = cache.make_key(LIVE_KEY)
    with contextlib.suppress(ResponseError):  # raised when no view came since the last flush (no hash)
        client.rename(live, cache.make_key(BATCH_PREFIX + uuid.uuid4().hex))
    added = 0
    prefix = cache.make_key(BATCH_PREFIX)
    for key in client.scan_iter(match=f"{prefix}*"):
        key = key.decode()
        counts = _decode(client.hgetall(key))
        try:
            added += _add_batch(key[len(prefix) :], counts)
        except IntegrityError:
            # Another flush created a month's row for one of these practices at the same moment: the batch
            # stays in the cache and the next flush adds it.
            logger.info("View batch %s left for the next flush", key)
            continue
        client.delete(key)
    ViewCountBatch.objects.filter(applied__lt=timezone.now() - BATCH_MEMORY).delete()
    return added


def add_views(*, token: str, counts: dict[str, int]) -> int:
    """Add views counted elsewhere (``{"<YYYY-MM>:<slug>": n}``) once under ``token``: the demo's history."""
    return _add_batch(token, counts)


def _add_batch(token: str, counts: dict[str, int]) -> int:
    """Add one batch, once: the token is claimed in the same transaction (a second attempt adds nothing)."""
    by_slug: dict[str, dict[dt.date, int]] = {}
    for field, n in counts.items():
        month, slug = field.split(":", 1)
        day = dt.date(int(month[:4]), int(month[5:7]), 1)
        by_slug.setdefault(slug, {})
        by_slug[slug][day] = by_slug[slug].get(day, 0) + n
    with transaction.atomic():
        try:
            with transaction.atomic():
                ViewCountBatch.objects.create(token=token)
        except IntegrityError:
            return 0  # added already (its worker died before deleting it from the cache)
        ids = dict(Practice.objects.filter(slug__in=by_slug).values_list("slug", "pk"))
        wanted = {
            (ids[slug], month): n for slug, months in by_slug.items() if slug in ids for month, n in months.items()
        }
        if not wanted:
            return 0
        practice_ids = {practice_id for practice_id, _ in wanted}
        existing = {
            (row.practice_id, row.month): row
            for row in PracticeViewCount.objects.select_for_update().filter(
                practice_id__in=practice_ids, month__in={month for _, month in wanted}
            )
        }
        changed, created = [], []
        for (practice_id, month), n in wanted.items():
            row = existing.get((practice_id, month))
            if row is None:
                created.append(PracticeViewCount(practice_id=practice_id, month=month, views=n))
            else:
                row.views += n
                changed.append(row)
        PracticeViewCount.objects.bulk_update(changed, ["views"])
        PracticeViewCount.objects.bulk_create(created)
        return sum(wanted.values())
