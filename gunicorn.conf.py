"""gunicorn reads this file from the directory it starts in (`gunicorn config.wsgi`).

gunicorn writes `Server: gunicorn` into every response itself, after Django and its middleware are
done, and has no setting to leave it out; it tells an attacker what answers and nothing useful to
anyone else. Its response class builds that line in `default_headers`, so we drop it there.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
