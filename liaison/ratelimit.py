"""Counting requests per key in a fixed window, in a cache every web process shares.

The default cache is per process (settings, CACHES), so a limit kept there would be
multiplied by the number of gunicorn workers and machines; the ``ratelimit`` cache is
Redis. If Redis cannot be reached the count falls back to the per-process cache: a
Redis outage weakens the limit for a while but never breaks the page that asks.
"""

import hashlib
import ipaddress
import logging

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)


def _count(cache, key: str, window: int) -> int:
    # add() starts the window (and its expiry) only if there is none; incr() keeps the
    # expiry, so the window is fixed: flooding a key does not extend its own refusal.
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one request for ``value`` (an address, a client address) in ``scope``;
    True while at most ``limit`` requests were counted in the current ``window``
    seconds. The value is hashed: no address is written to the cache in clear."""
    key = f"ratelimit:{scope}:{hashlib.sha256(value.encode()).hexdigest()}"
    try:
        count = _count(caches["ratelimit"], key, window)
    except Exception:  # Redis down or refusing: count in this process instead
        logger.warning("Rate limit: shared cache unavailable, counting per process", exc_info=True)
        count = _count(caches["default"], key, window)
    return count <= limit


def client_address(request) -> str | None:
    """The client's IP address, from the first of the request headers
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER names that holds one (README: behind
    the proxy, ``HTTP_X_FORWARDED_FOR`` first). axes uses it too (AXES_CLIENT_IP_CALLABLE):
    django-ipware, which axes would read that setting with, is not installed.

    Of a list in X-Forwarded-For the last entry is the one our proxy wrote; the earlier
    ones are whatever the client sent, so a forged header cannot pick the address.
    """
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        candidate = request.META.get(header, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None
