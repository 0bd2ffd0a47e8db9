"""Portal-wide middleware: one structured log line per request."""

import logging
import time

from django.db import connection

logger = logging.getLogger("config.requests")

# Polled every few seconds by each load balancer: a line each would bury the requests people make.
UNLOGGED_PATHS = frozenset({"/healthz"})
# Path arguments that are secrets (calendar feeds, unsubscribe and invitation links): kept out of logs.
SECRET_KWARGS = frozenset({"token", "key", "uidb36"})


class RequestLogMiddleware:
    """Logs each request as one line: method, path, status, duration in ms and database queries.

    Queries are counted with ``connection.execute_wrapper``, so the count is there without DEBUG
    (which would also keep every query's SQL in memory). Placed first, so the duration covers every
    other middleware too. In production the line is JSON (``config/logs.py``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in UNLOGGED_PATHS:
            return self.get_response(request)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = _loggable_path(request)
        logger.info(
            "%s %s %s %.1f ms %d queries",
            request.method,
            path,
            response.status_code,
            duration_ms,
            queries,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "queries": queries,
            },
        )
        return response


def _loggable_path(request) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_KWARGS and value:
                path = path.replace(str(value), "…")
    return path
