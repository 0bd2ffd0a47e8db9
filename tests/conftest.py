"""Shared fixtures: personas and the settings every test runs with.

Personas (healthchecks-style):
- ``member`` (Alice): member of ``coalition``;
- ``coalition_admin`` (Bob): admin of ``coalition``;
- ``other_member`` (Charlie): member of ``other_coalition`` only;
- ``partnership_admin`` (Dana): staff, runs the partnership;
- ``outsider`` (Erin): signed up and verified, in no coalition;
- ``other_admin`` (Frank): admin of ``other_coalition``, so an admin, but not of ``coalition``.
Each has a logged-in client: ``member_client``, ``coalition_admin_client``, ``other_member_client``,
``partnership_admin_client``, ``outsider_client``; ``client`` is anonymous.
"""

import os
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client, TestCase, override_settings

from coalitions.models import Membership
from config import cache as fail_open
from config.celery import app as celery_app
from tests.factories import CoalitionFactory, MembershipFactory, UserFactory
from tests.snapshots import changed_tables, snapshot


def pytest_configure(config):
    # whitenoise warns on every request when STATIC_ROOT is missing (`make test` fills it).
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(exist_ok=True)
    # A kept-alive connection from the live server's thread blocks dropping the PostgreSQL test database.
    from django.db import connections

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    connections["default"].settings_dict["CONN_MAX_AGE"] = 0
    _own_redis_database_per_worker(settings)


def _own_redis_database_per_worker(settings):
    """Under pytest-xdist each process gets its own Redis database, as it gets its own test database:
    a test empties the shared cache before it starts (FLUSHDB), which must not empty another process's
    cache mid-test, nor the queue a real worker is reading. REDIS_URL's database is the first process's;
    the next count down from it (15, 14…). Runs before any cache, broker or subprocess reads the URL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"…; empty without xdist
    url = settings.REDIS_URL
    if not worker.startswith("gw") or not url:
        return
    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) - int(worker[2:])) % 16
    own = urlunsplit(parts._replace(path=f"/{database}"))
    settings.REDIS_URL = os.environ["REDIS_URL"] = own
    for cache in settings.CACHES.values():
        if cache.get("LOCATION") == url:
            cache["LOCATION"] = own
    if getattr(settings, "CELERY_BROKER_URL", None) == url:
        settings.CELERY_BROKER_URL = own


def settings_for_tests(media_root: Path) -> dict:
    """What every test runs with, besides the project's settings."""
    from django.conf import settings

    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "ACCOUNT_RATE_LIMITS": False,
        "MEDIA_ROOT": media_root,
        "SITE_URL": "http://testserver",
        # Every test client loads the middleware afresh, and WhiteNoise's scan of the static files costs
        # 30 ms of it; looking a file up when asked (as in development) costs the tests nothing.
        "WHITENOISE_AUTOREFRESH": True,
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    for name, value in settings_for_tests(tmp_path / "media").items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete():
    """On PostgreSQL, the flush after each test that commits (the browser journeys, the real-worker tests)
    deletes the rows instead of truncating the tables: TRUNCATE of the project's eighty tables costs
    PostgreSQL 0.6 s whatever they hold, DELETE of the few rows such a test leaves a few milliseconds.
    The foreign keys Django makes there are deferred to the commit, so the order of the tables does not
    matter; a flush that must also reset the sequences truncates as before."""
    from django.db import connections

    patched = []
    for connection in connections.all(initialized_only=False):
        if connection.vendor != "postgresql":
            continue
        truncate = connection.ops.sql_flush

        def sql_flush(style, tables, *, reset_sequences=False, allow_cascade=False, _ops=connection.ops, _t=truncate):
            if reset_sequences or allow_cascade:
                return _t(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
            return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(_ops.quote_name(t))};" for t in tables]

        connection.ops.sql_flush = sql_flush
        patched.append((connection.ops, truncate))
    yield
    for ops, truncate in patched:
        ops.sql_flush = truncate


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in-process in tests; tests marked ``worker`` use a real worker instead."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _fresh_discovery_state():
    """Each test starts with empty in-process discovery indexes: rolled-back ids are reused by the next
    test (SQLite), and a vector of the last test's practice must not answer for this one's."""
    from practices import discovery

    discovery.reset_caches()
    yield


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """Counts cached by one test must not answer for the next: Redis and local memory outlive the rolled-back
    transaction (the database cache is rolled back with it)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.cache.backends.redis import RedisCache

    # A test that points the cache at a closed port trips the fail-open cache's pause, a global of its module:
    # the next tests, within seconds, would otherwise find every cache call skipped (every read a miss).
    fail_open._skip_until = 0.0
    for cache in caches.all():
        if isinstance(cache, RedisCache | LocMemCache):
            cache.clear()
    yield


def kept_for_the_module(
    django_db_blocker, tmp_path_factory, make, *, settings: dict | None = None, at=None, after_commit: bool = True
):
    """What ``make()`` writes, kept for a module's tests and rolled back after the last of them, as
    Django's ``setUpTestData`` keeps a class's: each test runs in a savepoint of this transaction, so
    what one test changes is gone for the next. The tests' settings (``settings_for_tests``, with
    ``settings`` on top) hold, and the database stays open to the module's other module-scoped fixtures,
    while the module runs. With ``after_commit``, ``make``'s
    after-commit work runs as it returns, as it would after a commit; both at the time ``at`` when it is
    given. From a module-scoped fixture: ``yield from kept_for_the_module(…)``.
    """
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(**settings_for_tests(media), **(settings or {})):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with (
                time_machine.travel(at, tick=False) if at else nullcontext(),
                TestCase.captureOnCommitCallbacks(execute=True) if after_commit else nullcontext(),
            ):
                made = make()
            yield made
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def unchanged_database(db):
    """``with unchanged_database(): …`` fails if the block changed any row of the portal's tables."""

    @contextmanager
    def check():
        before = snapshot()
        yield
        assert changed_tables(before, snapshot()) == []

    return check


@pytest.fixture
def coalition(db):
    return CoalitionFactory(
        name="Colorado Smart Cities Alliance", slug="colorado", short_name="CSCA", region="Colorado"
    )


@pytest.fixture
def other_coalition(db):
    return CoalitionFactory(
        name="North Texas Innovation Alliance",
        slug="north-texas",
        short_name="NTXIA",
        region="Texas",
        time_zone="America/Chicago",
    )


@pytest.fixture
def member(coalition):
    user = UserFactory(email="alice@example.org", profile__full_name="Alice Archer")
    MembershipFactory(user=user, coalition=coalition)
    return user


@pytest.fixture
def coalition_admin(coalition):
    user = UserFactory(email="bob@example.org", profile__full_name="Bob Baker")
    MembershipFactory(user=user, coalition=coalition, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def other_member(other_coalition):
    user = UserFactory(email="charlie@example.org", profile__full_name="Charlie Chen")
    MembershipFactory(user=user, coalition=other_coalition)
    return user


@pytest.fixture
def other_admin(other_coalition):
    user = UserFactory(email="frank@example.org", profile__full_name="Frank Fox")
    MembershipFactory(user=user, coalition=other_coalition, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def partnership_admin(db):
    return UserFactory(email="dana@example.org", is_staff=True, profile__full_name="Dana Diaz")


@pytest.fixture
def outsider(db):
    return UserFactory(email="erin@example.org", profile__full_name="Erin Evans")


def _client_for(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


@pytest.fixture
def member_client(member):
    return _client_for(Client, member)


@pytest.fixture
def coalition_admin_client(coalition_admin):
    return _client_for(Client, coalition_admin)


@pytest.fixture
def other_member_client(other_member):
    return _client_for(Client, other_member)


@pytest.fixture
def partnership_admin_client(partnership_admin):
    return _client_for(Client, partnership_admin)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(Client, outsider)


@pytest.fixture
def other_admin_client(other_admin):
    return _client_for(Client, other_admin)


# The tables a refused service must leave as they were.
PORTAL_APPS = ("auth", "account", "taggit", "coalitions", "practices", "meetings", "notifications")


def portal_rows() -> dict[str, list[tuple]]:
    """Every row of the portal's tables, by model."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for app_label in PORTAL_APPS
        for model in apps.get_app_config(app_label).get_models()
    }


@pytest.fixture
def assert_refused(db, django_capture_on_commit_callbacks):
    """``assert_refused(service, by=…, **kwargs)``: the service itself raises ``PermissionDenied``,
    no row of the portal changed, and nothing waits to be sent after commit."""

    def check(service, **kwargs):
        before = portal_rows()
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
            service(**kwargs)
        assert callbacks == [], f"{service.__name__} queued work after refusing"
        after = portal_rows()
        assert [label for label in before if before[label] != after[label]] == []

    return check
