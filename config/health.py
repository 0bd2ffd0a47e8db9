"""``/healthz``: can this web process reach the database, the cache and the broker?

For a load balancer or an orchestrator: 200 ``ok`` when all three answer, else 503 ``unavailable``.
The answer names nothing (no host, no error, no version); which check failed goes to the log.
Cheap: one ``SELECT 1`` on the process's kept connection, one PING on the cache's Redis connection
pool and one on a broker client kept per process (each with a one-second timeout), or a look at the
embedded queue's folder. No session, no user, no template.
"""

import functools
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    # The Redis cache fails open (config/cache.py: an outage reads as an empty cache), so asking it
    # through the cache API would always pass: ping its client instead.
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is not None:
        client_of(None, write=True).ping()
    else:
        cache.get("healthz")  # the database cache raises when its table cannot be read


@functools.cache
def _broker_client():
    import redis

    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def check_broker() -> None:
    url = str(settings.CELERY_BROKER_URL)
    if url.startswith(("redis://", "rediss://")):
        _broker_client().ping()
    elif url.startswith("filesystem://"):
        # The first task sent makes the folder (config/celery.py): until then, its parent must take it.
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            raise OSError("the embedded queue's folder is not writable")
    # memory:// (tests) has nothing to reach.


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@never_cache
@require_safe
def healthz(request):
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # any failure means "do not send traffic here"; the log says which
            logger.warning("Health check failed: %s", name, exc_info=True)
            failed.append(name)
    if failed:
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
