"""A Redis cache whose outage counts as an empty cache, not as a server error.

The cache holds allauth's login and signup throttles (nothing else here keeps state in it). When
Redis cannot be reached, Django's RedisCache raises from every call, and each sign-in becomes a
500; worse, a cache that only returned "not stored" would make allauth's throttle lock wait and
then refuse everyone. So every call that fails is logged and answered as an empty, writable cache
would answer it: reads miss, writes and ``add`` report success. Throttles therefore fail open while
Redis is down, and the log says so. After a failure the cache is skipped for a few seconds, so a
Redis that times out costs one timeout, not one per call of every request.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

SKIP_SECONDS = 5.0

_skip_until = 0.0  # monotonic time before which calls do not try Redis at all


def _fail_open(answer):
    """Wrap a cache method: on a Redis error, log it and return ``answer(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            global _skip_until
            if time.monotonic() < _skip_until:
                return answer(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError:
                _skip_until = time.monotonic() + SKIP_SECONDS
                logger.exception("Cache unreachable: %s failed; throttles are off until it answers", method.__name__)
                return answer(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


class FailOpenRedisCache(RedisCache):
    add = _fail_open(lambda *args, **kwargs: True)(RedisCache.add)
    get = _fail_open(_default)(RedisCache.get)
    set = _fail_open(lambda *args, **kwargs: None)(RedisCache.set)
    touch = _fail_open(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _fail_open(lambda *args, **kwargs: False)(RedisCache.delete)
    has_key = _fail_open(lambda *args, **kwargs: False)(RedisCache.has_key)
    get_many = _fail_open(lambda *args, **kwargs: {})(RedisCache.get_many)
    set_many = _fail_open(lambda *args, **kwargs: [])(RedisCache.set_many)
    delete_many = _fail_open(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _fail_open(lambda *args, **kwargs: False)(RedisCache.clear)
