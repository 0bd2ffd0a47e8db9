"""Sessions: read from Redis where there is one (a signed-in page then asks the database nothing about
its session), and from the database whenever Redis cannot answer."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def session_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if "django_session" in query["sql"]]


@pytest.mark.skipif(not settings.REDIS_URL, reason="sessions are read from Redis only where there is one")
def test_a_signed_in_page_reads_its_session_from_redis(client, member):
    client.force_login(member)
    client.get(reverse("home"))  # the first visit of the hour notes the time in the session

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("practices:mine"))

    assert response.status_code == 200 and response.wsgi_request.user == member
    assert session_queries(queries) == []


def test_with_redis_unreachable_the_session_is_read_from_the_database(client, member, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    client.force_login(member)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("practices:mine"))

    assert response.status_code == 200 and response.wsgi_request.user == member
    assert session_queries(queries)  # Redis could not answer: the database did
