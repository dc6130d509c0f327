"""Tests: fast hashing, mail kept in memory, tasks run by hand unless a test opts in."""

import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Text messages go out whatever the hour a test runs at; the quiet-hours tests set
# (22, 8) themselves (tests/liaison/test_sms_gateways.py).
SMS_QUIET_HOURS = None
MEDIA_ROOT = Path(env("TEST_MEDIA_ROOT", default="/tmp/liaison-test-media"))  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = False
# Parallel test processes would share Redis's counters (and every client is 127.0.0.1).
# Same location as the default cache, so the per-test cache.clear() in conftest empties
# it too; tests/portal/test_password_reset.py runs the Redis one explicitly.
CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
CACHES["jobs"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
# Serve static files from the apps' folders as development does: tests never run
# collectstatic, and WhiteNoise would warn about the missing STATIC_ROOT on every request.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: tests that run several threads (concurrent registration) or a
    # real Celery worker need separate connections to see the same database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        # One file per test run, so parallel runs on one machine never share it.
        "NAME": env("TEST_SQLITE_NAME", default=f"/tmp/liaison-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"]["OPTIONS"]["timeout"] = 30  # noqa: F405
    # Durability is pointless for a throwaway database; skipping fsync keeps tests fast.
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
    )

# The memory limit of a document render is the worker process's resident size: a test
# process that has run hundreds of tests is far larger than a fresh worker, so the tests
# measure renders against a limit of their own (tests/reports/test_long_documents.py
# sets a small one to see a render stopped).
DOCUMENT_RENDER_MEMORY_MIB = 8192
CELERY_WORKER_MAX_MEMORY_PER_CHILD = None
