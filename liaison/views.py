import logging
import mimetypes
import posixpath
import sys
from urllib.parse import quote

import redis
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import redirect
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from redis.backoff import NoBackoff
from redis.retry import Retry

from .media import may_read
from .services import notifications_mark_all_read

logger = logging.getLogger(__name__)

# Connect and read each get this long, so the whole check stays under 3 seconds even
# when Redis accepts connections but never answers (a SIGSTOPped or wedged server).
BROKER_TIMEOUT_SECONDS = 1.0


# How long a browser or proxy should wait before retrying while the database is away.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """The 500 page (Chinese, no database needed). While the database cannot be reached
    — PostgreSQL restarting, a failover — say so with 503 and Retry-After instead: the
    request failed because of the outage, not because of a bug, and the next one works
    once the database is back (connections are opened per request). The same, with its
    own page, for an object store (MEDIA_STORAGE=s3) that does not answer."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponseServerError(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _object_store_error(error):
        # The object store did not answer: the service's transaction was rolled back
        # with the file, so nothing was saved; say so rather than "internal error".
        response = HttpResponseServerError(loader.render_to_string("503_storage.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


def _object_store_error(error) -> bool:
    if settings.MEDIA_STORAGE != "s3":
        return False  # boto3 is loaded only for the object store
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(error, BotoCoreError | ClientError)


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


# --- Uploaded files -------------------------------------------------------------------


@never_cache
@require_GET
def protected_media(request, path):
    """Uploaded files, served only to those allowed to see the record they belong to.

    On the object store (liaison.storage) the browser is redirected to a signed URL
    valid for ``MEDIA_SIGNED_URL_SECONDS``, or with ``MEDIA_DELIVERY=stream`` Django
    streams the object. On local disk with ``MEDIA_ACCEL_REDIRECT`` set (production
    behind nginx) the response only names the file in ``X-Accel-Redirect`` and nginx
    sends it from an ``internal`` location; otherwise Django streams it. Anonymous
    visitors go to the sign-in page; anyone else who may not see the file gets 404, as
    if it did not exist.
    """

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    name = posixpath.normpath(path).lstrip("/")
    if name.startswith("..") or "\\" in name or not may_read(request.user, name):
        raise Http404
    storage = default_storage
    try:
        found = storage.exists(name)
    except SuspiciousOperation:  # outside MEDIA_ROOT or the bucket's prefix
        found = False
    if not found:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type.startswith("image/")
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if hasattr(storage, "signed_url"):  # the object store (liaison.storage)
        if settings.MEDIA_DELIVERY == "redirect":
            return HttpResponseRedirect(
                storage.signed_url(name, content_type=content_type, inline=inline)
            )
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    elif accel:
        response = HttpResponse(content_type=content_type)
        # Percent-encoded: nginx decodes the URI, and headers must be ASCII (Chinese names).
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Images show in the page; documents download rather than open in the site's origin.
    response["Content-Disposition"] = "inline" if inline else "attachment"
    return response
