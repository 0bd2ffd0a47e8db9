"""The fail-open cache's pause after a Redis error does not outlast the test that caused it.

A test that points the cache at a closed port (Redis down) makes every later cache call within
``SKIP_SECONDS`` skip Redis: left alone, the next tests in that process would find every cached count
and page missing, and fail their query budgets at random. The two tests run in order, in one process.
"""

import pytest
from django.core.cache import caches

from config import cache as fail_open

pytestmark = pytest.mark.xdist_group("cache-pause")


def test_an_unreachable_redis_pauses_the_cache():
    closed = fail_open.FailOpenRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    assert closed.get("anything", "missed") == "missed"
    assert fail_open._skip_until > 0  # every Redis cache of this process is skipped for a few seconds


@pytest.mark.django_db  # on SQLite the shared cache is a table
def test_the_next_test_finds_the_cache_answering():
    assert fail_open._skip_until == 0.0
    cache = caches["default"]
    cache.set("cache-pause-probe", "kept", 30)
    assert cache.get("cache-pause-probe") == "kept"
