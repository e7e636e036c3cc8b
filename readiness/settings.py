"""Readiness settings: one module, driven by the environment.

Every value has a safe default for a first run on a laptop (SQLite, tasks in-process, DEBUG
on); production sets the environment (see compose.yaml). A bad value stops start-up with
ImproperlyConfigured naming the variable, rather than running half-configured.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of true/false/1/0/yes/no")


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "import_export",
    "simple_history",
    "readiness.posts",
    "readiness.rosters",
    "readiness.indicators",
    "readiness.assessments",
    "readiness.scenarios",
    "readiness.dashboard",
    "readiness.feeds",
    "readiness.checkins",
    "readiness.notifications",
    "readiness.briefs",
]

MIDDLEWARE = [
    "readiness.health.HealthCheckMiddleware",  # /healthz, before host checks and redirects
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "readiness.signin.IdleTimeoutMiddleware",
    "readiness.signin.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "readiness.urls"
WSGI_APPLICATION = "readiness.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite file by default so a first run needs no server; production and CI use PostgreSQL.
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
            conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with psycopg's fast datetime loader (readiness/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "readiness.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Concurrent writers (web + in-process tasks) wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 5.0 6.2.1: at least 12 characters.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling (django-axes; docs/operations.md "Sign-in and lockout") ---------------
# Every password check goes through axes first, at /accounts/login/ and /admin/login/ alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a user's permissions and groups in one query.
    "readiness.posts.access.Backend",
]
# A lockout holds one username from one address: an attacker elsewhere cannot lock a duty
# officer out, and guessing one account's password from one address stops after 5 tries.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = envint("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
# A lockout ends by itself: 15 minutes after it began. Failures during the lockout do not
# extend it, so someone sharing the office's address cannot keep a colleague out forever.
SIGNIN_LOCKOUT_MINUTES = envint("SIGNIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=SIGNIN_LOCKOUT_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address is REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies of ours
# stand in front: then the address the outermost of them saw, read from the right of
# X-Forwarded-For (a client can write anything to the left of it). readiness/signin.py.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "readiness.signin.client_ip"
# Personal data (usernames, addresses) stays out of the log lines axes writes.
AXES_VERBOSE = False

# --- Sessions ------------------------------------------------------------------------------
# Signed out after SESSION_IDLE_MINUTES without a click (the pages' own polling does not
# count: readiness/signin.py), and after SESSION_MAX_HOURS whatever happens.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = envint("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Mail (notifications, password reset) ---------------------------------------------------
# EMAIL_URL in one variable (smtp://user:password@host:587, smtp+ssl://…:465 for implicit TLS,
# console:, file:///a/folder, locmem:), or EMAIL_HOST and its companions. Without either, the
# demo (DEBUG on) prints e-mails to the console and production sends none: no e-mail
# notification is queued, the settings page says so, and the password-reset pages do not
# exist (an administrator sets a forgotten password in the admin). Tests use Django's
# in-memory outbox (pytest-django sets it whatever is configured here).
from urllib.parse import parse_qs, unquote, urlsplit  # noqa: E402


def _email_from_url(url: str) -> dict[str, object]:
    """The mail settings an EMAIL_URL stands for; ImproperlyConfigured on anything else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"console", "locmem", "dummy"}:
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{scheme}.EmailBackend"}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"EMAIL_URL={url!r}: expected file:///a/folder")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL: expected smtp://user:password@host:port (or smtp+ssl://, console:, "
            f"file:///folder, locmem:), not {scheme or 'no scheme'}://"
        )
    ssl = scheme in {"smtp+ssl", "smtps"}
    try:
        port = parts.port or (465 if ssl else 587)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port is not a number") from None
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and query.get("tls", "true").lower() in _TRUE,
    }


EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_URL:
    globals().update(_email_from_url(EMAIL_URL))
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "readiness@localhost")
# Whether e-mail notifications are queued at all (readiness/notifications): not with the
# dummy backend, which would throw every message away.
EMAIL_ENABLED = not globals().get("EMAIL_BACKEND", "").endswith("dummy.EmailBackend")
# A link in an e-mail needs the site's address (no request to read it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
PASSWORD_RESET_ENABLED = bool(EMAIL_HOST)
# The first notifier's list of addresses (never read from the environment) is retired:
# refuse it rather than let an operator believe the crisis centre's mailbox is told.
if os.environ.get("NOTIFY_EMAILS", "").strip():
    raise ImproperlyConfigured(
        "NOTIFY_EMAILS is retired: give the mailbox a user with that e-mail address and a "
        "subscription to every post (docs/notifications.md)"
    )

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Manifest storage needs collectstatic; tests and the first run use the plain one.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# --- HTTPS and headers --------------------------------------------------------------------
# Production (DEBUG off) is HTTPS-only by default: `manage.py check --deploy --fail-level
# WARNING` passes with these defaults (.ci/run checks it). The demo (`make run`, DEBUG on,
# http://127.0.0.1:8000) keeps plain HTTP. Each can be turned off by its variable.
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # TLS ends at the reverse proxy in front of gunicorn, which says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Content Security Policy (django-csp) --------------------------------------------------
# No inline script, style or handler, no eval: every script and style sheet is a file of
# ours or of Django's admin (htmx is configured for it in templates/base.html; the admin
# add-ons' few inline styles and handlers are replaced in templates/admin/ and
# templates/simple_history/). tests/browser/test_csp.py visits every page and swap.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Django's cache holds what is derived from an immutable assessment (the brief's sentences,
# the "what changed" panel's parts, the overview's rows), keyed by the assessment's id and
# evaluation time, so nothing in it can go stale. In each process's memory: a miss costs
# one query, and nothing outlives a deploy.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

# --- Staff check-ins (readiness/checkins, docs/security.md "Staff check-in links") ----------
# A link works once, until this many hours after the check-in started.
CHECKIN_LINK_HOURS = envint("CHECKIN_LINK_HOURS", 72, minimum=1)
# The board lists those who have not answered this many hours after their link left.
CHECKIN_OVERDUE_HOURS = envint("CHECKIN_OVERDUE_HOURS", 4, minimum=1)
# Where text messages go (readiness/checkins/sms.py); the default sends none and says so.
CHECKIN_SMS_BACKEND = os.environ.get(
    "CHECKIN_SMS_BACKEND", "readiness.checkins.sms.LoggingSmsBackend"
)
# The answer page answers 429 past CHECKIN_RATE_PER_LINK requests for one link, or past
# CHECKIN_RATE_BAD_LINKS unknown links from one client address, in a window of this length.
CHECKIN_RATE_WINDOW_SECONDS = 600
CHECKIN_RATE_PER_LINK = envint("CHECKIN_RATE_PER_LINK", 20, minimum=1)
CHECKIN_RATE_BAD_LINKS = envint("CHECKIN_RATE_BAD_LINKS", 20, minimum=1)

# Celery. Without REDIS_URL, tasks run in-process (eager) so a first run needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r}: expected redis://host:port/db")
# Rate-limit counters (readiness/checkins/ratelimit.py): shared by every web process in
# Redis when there is one, in each process's memory otherwise.
CACHES["ratelimit"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "readiness-ratelimit"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
)  # fmt: skip
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
# How long Redis waits for a task delivered to a worker to be acknowledged before handing
# it to another. Longer than any task's hard time limit plus its longest retry countdown
# (or a task still running is run twice; a test holds them together), short enough that a
# task held by a killed worker comes back within minutes. Lost re-scores do not wait for
# it: the sweeper below re-queues them within about a minute.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# How often the scheduler re-evaluates every post (seeded into django-celery-beat; editable
# in admin afterwards).
REEVALUATE_EVERY_MINUTES = envint("REEVALUATE_EVERY_MINUTES", 15, minimum=1)
# Recovery of lost re-scores (docs/architecture.md, "Re-scoring"): a re-score asked for and
# not stored within RESCORE_CLAIM_STALE_SECONDS is taken as lost, and the sweeper, run by
# beat every RESCORE_SWEEP_SECONDS (seeded into django-celery-beat like the job above),
# queues it again: a post waits at most about the sum of the two after a worker or broker
# outage ends.
RESCORE_SWEEP_SECONDS = envint("RESCORE_SWEEP_SECONDS", 30, minimum=1)
RESCORE_CLAIM_STALE_SECONDS = envint("RESCORE_CLAIM_STALE_SECONDS", 30, minimum=1)

# Recording a level decision needs a sign-in this recent, or the password typed again in
# the decision form (readiness/dashboard/reauth.py).
DECISION_REAUTH_MINUTES = envint("DECISION_REAUTH_MINUTES", 15, minimum=1)

# The feeds' API answers 429 with Retry-After past this many requests of one token in one
# window (readiness/indicators/ratelimit.py); 0 turns the limit off.
API_RATE_LIMIT = envint("API_RATE_LIMIT", 300)
API_RATE_WINDOW_SECONDS = envint("API_RATE_WINDOW_SECONDS", 60, minimum=1)
# The morning brief (docs/dashboards.md, "Daily brief"): the classification marking printed
# at the top and bottom of every page and recorded with each issued brief, and the lowest
# severity of the new indicators it lists.
BRIEF_CLASSIFICATION = os.environ.get("BRIEF_CLASSIFICATION", "RESTRICTED").strip()[:100]
if not BRIEF_CLASSIFICATION:
    raise ImproperlyConfigured("BRIEF_CLASSIFICATION: the brief's marking cannot be empty")
BRIEF_MIN_SEVERITY = envint("BRIEF_MIN_SEVERITY", 4, minimum=1)
if BRIEF_MIN_SEVERITY > 5:
    raise ImproperlyConfigured(f"BRIEF_MIN_SEVERITY={BRIEF_MIN_SEVERITY}: severities go 1 to 5")
# An ACLED event within this many km of a post's coordinates is in its city (as one that
# names the city is): docs/feeds.md, "Which posts".
ACLED_CITY_RADIUS_KM = envint("ACLED_CITY_RADIUS_KM", 50, minimum=1)

# Error reporting, opt-in: with SENTRY_DSN set, unhandled errors of the web processes and
# the Celery tasks go to that Sentry project (no personal data, no performance tracing);
# without it nothing is sent anywhere.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=0.0,
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In-process (eager) tasks would log every run into the runserver console.
        "celery": {"level": "INFO" if REDIS_URL else "WARNING"},
        "kombu": {"level": "WARNING"},
        # Lockouts are warnings; every sign-in's bookkeeping is not worth a line.
        "axes": {"level": "WARNING"},
    },
}

# Roster import/export: CSV and XLSX only; an import runs in one transaction.
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402

IMPORT_EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Formulas are neutralised by the resources (readiness/rosters/resources.py: a leading
# apostrophe, for = + - @ tab and CR); the library's own escaping only drops a leading "="
# and turns every cell into text, so it stays off. Control characters XLSX cannot hold
# become U+FFFD instead of failing the export.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
