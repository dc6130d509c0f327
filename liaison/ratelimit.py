"""Counting requests per key in a fixed window, in a cache every web process shares.

The default cache is per process (settings, CACHES), so a limit kept there would be
multiplied by the number of gunicorn workers and machines; the ``ratelimit`` cache is
Redis. If Redis cannot be reached the count falls back to the per-process cache: a
Redis outage weakens the limit for a while but never breaks the page that asks.
"""

import hashlib
import logging

from axes.helpers import get_client_ip_address
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
    """The client's IP address, as django-axes records it with a failed sign-in:
    django-ipware with the AXES_IPWARE_* settings (behind our nginx, the one address
    it wrote into X-Forwarded-For; a longer, client-made chain is refused)."""
    return get_client_ip_address(request)
