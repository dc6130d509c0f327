import logging

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .services import notifications_mark_all_read

logger = logging.getLogger(__name__)

# Connect and read each get this long, so the whole check stays under 3 seconds even
# when Redis accepts connections but never answers (a SIGSTOPped or wedged server).
BROKER_TIMEOUT_SECONDS = 1.0


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.warning("healthz: database check failed", exc_info=True)
        return False


def _broker_ok(timeout: float = BROKER_TIMEOUT_SECONDS) -> bool:
    """PING the Celery broker (Redis) over a fresh connection with hard timeouts.

    Deliberately not through Celery/kombu: kombu retries connecting for up to
    ``broker_connection_timeout`` per attempt and may retry, which is right for a worker
    and wrong for a probe. redis-py's default retry policy is switched off for the same
    reason.
    """
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    url = getattr(settings, "CELERY_BROKER_URL", None) or settings.REDIS_URL
    try:
        client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception as exc:  # refused, timed out, bad URL: the broker does not answer
        logger.warning("healthz: broker check failed: %s", exc)
        return False


@never_cache
@require_GET
def healthz(request):
    """Database and broker status for the load balancer and monitoring: 200 when both
    answer, 503 otherwise. The portal and admin keep working without Redis (reminders
    wait in the outbox), so 503 here means "degraded", not "down"."""
    database = _database_ok()
    broker = _broker_ok()
    status = 200 if database and broker else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": "ok" if database else "down",
            "broker": "ok" if broker else "down",
        },
        status=status,
    )


@staff_member_required
@require_POST
def inbox_read_all(request):
    """Staff mark every message on the admin index's panel read."""
    notifications_mark_all_read(actor=request.user)
    return redirect("admin:index")
