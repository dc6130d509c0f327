"""Settings for one host of the two-host drill (tests/proof/test_hosts.py): the drill
settings (mail one file per message), with what the test settings replace put back as
production has it — uploaded files on the object store when MEDIA_STORAGE=s3, the
sign-in rate limits and job progress in the one Redis — and the host's own folders."""

from liaison.settings.base import S3_STORAGE, env

from .drill_settings import *  # noqa: F403

if MEDIA_STORAGE == "s3":  # noqa: F405
    STORAGES = {**STORAGES, "default": S3_STORAGE}  # noqa: F405
# As liaison/settings/base.py has them (the test settings replaced them in its dict).
_REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,  # noqa: F405
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}
CACHES = {
    **CACHES,  # noqa: F405
    "ratelimit": {**_REDIS_CACHE, "KEY_PREFIX": "liaison"},
    "jobs": {**_REDIS_CACHE, "KEY_PREFIX": "liaison-jobs"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT"))  # noqa: F405
STATIC_ROOT = Path(env("STATIC_ROOT"))  # noqa: F405
