"""Each reminder path through a real Redis broker and a real Celery worker.

The worker runs in a thread of the test process (celery.contrib.testing), consuming a
queue of its own on Redis database 14, so mail.outbox sees what it sends; the database
is shared through transactional tests. Redis must be running (CI starts it): without
it these tests fail, they do not skip.
"""

import contextlib
import datetime
import threading
import time
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections
from kombu.exceptions import OperationalError

from liaison.celery import app as celery_app
from liaison.models import Notification, today
from liaison.services import notify_user
from liaison.sms import LocmemSmsBackend
from liaison.tasks import deliver_notifications
from members.models import Member
from members.tasks import birthday_reminders
from tests.factories import MemberFactory

# serialized_rollback: the flush after each test would remove the roles and terms that
# data migrations created, which later tests need.
pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BROKER_URL = "redis://127.0.0.1:6379/14"
Status = Notification.Status


def _use_broker(url):
    """Point the Celery app, publishers included, at another broker. Celery caches its
    connection and producer pools; dropping them is what Celery itself does after a
    fork."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Redis database 14, emptied, as the Celery broker for this test."""
    client = redis.Redis.from_url(BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not running at {BROKER_URL} ({exc}); start redis-server")
    client.flushdb()
    saved = celery_app.conf.broker_url
    _use_broker(BROKER_URL)
    yield client
    _use_broker(saved)
    client.flushdb()
    client.close()


class Finished:
    """Counts tasks the worker has finished, and closes the worker thread's database
    connections after each (PostgreSQL would otherwise refuse to drop the test
    database)."""

    def __init__(self):
        self.names: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, sender=None, **kwargs):
        connections.close_all()
        with self._changed:
            self.names.append(sender.name)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.names) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"worker finished {self.names} of {count} tasks in {timeout} s")
                self._changed.wait(left)


@contextlib.contextmanager
def running_worker(settings):
    """A real Celery worker (solo pool) consuming a queue of its own; yields the queue
    and the counter of finished tasks."""
    settings.SMS_BACKEND = "liaison.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    queue = f"test-{uuid.uuid4().hex[:8]}"
    finished = Finished()
    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            loglevel="WARNING",
        ):
            yield queue, finished
    finally:
        task_postrun.disconnect(finished)


@pytest.fixture
def worker(broker, settings):
    with running_worker(settings) as running:
        yield running


def send(task, queue):
    # Through the broker, exactly as beat sends it.
    task.apply_async(queue=queue)


def test_notifications_written_while_redis_was_down_are_delivered_once_by_the_worker(
    broker, settings, office, staff, member
):
    # Redis down: publishing fails, writing reminders does not.
    _use_broker("redis://127.0.0.1:1/0")
    with pytest.raises(OperationalError):
        deliver_notifications.apply_async()
    notify_user(
        user=staff,
        kind="birthday_heads_up",
        key="broker-test",
        template="birthday_greeting",
        context={"member": member, "office": office},
    )
    _use_broker(BROKER_URL)  # Redis returns

    with running_worker(settings) as (queue, finished):
        send(deliver_notifications, queue)
        send(deliver_notifications, queue)  # beat may well send two sweeps
        finished.wait_for(2)

    assert [message.to for message in mail.outbox] == [[staff.email]]
    assert mail.outbox[0].subject == "唐朝阳委员，祝您生日快乐！"
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_birthday_reminders_through_the_broker_greet_and_warn_once(worker, office, staff, member):
    queue, finished = worker
    day = today()
    lead = office.birthday_heads_up_days
    ahead = day + datetime.timedelta(days=lead)
    # 1972 is a leap year, so these birth dates exist whatever day the test runs.
    Member.objects.filter(pk=member.pk).update(birth_date=day.replace(year=1972))
    by_email = MemberFactory(
        office=office, birth_date=day.replace(year=1972), mobile="", name="王芳"
    )
    MemberFactory(office=office, birth_date=ahead.replace(year=1972), name="曹胜阳")

    send(birthday_reminders, queue)
    send(birthday_reminders, queue)
    finished.wait_for(2)

    subjects = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert subjects == sorted(
        [
            (by_email.email, "王芳委员，祝您生日快乐！"),
            (
                staff.email,
                f"【生日提醒】曹胜阳委员{lead}天后（{ahead.month}月{ahead.day}日）过生日",
            ),
        ]
    )
    assert [phone for phone, _ in LocmemSmsBackend.outbox] == [member.mobile]
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
