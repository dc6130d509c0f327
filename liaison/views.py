from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _broker_ok(timeout: float = 1.5) -> bool:
    """PING Redis over a socket with a hard timeout: a hung (SIGSTOPped) Redis accepts
    the connection but never answers, and must not hold this request."""
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


@never_cache
@require_GET
def healthz(request):
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
