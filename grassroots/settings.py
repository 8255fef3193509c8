"""Django settings for Grassroots.

Data lives in GRASSROOTS_DATA_DIR (default ./var/): the embedded SQLite database, uploads, and the key of a site run
without GRASSROOTS_SECRET_KEY. DATABASE_URL switches to PostgreSQL (postgres://user@host:5432/name).
A server: GRASSROOTS_SECRET_KEY, GRASSROOTS_ALLOWED_HOSTS, GRASSROOTS_HTTPS=1 (and GRASSROOTS_PROXY_SSL_HEADER=1 behind
a proxy that ends TLS); `python -m django check --deploy --settings=grassroots.settings` is then clean.
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GRASSROOTS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)



def _local_secret_key(data_dir: Path) -> str:
    """The key of a site run without GRASSROOTS_SECRET_KEY (the demo on this computer): made at random on first
    run and kept in the data folder, readable by its owner only. No key is public: a token or session signed
    elsewhere is never accepted here. `grassroots serve` refuses to serve other computers on it."""
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Set GRASSROOTS_SECRET_KEY (50 random characters or more) on a server; changing it invalidates sessions,
# password-reset links and calendar-feed addresses.
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("GRASSROOTS_SECRET_KEY"))
SECRET_KEY = os.environ.get("GRASSROOTS_SECRET_KEY") or _local_secret_key(DATA_DIR)
DEBUG = os.environ.get("GRASSROOTS_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("GRASSROOTS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "treebeard",
    "django_tasks_db",
    "grassroots.core",
    "grassroots.access",
    "grassroots.orgs",
    "grassroots.members",
    "grassroots.rules",
    "grassroots.recruitment",
    "grassroots.dues",
    "grassroots.meetings",
    "grassroots.opinions",
    "grassroots.posts",
    "grassroots.commitments",
    "grassroots.volunteers",
    "grassroots.inservice",
    "grassroots.wishes",
    "grassroots.points",
    "grassroots.households",
    "grassroots.grids",
    "grassroots.visits",
    "grassroots.assistance",
    "grassroots.honours",
    "grassroots.cobuild",
    "grassroots.joint",
    "grassroots.deliberation",
    "grassroots.congress",
    "grassroots.proposals",
    "grassroots.reports",
    "grassroots.ui",
    "grassroots.web",
    "grassroots.api",
    "grassroots.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "grassroots.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "grassroots.core.middleware.ChannelMiddleware",
    "grassroots.ui.errors.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into the page saying so
]

ROOT_URLCONF = "grassroots.urls"
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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "grassroots.ui.links.nav",
            ],
        },
    },
]
WSGI_APPLICATION = "grassroots.wsgi.application"

_default_db = f"sqlite:///{DATA_DIR / 'grassroots.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL: pages (an import's progress among them) read while the worker writes a big import in one transaction.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL;"}
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [  # checked by access.services for every password set through the pages or the CLI
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, see docs/decisions.md). Its backend comes first: it refuses a locked account or
# address before the password is even checked. Every password login passes the request to `authenticate()`
# (Django's login form does, the API's HTTP Basic does: grassroots.api.authentication); one that does not is an
# error, never a login that skips the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After LOGIN_FAILURE_LIMIT failed logins, for one account (from anywhere) or from one address (for any account),
# logging in is refused for LOGIN_LOCKOUT_MINUTES after the last counted failure, then allowed again by itself.
LOGIN_FAILURE_LIMIT = int(os.environ.get("GRASSROOTS_LOGIN_FAILURE_LIMIT", "10"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("GRASSROOTS_LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, and per address
# Attempts while locked are refused but not counted, so the lock ends on time even under a stream of guesses.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the failures: with per-address counting it would wipe the address's failures against
# other accounts too (an insider could guess a colleague's password between logins of their own).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "grassroots.access.logins.lockout_response"
# Behind N reverse proxies (nginx in front of `grassroots serve`), the address counted is the one the nearest proxy
# saw, read from X-Forwarded-For; without it every login would come from the proxy's own address, and ten failures
# anywhere would lock everyone out. 0 (the default): the connection's own address, X-Forwarded-For ignored.
LOGIN_PROXY_COUNT = int(os.environ.get("GRASSROOTS_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "grassroots.access.logins.client_address"
AXES_ENABLE_ADMIN = False  # the admin is read-only for what the platform owns; the audit log records logins
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# File-based, so that every worker of one server shares the public rate limits (grassroots.core.ratelimit).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    },
    # Kept parts of pages (grassroots.ui.kept), keyed by the data they were built from: each web process's memory,
    # bounded in entries; the timeout only bounds memory (a part is never served once a write has moved its key).
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "grassroots-kept-pages",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("GRASSROOTS_KEPT_PAGES_ENTRIES", "500"))},
    },
}
GRASSROOTS_KEPT_PAGES = os.environ.get("GRASSROOTS_KEPT_PAGES", "1").lower() not in ("0", "false", "no", "off")
# Sessions read from the cache (the file-based default: every web process shares it), written through to the
# database: a logged-in page spends no query on its session. The user and the roles are still read per request, so
# a deactivated account or a changed role takes effect at once.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An import's file may be at most this big (the upload form says so before reading it).
IMPORT_MAX_UPLOAD_MB = int(os.environ.get("GRASSROOTS_IMPORT_MAX_MB", "20"))
# Background jobs (the web imports' dry runs and writes): Django's tasks framework with its queue in this database
# (django-tasks-db); `grassroots serve` starts the worker beside the web server. The tests run each task at once
# (the immediate backend, set by conftest.py), as GRASSROOTS_TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend
# would for a site without a worker.
TASKS = {"default": {"BACKEND": os.environ.get("GRASSROOTS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "grassroots.api.authentication.ThrottledBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["grassroots.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "grassroots.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "grassroots.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grassroots API",
    "DESCRIPTION": "Organizations, members and statistics of grassroots Party organizations.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # A choice set that several components share under a common field name ("kind") needs a name of its own.
    "ENUM_NAME_OVERRIDES": {"MeetingKindEnum": "grassroots.meetings.models.MeetingKind",
                            "RevealFieldEnum": ["id_number", "phone"],  # a member's and a volunteer's reveal
                            "PointExemptionReasonEnum": "grassroots.points.models.ExemptionReason",
                            "DecisionStateEnum": "grassroots.volunteers.models.Decision",  # volunteers' reports, corrections
                            "ResidentUnitKindEnum": "grassroots.cobuild.models.UnitKind",
                            "ContributionKindEnum": "grassroots.cobuild.models.ContributionKind",
                            "ProposalCategoryEnum": "grassroots.proposals.models.ProposalCategory",
                            "ProposerRoleEnum": "grassroots.proposals.models.ProposerRole",
                            "ContactRoleEnum": "grassroots.recruitment.models.ContactRole",
                            "SupervisionKindEnum": "grassroots.congress.models.SupervisionKind"},
    # Every operation lists its 400, 403 and 404 answers (grassroots/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "grassroots.api.schema.add_error_responses"],
}

# HTTPS (GRASSROOTS_HTTPS=1, when the site is reached over https://): plain http is redirected, browsers are
# told to use https only (HSTS, a year unless GRASSROOTS_HSTS_SECONDS says otherwise), and the session and
# CSRF cookies travel over https only. Behind a proxy that ends TLS and sets X-Forwarded-Proto, also set
# GRASSROOTS_PROXY_SSL_HEADER=1 (only then: the header is trusted as given).
HTTPS = os.environ.get("GRASSROOTS_HTTPS", "0") == "1"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("GRASSROOTS_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GRASSROOTS_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("GRASSROOTS_HSTS_PRELOAD", "1") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if os.environ.get("GRASSROOTS_PROXY_SSL_HEADER", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (Django's middleware): scripts only from this site, or inline with the page's nonce
# (`nonce="{{ csp_nonce }}"`); no eval (htmx is told so in base.html); styles from this site and inline (the
# templates' style attributes and print styles; the charts set styles too); images from this site and data:
# URLs (the charts' downloads); no plugins, no framing, forms post to this site only.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "<CSP_NONCE_SENTINEL>"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
