"""config/settings.py as each kind of deployment reads it, each in a fresh process.

The suite itself runs with one set of settings; these start Python with another environment
(production, Redis, a proxy in front) and look at what the settings module made of it.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
    "DJANGO_ALLOWED_HOSTS": "exchange.example.org",
    "SITE_URL": "https://exchange.example.org",
}


def run_python(code: str, tmp_path: Path, **environment) -> subprocess.CompletedProcess:
    # Only what Python itself needs: the suite's own environment (DATABASE_URL, REDIS_URL, the
    # browser tests' DJANGO_ALLOW_ASYNC_UNSAFE…) must not leak into the deployment being read.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_VAR_DIR": str(tmp_path / "var"), **environment})
    env["PYTHONPATH"] = str(BASE_DIR)
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)


def read_settings(tmp_path: Path, *names: str, **environment) -> dict:
    code = (
        "import json; from config import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = run_python(code, tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_without_redis_shares_the_database_cache(tmp_path):
    caches = read_settings(tmp_path, "CACHES", **PRODUCTION)["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_production_with_redis_uses_redis_that_fails_open(tmp_path):
    caches = read_settings(tmp_path, "CACHES", **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/9")["CACHES"]
    assert caches["default"]["BACKEND"] == "config.cache.FailOpenRedisCache"
    assert caches["default"]["LOCATION"] == "redis://127.0.0.1:6379/9"


def test_sessions_are_read_from_redis_when_there_is_one_and_kept_in_the_database_either_way(tmp_path):
    with_redis = read_settings(tmp_path, "SESSION_ENGINE", **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/9")
    without = read_settings(tmp_path, "SESSION_ENGINE", **PRODUCTION)
    assert with_redis["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert without["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_only_a_debug_run_keeps_the_cache_in_process_memory(tmp_path):
    caches = read_settings(tmp_path, "CACHES", DJANGO_DEBUG="1")["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_trusted_proxy_count_comes_from_the_environment(tmp_path):
    name = "ALLAUTH_TRUSTED_PROXY_COUNT"
    assert read_settings(tmp_path, name, **PRODUCTION)[name] == 0
    assert read_settings(tmp_path, name, **PRODUCTION, ALLAUTH_TRUSTED_PROXY_COUNT="1")[name] == 1


def test_content_security_policy_is_enforced_in_production_and_reported_only_in_debug(tmp_path):
    names = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    production = read_settings(tmp_path, *names, **PRODUCTION)
    debug = read_settings(tmp_path, *names, DJANGO_DEBUG="1")
    assert production["CONTENT_SECURITY_POLICY"] and not production["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    assert debug["CONTENT_SECURITY_POLICY_REPORT_ONLY"] and not debug["CONTENT_SECURITY_POLICY"]


def test_one_beat_schedule_holds_every_periodic_task(tmp_path):
    schedule = read_settings(tmp_path, "CELERY_BEAT_SCHEDULE")["CELERY_BEAT_SCHEDULE"]
    assert {entry["task"] for entry in schedule.values()} == {
        "meetings.tasks.extend_horizons",
        "notifications.tasks.tick_reminders",
        "notifications.tasks.tick_digests",
        "practices.tasks.tick_adoption_confirmations",
        "practices.tasks.flush_practice_views",
        "notifications.tasks.tick_contract_reminders",
        "calls.tasks.tick_evaluation_reminders",
    }


def test_reading_settings_makes_no_folders(tmp_path):
    read_settings(tmp_path, "CELERY_BROKER_TRANSPORT_OPTIONS")
    assert not (tmp_path / "var").exists()
    assert list(tmp_path.iterdir()) == []


def test_the_embedded_broker_makes_its_folders_under_var_and_none_in_the_working_directory(tmp_path):
    # The web process sends on the filesystem transport: the queue and its exchange bindings
    # (kombu's control folder, which used to land in ./control) all live under var/celery/.
    code = (
        "import django; django.setup();"
        "from config.celery import app;"
        "from kombu import Connection;"
        "conn = Connection(app.conf.broker_url, transport_options=app.conf.broker_transport_options);"
        "conn.SimpleQueue('settings-test').put({'hello': 'world'}); conn.release()"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["var"]
    celery = tmp_path / "var" / "celery"
    assert {path.name for path in celery.iterdir()} == {"queue", "processed", "control"}
    assert any((celery / "control").iterdir())
    assert any((celery / "queue").iterdir())


def test_check_deploy_is_clean_in_production(tmp_path):
    code = (
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = run_python(code, tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_variable_the_settings_read_is_in_the_readme_table():
    read = set(re.findall(r"""env(?:\.\w+)?\(\s*"([A-Z_]+)\"""", (BASE_DIR / "config" / "settings.py").read_text()))
    table = set(re.findall(r"^\| `([A-Z_]+)`", (BASE_DIR / "README.md").read_text(), re.M))
    table |= set(re.findall(r"^\| `[A-Z_]+` / `([A-Z_]+)`", (BASE_DIR / "README.md").read_text(), re.M))
    assert len(read) > 20
    assert read - table == set()


def test_postgresql_connection_settings_come_from_the_environment(tmp_path):
    found = read_settings(
        tmp_path,
        "DATABASES",
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
        DATABASE_STATEMENT_TIMEOUT_MS="12000",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_CONN_MAX_AGE="120",
    )["DATABASES"]["default"]
    assert found["OPTIONS"] == {"connect_timeout": 3, "options": "-c statement_timeout=12000"}
    assert found["CONN_MAX_AGE"] == 120 and found["CONN_HEALTH_CHECKS"] is True

    default = read_settings(tmp_path, "DATABASES", DATABASE_URL="postgres://portal@db.internal:5432/portal")
    assert "options" not in default["DATABASES"]["default"]["OPTIONS"]  # no timeout for migrations and commands


def test_gunicorn_takes_workers_threads_and_a_statement_timeout_below_its_own_from_the_environment(tmp_path):
    code = (
        "import os, runpy; conf = runpy.run_path('gunicorn.conf.py'); from django.conf import settings;"
        "print(conf['workers'], conf['threads'], conf['timeout'], conf['bind'], conf['worker_class'],"
        " settings.DATABASES['default']['OPTIONS']['options'])"
    )
    env = {
        "WEB_WORKERS": "5",
        "WEB_THREADS": "8",
        "WEB_TIMEOUT_SECONDS": "40",
        "WEB_BIND": "0.0.0.0:9000",
        "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], "DJANGO_VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", "8", "40", "0.0.0.0:9000", "gthread", "-c", "statement_timeout=35000"]


def test_logs_are_json_lines_in_production_and_text_while_developing(tmp_path):
    assert read_settings(tmp_path, "LOG_FORMAT", **PRODUCTION)["LOG_FORMAT"] == "json"
    assert read_settings(tmp_path, "LOG_FORMAT")["LOG_FORMAT"] == "text"
    assert read_settings(tmp_path, "LOG_FORMAT", **PRODUCTION, LOG_FORMAT="text")["LOG_FORMAT"] == "text"


def test_load_balancers_health_checks_over_plain_http_are_not_redirected_in_production(tmp_path):
    exempt = read_settings(tmp_path, "SECURE_REDIRECT_EXEMPT", **PRODUCTION)["SECURE_REDIRECT_EXEMPT"]
    assert any(re.search(pattern, "healthz") for pattern in exempt)
    assert not any(re.search(pattern, path) for pattern in exempt for path in ("", "practices/", "healthz/x"))


def test_numpys_threads_sleep_after_a_product_unless_the_environment_says_otherwise(tmp_path):
    # Set by the project package, before anything imports numpy: web processes, workers, commands.
    code = "import os, django; django.setup(); import numpy; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"
    assert run_python(code, tmp_path).stdout.strip() == "4"
    assert run_python(code, tmp_path, OPENBLAS_THREAD_TIMEOUT="20").stdout.strip() == "20"
