"""Fault drills: Redis stopped, Redis hung, a worker killed mid-batch, two sweeps at
once. Each runs a private redis-server on a spare port and real Celery workers as
subprocesses against the test database; mail is written one file per message
(tests/proof/drill_mail.py) so deliveries are counted across processes.

Expectations: pages that do not need the broker keep working; nothing enqueued hangs a
request beyond its timeout; after recovery every reminder is delivered, none twice from
the outbox; no manual step.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from bench.common import free_port, stop, wait_for_port, worker_args
from liaison.celery import app as celery_app
from liaison.models import Notification
from liaison.services import notification_queue
from liaison.tasks import deliver_notifications
from tests.proof.drill_mail import delivered

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
Status = Notification.Status
CLAIM_TIMEOUT = 2  # seconds, for the drills' workers: a dead worker's claims return fast


class Redis:
    """A private redis-server that the drill can stop, restart, pause and resume."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
        stop(self.proc)


def _use_broker(url):
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _database_url() -> str:
    """The test database, for the worker subprocesses."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"])
    return (
        f"postgres://{user}{'@' if user else ''}{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


@pytest.fixture
def redis_server(tmp_path, settings):
    server = Redis(tmp_path)
    server.start()
    saved = celery_app.conf.broker_url
    settings.REDIS_URL = settings.CELERY_BROKER_URL = server.url
    _use_broker(server.url)
    yield server
    _use_broker(saved)
    server.stop()


@pytest.fixture
def mail_dir(tmp_path):
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


class Workers:
    """Celery worker subprocesses on the drill's broker and the test database."""

    def __init__(self, broker: str, mail_dir: Path, log_dir: Path):
        self.env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="tests.proof.drill_settings",
            DATABASE_URL=_database_url(),
            REDIS_URL=broker,
            DRILL_MAIL_DIR=str(mail_dir),
            OUTBOX_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT),
            PYTHONPATH=str(ROOT),
        )
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, delay: float = 0.0) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{uuid.uuid4().hex[:6]}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", *worker_args(name=f"drill-{uuid.uuid4().hex[:6]}")],
            cwd=ROOT,
            env=dict(self.env, DRILL_MAIL_DELAY=str(delay)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in self.procs:
            stop(proc)


@pytest.fixture
def workers(redis_server, mail_dir, tmp_path):
    pool = Workers(redis_server.url, mail_dir, tmp_path)
    yield pool
    pool.stop_all()


def queue_reminders(count: int, prefix: str = "drill") -> list[str]:
    addresses = [f"{prefix}{n}@example.cn" for n in range(count)]
    for n, address in enumerate(addresses):
        notification_queue(
            channel=Notification.Channel.EMAIL,
            kind="drill",
            dedupe_key=f"{prefix}:{n}",
            subject="活动提醒",
            body="请准时参加。",
            address=address,
        )
    return addresses


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {timeout} s")
        time.sleep(0.1)


def all_sent(count: int) -> bool:
    return Notification.objects.filter(status=Status.SENT).count() == count


@pytest.fixture
def signed_in(staff, member):
    """A member's and a staff member's browser, each its own client."""
    clients = {"member": Client(), "staff": Client()}
    clients["member"].force_login(member.user)
    clients["staff"].force_login(staff)
    return clients


def pages_without_broker(signed_in):
    for who, url in (
        ("member", reverse("portal:dashboard")),
        ("member", reverse("portal:proposals")),
        ("staff", reverse("admin:index")),
        ("staff", reverse("admin:members_member_changelist")),
    ):
        client = signed_in[who]
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200, url
        assert time.monotonic() - started < 5, url


def test_redis_stopped_pages_work_healthz_degrades_and_reminders_go_out_once_after(
    redis_server, workers, mail_dir, client, signed_in
):
    redis_server.stop()

    pages_without_broker(signed_in)
    assert client.get(reverse("healthz")).status_code == 503
    addresses = queue_reminders(5)  # written while Redis is down
    started = time.monotonic()
    with pytest.raises(OperationalError):
        deliver_notifications.apply_async()
    assert time.monotonic() - started < 10  # publishing fails fast, it does not hang

    redis_server.start()  # same port
    _use_broker(redis_server.url)
    assert client.get(reverse("healthz")).status_code == 200
    workers.start()
    deliver_notifications.apply_async()
    deliver_notifications.apply_async()
    wait_until(lambda: all_sent(5), 30, "delivery after Redis returned")

    assert delivered(mail_dir) == sorted(addresses)


def test_redis_hung_requests_still_answer_healthz_in_3_s_then_delivery_resumes(
    redis_server, workers, mail_dir, client, signed_in
):
    os.kill(redis_server.proc.pid, signal.SIGSTOP)
    try:
        pages_without_broker(signed_in)
        started = time.monotonic()
        assert client.get(reverse("healthz")).status_code == 503
        assert time.monotonic() - started < 3
        addresses = queue_reminders(3)
    finally:
        os.kill(redis_server.proc.pid, signal.SIGCONT)

    _use_broker(redis_server.url)
    workers.start()
    deliver_notifications.apply_async()
    wait_until(lambda: all_sent(3), 30, "delivery after Redis resumed")
    assert delivered(mail_dir) == sorted(addresses)


def test_worker_killed_mid_batch_every_reminder_delivered_none_twice(workers, mail_dir):
    delay = 0.4
    addresses = queue_reminders(10)
    first = workers.start(delay=delay)
    deliver_notifications.apply_async()
    wait_until(lambda: len(delivered(mail_dir)) >= 3, 30, "the first messages")
    time.sleep(delay / 2)  # in the middle of the next message, before it is written
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert Notification.objects.filter(status=Status.SENDING).exists()
    assert len(delivered(mail_dir)) < 10

    time.sleep(CLAIM_TIMEOUT + 0.5)  # the dead worker's claims are now stale
    workers.start()
    deliver_notifications.apply_async()  # the next beat sweep releases and delivers them
    wait_until(lambda: all_sent(10), 30, "delivery by the new worker")

    assert delivered(mail_dir) == sorted(addresses)


def test_a_batch_longer_than_the_lease_is_kept_by_its_live_worker(workers, mail_dir):
    # 20 messages of 0.4 s: 8 s of sending against a 2 s lease. A second worker's sweep
    # in the middle finds every row renewed, takes none of them, and nothing goes twice.
    addresses = queue_reminders(20)
    workers.start(delay=0.4)
    deliver_notifications.apply_async()
    wait_until(lambda: len(delivered(mail_dir)) >= 1, 30, "the first message")
    time.sleep(CLAIM_TIMEOUT + 0.5)  # past the lease of the first claim
    workers.start()
    deliver_notifications.apply_async()
    wait_until(lambda: all_sent(20), 30, "delivery by the first worker")

    assert delivered(mail_dir) == sorted(addresses)
    assert not Notification.objects.filter(attempts__gt=0).exists()


def test_two_sweeps_at_once_deliver_each_reminder_once(workers, mail_dir):
    # Two beats each send the sweep; two workers take one each and run at the same time.
    addresses = queue_reminders(12)
    workers.start(delay=0.1)
    workers.start(delay=0.1)
    deliver_notifications.apply_async()
    deliver_notifications.apply_async()
    wait_until(lambda: all_sent(12), 30, "delivery by two concurrent sweeps")

    assert delivered(mail_dir) == sorted(addresses)


def test_the_same_reminder_written_by_two_concurrent_sweeps_is_queued_once():
    # Two beats' reminder sweeps write the same occasions at the same time: the dedupe
    # key lets one row through per occasion.
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait(5)
            queue_reminders(20, prefix="twice")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert Notification.objects.filter(kind="drill").count() == 20


# --- PostgreSQL restarted while requests are served ------------------------------------

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture
def private_postgres(tmp_path):
    """A PostgreSQL cluster of its own in a temporary directory on a spare port."""
    assert PG_BIN is not None, "PostgreSQL server binaries are not installed"
    data = Path(f"/tmp/drill-pg-{uuid.uuid4().hex[:8]}")
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        subprocess.run(["chown", "postgres:", str(data)], check=True)
    port = free_port()
    subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "drill"]),
        check=True,
        capture_output=True,
    )
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log")]
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"

    def pg(action: str):
        subprocess.run(_as_postgres([*ctl, "-o", options, action]), check=True, capture_output=True)

    pg("start")
    try:
        yield f"postgres://drill@127.0.0.1:{port}/postgres", pg
    finally:
        subprocess.run(_as_postgres([*ctl, "-m", "immediate", "stop"]), capture_output=True)
        subprocess.run(["rm", "-rf", str(data)])


# What each signed-in user requests while PostgreSQL goes away and comes back.
# The office's name is on both only when signed in.
DRILL_OFFICE = "演练街道政协联络处"
DRILL_PAGES = [("member", "/portal/", DRILL_OFFICE), ("staff", "/admin/", DRILL_OFFICE)]

# Run in a child process against the drill's database: a staff account and a member
# with an account, signed in; prints their session cookies.
SIGN_IN = f"""
import json, django
django.setup()
from django.test import Client
from tests.factories import OfficeFactory, member_with_account, staff_user
office = OfficeFactory(code="drill", name="{DRILL_OFFICE}")
cookies = {{}}
for who, user in (
    ("staff", staff_user(office, username="drill_staff")),
    ("member", member_with_account(office=office).user),
):
    client = Client()
    client.force_login(user)
    cookies[who] = client.cookies["sessionid"].value
print(json.dumps(cookies))
"""


def test_postgresql_restarted_while_requests_are_served_recovers_without_a_manual_step(
    private_postgres, tmp_path
):
    """Members and staff keep requesting pages from gunicorn (persistent database
    connections, CONN_MAX_AGE=60) while PostgreSQL stops and starts again: every request
    answers within the connect timeout, during the outage with the 503 page rather than
    an error trace, and afterwards with the page again, without restarting anything."""
    import http.client
    import json

    url, pg = private_postgres
    port = free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.proof.drill_settings",
        DATABASE_URL=url,
        CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT),
    )
    child = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], **child)
    cookies = json.loads(subprocess.run([sys.executable, "-c", SIGN_IN], **child).stdout)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "liaison.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(path, who=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Host": "127.0.0.1"}
        if who:
            headers["Cookie"] = f"sessionid={cookies[who]}"
        started = time.monotonic()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read().decode()
        finally:
            conn.close()
        return response.status, body, time.monotonic() - started

    def pages_answer():
        for who, path, text in DRILL_PAGES:
            status, body, _ = get(path, who)
            assert (path, status) == (path, 200) and text in body

    seen: list[tuple[int, float]] = []
    stopping = threading.Event()

    def keep_requesting():
        while not stopping.is_set():
            for who, path, _text in DRILL_PAGES:
                status, _body, seconds = get(path, who)
                seen.append((status, seconds))

    try:
        wait_for_port(port)
        assert '"database": "ok"' in get("/healthz")[1]
        pages_answer()
        traffic = threading.Thread(target=keep_requesting)
        traffic.start()
        time.sleep(1)

        pg("stop")
        for who, path, _text in DRILL_PAGES:
            status, body, seconds = get(path, who)
            assert status == 503 and "系统暂时不可用" in body
            assert seconds < 5  # connect_timeout, not a hung worker
        status, body, _ = get("/healthz")
        assert status == 503 and '"database": "ok"' not in body
        pg("start")

        pages_answer()  # no restart of the web server, no manual step
        assert '"database": "ok"' in get("/healthz")[1]
        time.sleep(1)
        stopping.set()
        traffic.join(timeout=30)
    finally:
        stopping.set()
        stop(server)
    statuses = {status for status, _ in seen}
    assert statuses <= {200, 503}, statuses  # an outage, never a crash page
    assert 503 in statuses and 200 in statuses
    assert max(seconds for _, seconds in seen) < 5
    assert seen[-1][0] == 200
