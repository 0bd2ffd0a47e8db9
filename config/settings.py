"""Settings for Smart Regions Exchange.

One module, read from the environment, grouped by feature. With nothing set, a newcomer gets a
working portal: DEBUG on, SQLite under var/, emails written as files to var/mail/, and Celery on
kombu's filesystem transport under var/ (a real worker, no server). DATABASE_URL, REDIS_URL and
EMAIL_URL switch to PostgreSQL, Redis and SMTP. DJANGO_DEBUG=0 turns on production hardening.

Reading settings has no side effects: folders are made by what uses them (the filesystem broker
in config/celery.py, the SQLite folder in config/apps.py, Django's file backends for mail and
uploads). Every variable read here is in the README's table.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Django core ----------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Everything the portal writes at run time (SQLite, mail files, the embedded queue, uploads).
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
        raise ImproperlyConfigured("DJANGO_DEBUG=0 needs a real DJANGO_SECRET_KEY (50+ random characters).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_DEBUG=0 needs DJANGO_ALLOWED_HOSTS.")

# Absolute links in emails (allauth's too), feeds and calendar files are built from this, never
# from a request's Host header.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Smart Regions Exchange"

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",  # django.contrib.admin, signed into through the portal's login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "csp",
    "taggit",
    "django_filters",
    # Ours, lowest first: coalitions <- practices <- meetings <- calls <- notifications, insights.
    "coalitions",
    "practices",
    "meetings",
    "calls",
    "notifications",
    "insights",
    "config",
]

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",  # first, so its duration covers every other one
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coalitions.middleware.UserTimezoneMiddleware",
    "coalitions.middleware.LastSeenMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20})
else:
    # Kept connections, checked before each request reuses them: after PostgreSQL restarts, each
    # process replaces its dead connection on the next request instead of failing until restarted.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # A server that does not answer costs a request this long, not the operating system's minutes.
    _pg_options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    # PostgreSQL cancels any statement running longer (0: never). gunicorn.conf.py sets it for web
    # processes below their worker timeout, so a runaway query is a clean 503 there, not a killed
    # worker; migrations and long commands run without it.
    _statement_timeout_ms = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=0)
    if _statement_timeout_ms:
        _timeout_option = f"-c statement_timeout={_statement_timeout_ms}"
        _pg_options["options"] = f"{_pg_options.get('options', '')} {_timeout_option}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite, the default for a newcomer, makes them plain indexes.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env.str("REDIS_URL", default="")

# The cache holds the login and signup throttles, so it must be shared by every web process in
# production (a per-process cache multiplies each limit by the number of workers): Redis when
# configured, else the database (`manage.py createcachetable`). Only a DEBUG run on one process
# uses local memory. A Redis that cannot be reached counts as an empty cache (config/cache.py):
# throttles fail open with a logged error instead of refusing every login with a 500.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}}
# Sessions are read from Redis when there is one, so a signed-in request costs the database no session
# query; they are written to both (Redis keeps nothing on disk: restarting it signs nobody out, and while
# it is unreachable sessions are read from the database).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
# Rendered page fragments the same for every visitor (the home page's coalitions): the shared Redis when
# there is one, else each process's memory (a fragment a minute old is fine; a database round trip
# per fragment would cost what it saves).
CACHES["fragments"] = (
    {**CACHES["default"], "KEY_PREFIX": "fragments"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"}
)

LANGUAGE_CODE = "en-us"
# The default zone for anonymous visitors and the server; signed-in members see their own.
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- Accounts (django.contrib.auth + allauth) -----------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# The demo: the login page says where the demo accounts are listed (on with DJANGO_DEBUG=1).
DEMO = env.bool("DJANGO_DEMO", default=DEBUG)
LOGIN_REDIRECT_URL = "home"

# Email-only accounts with mandatory verification.
ACCOUNT_ADAPTER = "coalitions.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Extra signup fields (full name, job title) saved to the member's profile.
ACCOUNT_SIGNUP_FORM_CLASS = "coalitions.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# How allauth names a person in its pages and emails: their full name, else their address.
ACCOUNT_USER_DISPLAY = "coalitions.accounts.user_display"
# Several addresses per account (add, verify, make primary, remove) instead of allauth's one-address
# "change email" mode: an invitation sent to someone's work address can then be accepted from the
# account they already have, without giving up the address they sign in with.
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
# After confirming an added address, back to the list of addresses rather than the home page.
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "/accounts/email/"
# Throttles (kept in the shared cache above). Failed logins: 10 a minute per address, and 5 in five
# minutes per (account, address) pair: the adapter puts the address into allauth's per-account key,
# so nobody can lock a member out by failing on their account from somewhere else.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "change_email": "1/m/user",
}
# How many proxies we run in front of the portal: the client's address is the one the outermost
# of them saw (X-Forwarded-For). 0 trusts no header; behind a proxy every visitor then shares the
# proxy's address, and ten failures from anyone throttle everyone.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)

# --- Security -------------------------------------------------------------------------------------

CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# Content-Security-Policy on every response: our own scripts and styles only (no inline ones, no
# inline handlers), images also from https (Markdown bodies may show them), no plugins, no <base>
# tricks, never framed. Reported only while developing, enforced in production.
_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CONTENT_SECURITY_POLICY
else:
    CONTENT_SECURITY_POLICY = _CONTENT_SECURITY_POLICY

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    # Load balancers ask for /healthz over plain HTTP on the process itself: answer, do not redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# --- Web processes (read by gunicorn.conf.py) -----------------------------------------------------

# gunicorn's gthread workers: processes (each holds its own discovery index) times threads each.
WEB_BIND = env.str("WEB_BIND", default="127.0.0.1:8000")
WEB_WORKERS = env.int("WEB_WORKERS", default=2)
WEB_THREADS = env.int("WEB_THREADS", default=4)
# A request running longer than this is killed with its worker (gunicorn's timeout).
WEB_TIMEOUT_SECONDS = env.int("WEB_TIMEOUT_SECONDS", default=30)

# --- Static files and uploads ---------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files are never served from a public URL: views check permissions and stream them.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Practice attachments and meeting files: at most this many bytes each.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=25) * 1024 * 1024
COALITION_LOGO_MAX_BYTES = env.int("COALITION_LOGO_MAX_KB", default=1024) * 1024

# --- Email ----------------------------------------------------------------------------------------

# Files in var/mail/ by default (readable by a newcomer), SMTP with EMAIL_URL.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <no-reply@smartregions.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    # One standard .eml file per message (Django's file backend puts a whole batch in one .log),
    # so a newcomer can open each in a mail client. The backend makes the folder.
    EMAIL_BACKEND = "notifications.backends.EmlFileBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Celery ---------------------------------------------------------------------------------------

# Redis when REDIS_URL is set, else kombu's filesystem transport under var/ (config/celery.py makes
# its folders when the app is configured). control_folder holds the exchange bindings; without it
# kombu writes a control/ folder into whatever directory the process started in.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A request that publishes while Redis is unreachable must not hang on the connect: the row it
    # recorded waits for the tick's sweep (notifications.outbox.enqueue_keys).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
else:
    # The host part means nothing to this transport; without one kombu warns on every start.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat runs once. Ticks expire unrun rather than pile up while workers are down: the next tick does
# the same work.
CELERY_BEAT_SCHEDULE = {
    # Keeps every meeting series planned twelve months ahead (idempotent; once a day is plenty).
    "meetings-extend-horizons": {
        "task": "meetings.tasks.extend_horizons",
        "schedule": 24 * 60 * 60,
    },
    # Practice page views counted in the shared cache, added to the monthly counts (practices/pageviews.py).
    "practices-flush-views": {
        "task": "practices.tasks.flush_practice_views",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    "notifications-reminders": {
        "task": "notifications.tasks.tick_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Yearly "is this adoption still current?" questions, and lapsing the unanswered (idempotent; indexed).
    "practices-adoption-confirmations": {
        "task": "practices.tasks.tick_adoption_confirmations",
        "schedule": 60 * 60.0,
        "options": {"expires": 55 * 60},
    },
    # Owners of a cooperative contract hear of its expiry 90 and 30 days ahead (notifications/contracts.py).
    "notifications-contract-expiry": {
        "task": "notifications.tasks.tick_contract_reminders",
        "schedule": 60 * 60.0,
        "options": {"expires": 55 * 60},
    },
    # Evaluators of a call hear that scoring ends within three days, once each (calls/services.py).
    "calls-evaluation-reminders": {
        "task": "calls.tasks.tick_evaluation_reminders",
        "schedule": 60 * 60.0,
        "options": {"expires": 55 * 60},
    },
    "notifications-digests": {
        "task": "notifications.tasks.tick_digests",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
}

# --- Coalitions, practices, notifications ---------------------------------------------------------

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
MEMBER_DIRECTORY_PAGE_SIZE = 24
# Tags typed in any case join the existing tag ("LoRaWAN" added in Django admin, "lorawan" in the form).
TAGGIT_CASE_INSENSITIVE = True

# A row left in "sending" longer than this (its worker died) may be claimed again; see notifications/mail.py.
NOTIFICATIONS_STALE_CLAIM_MINUTES = env.int("NOTIFICATIONS_STALE_CLAIM_MINUTES", default=10)
# Transient SMTP failures are retried with exponential backoff (base, 2×base, 4×base… capped), this many
# attempts in all; then the delivery is marked failed and listed for partnership admins.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)
# Members per Celery task when fanning out reminders and digests.
NOTIFICATIONS_CHUNK_SIZE = env.int("NOTIFICATIONS_CHUNK_SIZE", default=200)
# At most this many stuck rows re-enqueued per tick.
NOTIFICATIONS_SWEEP_LIMIT = env.int("NOTIFICATIONS_SWEEP_LIMIT", default=5000)
# Local hour of the weekly (Monday) and monthly (1st) digests.
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)

# --- Logging --------------------------------------------------------------------------------------

# One handler, on the root logger, and every logger propagates to it. (Django's own default gives
# the "django" logger a console handler of its own in DEBUG, so each of its lines, a refused
# request's traceback, runserver's "Watching for file changes", printed twice.) Expected refusals
# (4xx) are one line without a traceback. LOG_FORMAT=json writes one JSON object a line for a log
# system (config/logs.py); the default is JSON in production, readable text while developing.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT is text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_in_one_line": {"()": "config.logs.ExpectedRefusalsWithoutTraceback"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["refusals_in_one_line"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # One line per request (config/middleware.py). In development runserver already prints one.
        "config.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# --- Benchmarks -----------------------------------------------------------------------------------
# bench/web.py mounts /bench/floor/ (one query, a few bytes): the cheapest page a request can be, the
# yardstick every page's throughput is measured against. Never on in production.
BENCH_FLOOR_VIEW = env.bool("BENCH_FLOOR_VIEW", default=False)
