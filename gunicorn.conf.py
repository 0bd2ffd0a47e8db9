"""gunicorn reads this file from the directory it starts in (`gunicorn config.wsgi`).

Workers, threads, the address and the timeout come from the settings (`WEB_WORKERS`, `WEB_THREADS`,
`WEB_BIND`, `WEB_TIMEOUT_SECONDS`, all from the environment; see the README); options given on
gunicorn's command line still win. No access log: the portal writes one structured line per request
itself (config/middleware.py), with its query count.
"""

import os

from gunicorn.http import wsgi

# PostgreSQL cancels a statement of a web request before gunicorn would kill the whole worker: the
# visitor gets a 503 and the other threads of the worker carry on. Set before the settings are read
# (the forked workers keep the module as the master read it); an explicit value wins, 0 turns it off.
_timeout = int(os.environ.get("WEB_TIMEOUT_SECONDS", "30"))
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", str(max(1, _timeout - 5) * 1000))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.conf import settings  # noqa: E402 — after the environment above is final

bind = settings.WEB_BIND
workers = settings.WEB_WORKERS
threads = settings.WEB_THREADS
worker_class = "gthread"
timeout = settings.WEB_TIMEOUT_SECONDS
graceful_timeout = 30
# Behind a load balancer that keeps connections open: longer than gunicorn's default of 2 s.
keepalive = 5
accesslog = None
errorlog = "-"


# gunicorn writes `Server: gunicorn` into every response itself, after Django and its middleware are
# done, and has no setting to leave it out; it tells an attacker what answers and nothing useful to
# anyone else. Its response class builds that line in `default_headers`, so we drop it there.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
