"""Settings for one host of the two-host drill (tests/proof/test_hosts.py): the drill
settings (mail one file per message), with what the test settings replace put back as
production has it — uploaded files on the object store when MEDIA_STORAGE=s3, the
sign-in rate limits and job progress in Redis — and the host's own disk folders."""

from liaison.settings.base import CACHES as SHARED_CACHES
from liaison.settings.base import S3_STORAGE, env

from .drill_settings import *  # noqa: F403

if MEDIA_STORAGE == "s3":  # noqa: F405
    STORAGES = {**STORAGES, "default": S3_STORAGE}  # noqa: F405
CACHES = {**CACHES, "ratelimit": SHARED_CACHES["ratelimit"], "jobs": SHARED_CACHES["jobs"]}  # noqa: F405
MEDIA_ROOT = Path(env("MEDIA_ROOT"))  # noqa: F405
STATIC_ROOT = Path(env("STATIC_ROOT"))  # noqa: F405
