"""Settings shared by every environment.

Everything that differs between machines is read from the environment through the single
``env`` helper below, with a default that is safe on a developer's laptop (SQLite, local
Redis, e-mail printed to the console).
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from xstatic.pkg import bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file beside manage.py is optional; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links in e-mails (handling units' signed links, password resets from tasks).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Handling units' signed links stay valid this long: a proposal may take six months.
UNIT_LINK_MAX_AGE_DAYS = env.int("UNIT_LINK_MAX_AGE_DAYS", default=200)
# The public page of an office's proposals (no sign-in) is cached under a key naming what
# it shows, so changes appear at once; this only bounds how long an unchanged page is kept.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=600)
# From this day (MM-DD) the admin index warns until next year's holiday schedule is in the
# calendar: the State Council publishes it around November, and working-day deadlines
# reaching into an unscheduled year are only provisional. Checked here, at start-up.
WORKDAYS_NEXT_YEAR_WARNING = env("WORKDAYS_NEXT_YEAR_WARNING", default="11-01")
datetime.datetime.strptime(f"2000-{WORKDAYS_NEXT_YEAR_WARNING}", "%Y-%m-%d")

INSTALLED_APPS = [
    # Our admin site replaces django.contrib.admin's default one (see liaison/apps.py).
    "liaison.adminconfig.LiaisonAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_htmx",
    "liaison",
    "members",
    "proposals",
    "briefings",
    "visits",
    "consultations",
    "plans",
    "reports",
    "portal",
    # Imports every app above; nothing imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "liaison.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "liaison.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a locked-out sign-in into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"
ASGI_APPLICATION = "liaison.asgi.application"

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
                "liaison.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default so that a first run needs nothing; production and CI use
# PostgreSQL through DATABASE_URL (postgres://user@host:5432/name).
# Per process, in memory: nothing cached has to be shared between processes (the
# coverage figures are keyed by what they were computed from, see visits/coverage.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# Behind PgBouncer in transaction pooling a server-side cursor (QuerySet.iterator) cannot
# outlive the transaction the pooler lends its connection for: turn them off there.
DATABASES["default"].setdefault(
    "DISABLE_SERVER_SIDE_CURSORS", env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
)
# A kept connection is checked before reuse, so a restarted PostgreSQL costs no request.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A PostgreSQL that does not answer must fail a request (and /healthz) quickly.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes the outbox.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "liaison.User"

# Axes first: it refuses a locked-out sign-in before any password is checked. Members sign
# in to the portal with their mobile number or member number (members.backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "members.backends.MemberSignInBackend",
    "members.verification.SmsCodeBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"

# --- Language and time ----------------------------------------------------------------
# The office works in Simplified Chinese on Beijing time; English is available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Pages name their date formats (DATE_FORMAT …); these adjust Django's per language.
FORMAT_MODULE_PATH = ["liaison.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Bootstrap is served from the xstatic package, never from a CDN: offices often sit
# behind filtering proxies and the content security policy allows only 'self'.
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic_bootstrap.BASE_DIR)]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Behind nginx: the internal location that serves MEDIA_ROOT (e.g. "/protected-media/");
# Django checks who may see a file and nginx sends it. Empty: Django streams the file.
MEDIA_ACCEL_REDIRECT = env("MEDIA_ACCEL_REDIRECT", default="")
# Uploaded files on local disk (MEDIA_ROOT, the default) or, with MEDIA_STORAGE=s3, in a
# private bucket of an S3-compatible store (liaison/storage.py), which every web host
# reads alike. Either way they are reached only through the /media/ view's check.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
S3_BUCKET = env("S3_BUCKET", default="")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default="")  # empty: AWS itself
S3_PREFIX = env("S3_PREFIX", default="media")
# From the object store: "redirect" sends the browser to a signed URL (the store must
# be reachable from browsers), "stream" passes the file through the web process.
MEDIA_DELIVERY = env("MEDIA_DELIVERY", default="redirect")
if MEDIA_DELIVERY not in ("redirect", "stream"):
    raise ImproperlyConfigured("MEDIA_DELIVERY must be 'redirect' or 'stream'.")
# A signed URL is made after the permission check, for one file, and is only needed
# until the browser follows the redirect: a minute is plenty, and a link copied out
# of the browser is dead soon after.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=60)
S3_STORAGE = {
    "BACKEND": "liaison.storage.PrivateS3Storage",
    "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": S3_ENDPOINT_URL or None,
        "region_name": env("S3_REGION", default="") or None,
        "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
        "location": S3_PREFIX,
        "addressing_style": env("S3_ADDRESSING_STYLE", default="auto"),
        "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
    },
}
if MEDIA_STORAGE == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
STORAGES = {
    "default": (
        S3_STORAGE
        if MEDIA_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads above this are refused by the form validators before they reach the disk.
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=2 * 1024 * 1024)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A slow mail server must fail a delivery attempt (and be retried), not hang the worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="政协联络处 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages (liaison/sms.py). The logging backend writes each message to the log;
# liaison.sms.AlibabaSmsBackend and liaison.sms.TencentSmsBackend send through a gateway.
SMS_BACKEND = env("SMS_BACKEND", default="liaison.sms.LoggingSmsBackend")
SMS_ACCESS_KEY_ID = env("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env("SMS_ACCESS_KEY_SECRET", default="")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="")
# {"<message kind>": {"code": "<template code or id>", "params": ["name", "title", ...]}}
SMS_TEMPLATES = env.json("SMS_TEMPLATES", default={})
# Empty: the gateway's public endpoint. "http://host:port" points at a stand-in.
SMS_ENDPOINT = env("SMS_ENDPOINT", default="")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10)
SMS_REGION = env("SMS_REGION", default="ap-guangzhou")  # Tencent only
SMS_SDK_APP_ID = env("SMS_SDK_APP_ID", default="")  # Tencent only
# At most this many text messages per member a day; the rest go in one digest.
SMS_DAILY_LIMIT = env.int("SMS_DAILY_LIMIT", default=3)
# No text messages from 22:00 to 08:00 local time: they are held until the morning.
SMS_QUIET_HOURS = (22, 8)

# --- Celery and Redis -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# Rate limits must be counted once for every web process and machine, so not in the
# per-process default cache. Fails fast when Redis does not answer; liaison/ratelimit.py
# then counts per process rather than break the page.
CACHES["ratelimit"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "liaison",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}
# A job's progress (liaison.jobs) is written here as well as to its row, because a job
# that writes all-or-nothing holds its row's updates in a transaction until the end; the
# web process and the worker must share it, so Redis.
CACHES["jobs"] = {**CACHES["ratelimit"], "KEY_PREFIX": "liaison-jobs"}
JOBS_CACHE = "jobs"
# A running job that has not reported progress for this long lost its worker: the sweep
# runs it once more, then marks it failed. Above the longest step a job takes between two
# reports (a roster's final bulk write).
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=5 * 60)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# A worker killed mid-task leaves the message unacknowledged, so Redis hands it out again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With acks_late, a task running when the broker connection drops is redelivered once
# the worker reconnects; cancel the running copy instead of letting both run (Celery
# 6's default; Celery 5 warns without it).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest task (a district-scale PDF) stays well under 30 minutes; kombu only restores
# an unacknowledged message after this timeout, so it must exceed the longest task.
CELERY_TASK_TIME_LIMIT = 25 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 24 * 60
# A document render stops, and the document is marked failed with a message saying
# why, once it has run this long or its worker process holds this much memory
# (reports.pdf.render_limits; the district's longest roster needs about 4 minutes and
# 400 MiB). A worker process left larger than the memory limit by a task is replaced.
DOCUMENT_RENDER_SECONDS = env.int("DOCUMENT_RENDER_SECONDS", default=15 * 60)
DOCUMENT_RENDER_MEMORY_MIB = env.int("DOCUMENT_RENDER_MEMORY_MIB", default=1024)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = DOCUMENT_RENDER_MEMORY_MIB * 1024  # KiB
# The office's licensed fonts (方正小标宋简体, 仿宋_GB2312 …), named by role; they come
# before the free fonts in documents (reports.fonts; `manage.py document_fonts` checks).
DOCUMENT_FONT_DIR = env.str("DOCUMENT_FONT_DIR", default="")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    # A hung Redis must fail fast rather than hang whoever talks to it.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker and beat wait out a Redis outage however long it lasts, instead of exiting
# after 100 reconnection attempts (~45 min) — under honcho an exiting worker would stop
# the web server too. Publishers are unaffected: they give up after the timeout above.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing is never retried in-line: the outbox table is the durable queue, and the
# beat sweep picks up anything that could not be handed to Redis.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)

# The lease on a claimed outbox row: the worker renews it while it sends its batch
# (liaison/outbox.py), so it must only outlast one message (several EMAIL_TIMEOUTs: a
# message may take five sixths of it). When it runs out the worker is taken for dead
# and the next sweep (every 30 s) sends the row again: within two minutes of a kill.
OUTBOX_CLAIM_TIMEOUT_SECONDS = env.int("OUTBOX_CLAIM_TIMEOUT_SECONDS", default=90)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)

# --- Password reset -------------------------------------------------------------------
# Each address and each client address may ask for this many reset e-mails per window
# (liaison/password_reset.py). Per client generously: members behind one office or
# carrier NAT address share it.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=20)
PASSWORD_RESET_LIMIT_WINDOW_MINUTES = env.int("PASSWORD_RESET_LIMIT_WINDOW_MINUTES", default=60)

# --- Member accounts: activation and SMS verification codes --------------------------
# How long an activation link or code sent to a member stays valid (members/accounts.py).
MEMBER_ACTIVATION_VALID_DAYS = env.int("MEMBER_ACTIVATION_VALID_DAYS", default=14)
# SMS codes (members/verification.py) cost money and reach a phone: per day at most this
# many to one number, and this many asked for from one client address (many members
# share an office network, so the client cap is the larger one).
SMS_CODE_DAILY_LIMIT_PER_NUMBER = env.int("SMS_CODE_DAILY_LIMIT_PER_NUMBER", default=10)
SMS_CODE_DAILY_LIMIT_PER_CLIENT = env.int("SMS_CODE_DAILY_LIMIT_PER_CLIENT", default=50)

# --- Sign-in lockout (django-axes) ----------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "members.backends.axes_username"
# axes.W006 wants the client IP in the lockout key. We lock by username on purpose (a
# wrong password five times locks that sign-in, whoever tries it): many members sign in
# from behind one carrier or office NAT address, and an IP lockout would lock them all
# out together. Rotating user agents or cookies does not get around a username lockout.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
# The client's address (recorded with every failed sign-in, and the password reset's
# limit per client) is read by django-ipware with these settings (axes passes them on;
# liaison.ratelimit.client_address asks axes). Behind our nginx, which overwrites
# X-Forwarded-For with the address it sees (deploy/nginx/liaison.conf), set the order
# to "HTTP_X_FORWARDED_FOR,REMOTE_ADDR": the header then holds exactly one address, and
# AXES_IPWARE_PROXY_COUNT = 0 (no further proxies listed in it) makes ipware refuse a
# longer chain — a client cannot add an address of its choosing — and fall back to
# REMOTE_ADDR. Directly on gunicorn (development) only REMOTE_ADDR is read.
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"]
)
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_ORDER = "left-most"

# --- Content security policy ----------------------------------------------------------
# Only our own files: no inline scripts, no CDN.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if MEDIA_STORAGE == "s3" and MEDIA_DELIVERY == "redirect":
    # Photos shown in pages are redirected to the store: allow its origin for images
    # (with virtual-hosted addressing the bucket is a subdomain of the endpoint).
    from urllib.parse import urlsplit

    _store = urlsplit(S3_ENDPOINT_URL) if S3_ENDPOINT_URL else urlsplit("https://amazonaws.com")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += [
        f"{_store.scheme}://{_store.netloc}",
        f"{_store.scheme}://*.{_store.netloc}",
    ]

# --- Forms ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- django-import-export and history -------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The file between an import's preview and its confirmation is kept in the media storage
# (the object store on several hosts), not in the web host's /tmp: behind a load
# balancer the confirmation may reach another host than the preview did.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
# A roster with more data rows than this is imported by the worker, with a progress bar
# (members.jobs): previewing thousands of rows in a page request held a web process for a
# minute. Smaller ones are previewed and confirmed on the page.
ROSTER_IMPORT_WORKER_ROWS = env.int("ROSTER_IMPORT_WORKER_ROWS", default=1000)
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Every handler masks signed unit links (liaison.logs): they are the units' credentials.
# "django" and "django.server" are named so that Django's default handlers for them
# (which would print request paths unmasked) are replaced by the masking console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"unit_links": {"()": "liaison.logs.MaskUnitLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["unit_links"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
