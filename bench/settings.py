"""Settings for the benchmarks: production-like (DEBUG off, same middleware) on a
throwaway database, plus one trivial signed-in view at /bench/ping (bench/urls.py)
that every page is measured against. Never used outside ``python -m bench``."""

from liaison.settings.base import *  # noqa: F403
from liaison.settings.base import env

DEBUG = False
BENCH = True
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Static files come from the apps' folders (no collectstatic in a throwaway run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Mail goes nowhere: the reminder benchmark measures the outbox, not an SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The SMS benchmark's worker sends through the Alibaba backend to a local stand-in.
SMS_BACKEND = env("SMS_BACKEND", default="liaison.sms.LocmemSmsBackend")
SMS_QUIET_HOURS = None  # the benchmark may run at night
LOGGING = {"version": 1, "disable_existing_loggers": False}
# ``pages --cold``: no process keeps anything between requests (every page as the first
# view of a process just started, or of another host).
if env.bool("BENCH_COLD_CACHE", default=False):
    CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405
