"""What a web process tells its operators and its load balancer: the database-outage page, /healthz,
one structured log line per request, and a console that prints each thing once."""

import io
import json
import logging
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import health
from config.logs import JsonFormatter

# --- The database cannot be reached: 503, Retry-After, a page that does not blame the visitor -------


@pytest.fixture
def browser():
    # A real browser gets the error page; the test client would re-raise the exception instead.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_database_outage_in_a_view_is_a_503_with_retry_after(browser):
    with mock.patch("config.views.Practice.objects.published", side_effect=OperationalError("server closed")):
        response = browser.get("/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert b"Back in a moment" in response.content
    assert b"Something went wrong" not in response.content


@pytest.mark.django_db
def test_a_connection_cut_under_the_session_middleware_is_a_503_too(browser, member):
    browser.force_login(member)
    cache.clear()  # with Redis, sessions are read from it first: this one must come from the database
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
        side_effect=InterfaceError("connection already closed"),
    ):
        response = browser.get(reverse("practices:list"))

    assert response.status_code == 503
    assert "Retry-After" in response


@pytest.mark.django_db
def test_other_errors_are_still_a_500(browser):
    with mock.patch("config.views.Practice.objects.published", side_effect=ValueError("a bug")):
        response = browser.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response


# --- /healthz --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_without_a_session_or_a_login(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("failing", ["database", "cache", "broker"])
def test_healthz_is_503_when_any_dependency_fails_and_names_none_of_them(client, failing, caplog):
    broken = mock.Mock(side_effect=ConnectionRefusedError("redis at 10.0.0.7:6379 refused"))
    with mock.patch.dict(health.CHECKS, {failing: broken}):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert b"10.0.0.7" not in response.content and failing.encode() not in response.content
    assert f"Health check failed: {failing}" in caplog.text  # the operator learns which, from the log


@pytest.mark.django_db
def test_healthz_pings_redis_itself_because_the_cache_fails_open(client, settings):
    # The Redis cache answers "empty" while Redis is down (throttles fail open); /healthz must not.
    closed = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": closed,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = closed
    health._broker_client.cache_clear()
    try:
        with mock.patch.dict(health.CHECKS, {"broker": lambda: None}):
            assert client.get(reverse("healthz")).status_code == 503
        with mock.patch.dict(health.CHECKS, {"cache": lambda: None}):
            assert client.get(reverse("healthz")).status_code == 503
    finally:
        health._broker_client.cache_clear()


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post(reverse("healthz")).status_code == 405


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- One structured line per request ---------------------------------------------------------------


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="config.requests")
    return lambda: [r for r in caplog.records if r.name == "config.requests"]


@pytest.mark.django_db
def test_each_request_logs_one_line_with_its_status_duration_and_query_count(member_client, request_log):
    with CaptureQueriesContext(connection) as queries:
        response = member_client.get(reverse("practices:list"), {"q": "water"})

    [line] = request_log()
    assert (line.method, line.path, line.status) == ("GET", "/practices/", response.status_code)
    assert line.queries == len(queries) > 0
    assert line.duration_ms > 0


@pytest.mark.django_db
def test_a_refused_request_is_logged_with_its_status(member_client, other_coalition, request_log):
    member_client.get(reverse("coalitions:edit", args=[other_coalition.slug]))

    [line] = request_log()
    assert line.status == 403


@pytest.mark.django_db
def test_secrets_in_the_path_stay_out_of_the_log(client, request_log):
    client.get(reverse("notifications:unsubscribe", args=["s3cret-token-value"]))

    [line] = request_log()
    assert "s3cret-token-value" not in line.path
    assert "s3cret-token-value" not in line.getMessage()
    assert line.path.startswith("/email/unsubscribe/")


@pytest.mark.django_db
def test_load_balancer_polls_of_healthz_are_not_logged(client, request_log):
    client.get(reverse("healthz"))

    assert request_log() == []


def test_the_json_formatter_writes_one_parseable_line_with_the_request_fields():
    record = logging.makeLogRecord(
        {
            "name": "config.requests",
            "levelname": "INFO",
            "msg": "GET %s",
            "args": ("/practices/",),
            "method": "GET",
            "path": "/practices/",
            "status": 200,
            "duration_ms": 12.5,
            "queries": 7,
        }
    )
    line = JsonFormatter().format(record)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "GET /practices/"
    assert {k: parsed[k] for k in ("logger", "level", "method", "path", "status", "duration_ms", "queries")} == {
        "logger": "config.requests",
        "level": "INFO",
        "method": "GET",
        "path": "/practices/",
        "status": 200,
        "duration_ms": 12.5,
        "queries": 7,
    }
    assert parsed["time"].endswith("+00:00")


# --- The console prints each line once, and an expected refusal without a traceback ---------------


@pytest.fixture
def console():
    """What the configured console handler writes, captured."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_django_loggers_print_through_the_one_console_handler_only():
    # (pytest adds capturing handlers of its own to the root logger, without names)
    assert [h.get_name() for h in logging.getLogger().handlers if h.get_name()] == ["console"]
    for name in ("django", "django.request", "django.utils.autoreload", "django.security"):
        logger = logging.getLogger(name)
        assert logger.handlers == [] and logger.propagate, name


@pytest.mark.django_db
def test_an_expected_403_logs_one_line_without_a_traceback(member_client, other_coalition, console):
    member_client.get(reverse("coalitions:edit", args=[other_coalition.slug]))

    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0] and "/coalitions/" in lines[0]
    assert "Traceback" not in console.getvalue()


@pytest.mark.django_db
def test_a_server_error_keeps_its_traceback(console):
    with mock.patch("config.views.Practice.objects.published", side_effect=ValueError("a bug")):
        Client(raise_request_exception=False).get("/")

    assert console.getvalue().count("Traceback") == 1
