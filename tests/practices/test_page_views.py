"""Practice page views: counted in the shared cache (pages served from the anonymous page cache too),
never a database write per view, added to monthly counts by a flush that counts each view once however
often it runs."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from practices import pageviews
from practices.models import Practice, PracticeViewCount, ViewCountBatch
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def public_practice(coalition):
    return PracticeFactory(title="Curb sensors", slug="curb-sensors", coalition=coalition,
                           visibility=Practice.Visibility.PUBLIC)  # fmt: skip


def counts() -> dict[tuple[str, str], int]:
    return {
        (row.practice.slug, f"{row.month:%Y-%m}"): row.views
        for row in PracticeViewCount.objects.select_related("practice")
    }


def test_views_are_counted_in_the_cache_without_touching_a_table(client, public_practice, django_assert_num_queries):
    client.get(public_practice.get_absolute_url())  # the first visit renders and stores the page
    with django_assert_num_queries(0):  # the next come from the page cache, and are counted all the same
        for _ in range(3):
            assert client.get(public_practice.get_absolute_url()).status_code == 200
    assert PracticeViewCount.objects.count() == 0
    assert pageviews.flush_practice_views() == 4
    assert counts() == {("curb-sensors", timezone_month()): 4}


def timezone_month() -> str:
    return f"{timezone.now():%Y-%m}"


def test_signed_in_views_count_too_and_refusals_do_not(member_client, client, coalition):
    members_only = PracticeFactory(slug="members-only", coalition=coalition)
    assert member_client.get(members_only.get_absolute_url()).status_code == 200
    assert client.get(members_only.get_absolute_url()).status_code == 302  # to log in: not a view
    assert client.get("/practices/no-such-practice/").status_code == 404
    pageviews.flush_practice_views()
    assert counts() == {("members-only", timezone_month()): 1}


def test_a_flush_twice_adds_each_view_once(public_practice):
    for _ in range(2):
        pageviews.count_view("curb-sensors", now=NOW)
    pageviews.count_view("curb-sensors", now=NOW - dt.timedelta(days=30))
    assert pageviews.flush_practice_views() == 3
    assert pageviews.flush_practice_views() == 0
    pageviews.count_view("curb-sensors", now=NOW)
    assert pageviews.flush_practice_views() == 1
    assert counts() == {("curb-sensors", "2026-06"): 3, ("curb-sensors", "2026-05"): 1}


def test_a_batch_is_added_once_even_when_its_flush_is_retried(public_practice):
    # A worker that died after adding a batch, before deleting it: the batch is offered again.
    assert pageviews._add_batch("token-1", {"2026-06:curb-sensors": 5}) == 5
    assert pageviews._add_batch("token-1", {"2026-06:curb-sensors": 5}) == 0
    assert counts() == {("curb-sensors", "2026-06"): 5}
    assert ViewCountBatch.objects.filter(token="token-1").exists()


def test_views_of_a_practice_deleted_before_the_flush_are_dropped(public_practice, coalition):
    pageviews.count_view("gone", now=NOW)
    pageviews.count_view("curb-sensors", now=NOW)
    assert pageviews.flush_practice_views() == 1


@pytest.mark.skipif(not isinstance(caches["default"], RedisCache), reason="Redis: a batch left by a dead worker")
def test_with_redis_a_batch_left_behind_is_added_by_the_next_flush_once(public_practice):
    client = pageviews._redis()
    left = cache.make_key(pageviews.BATCH_PREFIX + "left-behind")
    client.hset(left, "2026-06:curb-sensors", 7)
    pageviews.count_view("curb-sensors", now=NOW)
    assert pageviews.flush_practice_views() == 8
    client.hset(left, "2026-06:curb-sensors", 7)  # as if its worker died after commit, before deleting it
    assert pageviews.flush_practice_views() == 0
    assert counts() == {("curb-sensors", "2026-06"): 8}


def test_the_beat_task_flushes(public_practice):
    from practices.tasks import flush_practice_views

    with time_machine.travel(NOW, tick=False):
        pageviews.count_view("curb-sensors")
        assert flush_practice_views.delay().get() == 1
    assert counts() == {("curb-sensors", "2026-06"): 1}
