"""/healthz: 200 when the database and the broker answer, 503 otherwise — quickly, even
when Redis hangs."""

import socket
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db

REAL_REDIS = "redis://127.0.0.1:6379/14"


def point_broker_at(settings, url):
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url


@pytest.fixture
def closed_port():
    """A port nothing listens on: connections are refused (Redis stopped)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def silent_port():
    """A socket that accepts connections and never answers (Redis SIGSTOPped)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def get_healthz(client):
    started = time.monotonic()
    response = client.get("/healthz")
    return response, time.monotonic() - started


def test_healthz_is_ok_when_database_and_redis_answer(client, settings):
    point_broker_at(settings, REAL_REDIS)

    response, _ = get_healthz(client)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_at_once_when_redis_is_stopped(client, settings, closed_port):
    point_broker_at(settings, f"redis://127.0.0.1:{closed_port}/0")

    response, elapsed = get_healthz(client)

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"
    assert elapsed < 1.5


def test_healthz_answers_503_within_3_seconds_when_redis_hangs(client, settings, silent_port):
    point_broker_at(settings, f"redis://127.0.0.1:{silent_port}/0")

    response, elapsed = get_healthz(client)

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert elapsed < 3


def test_healthz_answers_503_when_the_database_fails(client, settings, monkeypatch):
    point_broker_at(settings, REAL_REDIS)

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response, _ = get_healthz(client)

    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "down", "broker": "ok"}


def test_healthz_is_never_cached(client, settings):
    point_broker_at(settings, REAL_REDIS)

    response, _ = get_healthz(client)

    assert "no-cache" in response["Cache-Control"]
