"""Kotopolku settings.

Every deployment setting is read from the environment with a safe default for local use.
The README lists each variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "guardian",
    "axes",
    "viewflow",
    "viewflow.workflow",
    "casework",
    "permissions",
    "workflows",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc assets served locally (no CDN)
    "csp",
    "bench",  # the load generator (manage.py generate_load) and the benchmark's bare flow
]


MIDDLEWARE = [
    "config.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "permissions.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # free text is shown with text-direction controls made visible (casework.text)
    "workflows.pages.bidi.NeutraliseBidiMiddleware",
]

if not DEBUG:
    # Static files from the application server itself, compressed, with far-future caching
    # of the hashed names: no separate file server or shared disk is needed. (With DEBUG on,
    # ``runserver`` serves them from the apps' folders.)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflows.pages.context_processors.today",
                "workflows.pages.context_processors.navigation",
            ],
        },
    },
]
# Django's form renderer with the common widgets written in Python (same HTML, a fraction of
# the time: workflows/pages/form_renderer.py).
FORM_RENDERER = "workflows.pages.form_renderer.PythonWidgetsRenderer"

DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
# Check a kept connection before each request (one more round trip per request: about 3 % of
# a page's time in the HTTP benchmark). Worth it where the database restarts under a running
# application without a pooler in between.
DATABASE_CONN_HEALTH_CHECKS = env_bool("DATABASE_CONN_HEALTH_CHECKS", False)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DATABASE_CONN_MAX_AGE,
        conn_health_checks=DATABASE_CONN_HEALTH_CHECKS,
    )
}
# Reports and statistics may read from a streaming replica of the primary (config.db_router:
# only code that asks for it, inside ``reading_from_replica()``; everything else, and every
# write, goes to the primary). In a test run the replica mirrors the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASE_CONN_MAX_AGE,
        conn_health_checks=DATABASE_CONN_HEALTH_CHECKS,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
# On PostgreSQL no statement waits for a lock longer than this: two people acting on the same
# path wait for each other (workflows.services.lock_path), never for ever.
DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000"))
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("postgresql"):
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}".strip()
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling and lockout
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The client's address behind reverse proxies (permissions.network): the number of proxies in
# front of the application that append to CLIENT_IP_HEADER. 0: no proxy, the header is ignored.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT") or os.environ.get("TRUSTED_PROXY_HOPS") or "0"
)  # TRUSTED_PROXY_HOPS: an earlier name of the same setting
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "X-Forwarded-For")

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for one user name
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES; after
# AXES_IP_FAILURE_LIMIT failed attempts from one address, whatever the names (one password
# tried on many names), the address is (permissions.throttle).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "permissions.network.client_ip"
AXES_HANDLER = "permissions.throttle.LoginThrottle"

# Closed cases are anonymised this many days after closing (manage.py anonymise_closed).
RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", str(5 * 365)))

# Each process keeps the rule set of a day this many seconds (casework.rules); a change is
# seen at once in the process that saved it and within this time in the others. 0: no cache.
RULES_CACHE_SECONDS = int(os.environ.get("RULES_CACHE_SECONDS", "60"))

# The same for what each role may do (permissions.policy): a role's permissions edited in one
# process reach the others within this time. Who holds which role is never cached.
ROLE_PERMISSIONS_CACHE_SECONDS = int(os.environ.get("ROLE_PERMISSIONS_CACHE_SECONDS", "60"))

# The national reporting export pseudonymises client and case ids with HMAC-SHA256 under this
# key (casework.national_export). Keep it secret and the same from year to year: the same key
# gives the same pseudonyms. Without it (and with DEBUG off) the export is refused.
NATIONAL_EXPORT_KEY = os.environ.get("NATIONAL_EXPORT_KEY", "")
if not NATIONAL_EXPORT_KEY and DEBUG:
    NATIONAL_EXPORT_KEY = "insecure-development-national-export-key"  # noqa: S105

# A refused form (its CSRF token expired or missing) gets the app's own page, in the user's
# language, with a way back.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

LOGIN_URL = "login"
# my tasks, or for a person without a queue the part of the service their roles are for
LOGIN_REDIRECT_URL = "workflows:start"

# Internationalisation: Finnish first, then Swedish and English.
LANGUAGE_CODE = "fi"
LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date and number formats per language (config/formats/): English as in the UK,
# day before month (15 March 2026, 15/03/2026), Monday the first day of the week.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# With DEBUG off, static files carry a hash of their content in their names and are served
# compressed (gzip, and Brotli where installed) by WhiteNoise; ``collectstatic`` builds them.
# In development (and in the tests) the plain storage needs no ``collectstatic``.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.storage.ServedAppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kotopolku@localhost")
# for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (tests, trials)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))

# Production hardening when DEBUG is off.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A cache shared by every web process (Redis: CACHE_URL=redis://host:6379/1). Without it each
# process has its own memory cache, which is only ever used for what may differ between
# processes (nothing that decides access).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kotopolku",
        }
    }
# Sessions live in the database, so any web process on any machine can serve any request: the
# web tier keeps no state of its own. With a shared cache they are read from it and written
# through to the database (``cached_db``): one query less on every page, and a restarted Redis
# signs nobody out. A per-process cache must never hold sessions (a signed-out session would
# live on in the other processes), hence ``db`` without CACHE_URL.
SESSION_ENGINE = os.environ.get(
    "SESSION_ENGINE",
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db",
)
if not DEBUG:
    # Plain-HTTP use on one's own machine only (``make serve``) may turn these off.
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # the load balancer's health checks may come over plain HTTP
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background work (Celery, config/celery.py). With no broker everything runs at once in the
# calling process (``make demo``, the tests); in production Redis carries the tasks to
# ``celery worker`` processes and ``celery beat`` starts the periodic ones.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# the broker's queue: installations sharing one Redis give each its own
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "kotopolku")
CELERY_TASK_EAGER_PROPAGATES = False  # as a worker would: a failed task is logged, not raised
CELERY_TASK_IGNORE_RESULT = True  # no result backend: tasks record what they did themselves
CELERY_TASK_ACKS_LATE = True  # a task a dying worker held is delivered again
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # longer than any task runs: an unacknowledged task is handed out again after this
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_TIMEZONE = "Europe/Helsinki"
TIMER_SWEEP_MINUTES = int(os.environ.get("TIMER_SWEEP_MINUTES", "5"))
CELERY_BEAT_SCHEDULE = {
    "sweep-timers": {
        "task": "workflows.tasks.sweep_timers",
        "schedule": TIMER_SWEEP_MINUTES * 60.0,
        # a sweep that waited longer than one interval is superseded by the next one
        "options": {"expires": TIMER_SWEEP_MINUTES * 60.0},
    },
    "delete-expired-exports": {
        "task": "workflows.tasks.delete_expired_exports",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    "clear-expired-sessions": {
        "task": "workflows.tasks.clear_expired_sessions",
        "schedule": 24 * 3600.0,
        "options": {"expires": 3600.0},
    },
}
# Finished exports (workflows.exports) are kept this many hours, then deleted.
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Content-Security-Policy (django-csp): every script and style comes from our own static
# files (no inline script or style, no outside host), nothing may frame the pages, forms post
# only to us. The flow charts are SVG images drawn with presentation attributes only.
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

# viewflow: we use its engine, not its Material frontend, so it adds no middleware.
VIEWFLOW = {"AUTOREGISTER": False}

# The JSON API (/api/v1/, workflows.api): tokens for systems, sessions for the browser.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "workflows.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "workflows.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kotopolku API",
    "DESCRIPTION": "Case work on the individual integration path (Act 681/2023).",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no outside badge
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "casework.models.CaseState",
        "PlanStateEnum": "casework.models.PlanState",
        "MeasureStateEnum": "casework.models.MeasureState",
        "CloseReasonEnum": "casework.models.CloseReason",
        "ReviewCloseReasonEnum": "workflows.api.schema.review_close_reasons",
        "ServiceKindEnum": "casework.models.ServiceKind",
        "CaseEventKindEnum": "casework.models.CaseEventKind",
        "LanguageLevelEnum": "casework.models.LanguageLevel",
        "LanguageEnum": "workflows.api.schema.LANGUAGES",
        "PlanLanguageEnum": "workflows.api.schema.plan_languages",
        "CountryEnum": "workflows.api.schema.COUNTRIES",
        "GenderEnum": "casework.models.Gender",
        "LabourMarketStatusEnum": "casework.models.LabourMarketStatus",
        "VisitGenderEnum": "casework.models.VisitGender",
        "VisitLabourStatusEnum": "casework.models.VisitLabourStatus",
        "AgeBandEnum": "casework.models.AgeBand",
    },
}
