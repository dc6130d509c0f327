"""The reminder benchmark: a sweep writing 10,000 reminders to the outbox and their
delivery by a real Celery worker, ÷ 10,000 no-op Celery tasks through the same broker
(a private redis-server) and the same worker. Mail goes to Django's in-memory backend:
this measures our code and the broker, not an SMTP server.

Both sides are measured in the same shape, one step after the other: the reminders are
written (the worker idle), then delivered; the no-op tasks are queued while the worker
is stopped (SIGSTOP), then the worker is let go (SIGCONT) and drains them. Queued while
the worker ran, the no-op tasks were produced and consumed at once on two processes, so
the baseline took half as long on an idle machine as on a loaded one while the
reminders' serial steps did not change: the ratio swung between 1.57 and 3.06 from run
to run. In series, a neighbour's load stretches both sides alike.

The ratio is taken on CPU seconds — of this process, the worker, the private Redis and
the database's server processes serving them — and wall time is reported beside it. On
a machine loaded twenty deep, waiting dominates wall time: each of the reminders'
30,000 round trips to the database waits for the scheduler, and the wall-time ratio of
the rounds of one run spread from 2.65 to 9.80 even in series."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid

from .common import celery_worker, run_with_broker

TARGET = 3.0
COUNT = 10_000
ROUNDS = 3


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not done after {timeout} s")
        time.sleep(0.05)


@contextlib.contextmanager
def _paused(worker):
    """The worker stopped (it takes nothing from the broker) until the block ends."""
    if worker is None:
        yield
        return
    os.kill(worker.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(worker.pid, signal.SIGCONT)


def _cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each live process of ``pids`` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


class CpuClock:
    """CPU seconds spent by this process, the worker, the broker and the database
    server's processes for this database, between ``start()`` and ``stop()``."""

    def __init__(self, worker):
        import redis

        self.worker = worker
        self.redis = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"]

    def _pids(self) -> list[int]:
        from django.db import connection

        pids = [os.getpid(), self.redis] + ([self.worker.pid] if self.worker else [])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                )
                pids += [pid for (pid,) in cursor.fetchall()]
        return pids

    def start(self) -> None:
        self.started = _cpu_seconds(self._pids())

    def stop(self) -> float:
        ended = _cpu_seconds(self._pids())
        return sum(cpu - self.started.get(pid, 0.0) for pid, cpu in ended.items())


def tasks_through_worker(n: int, worker=None) -> float:
    """Seconds for ``n`` no-op tasks through the broker and the running worker: queued
    while ``worker`` (the process, if given) is stopped, then drained by it."""
    import redis

    from . import tasks

    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    key = f"bench:{uuid.uuid4().hex}"
    with _paused(worker):
        started = time.perf_counter()
        for _ in range(n):
            tasks.noop.apply_async()
        tasks.done.apply_async(args=[key, url])
        queued = time.perf_counter() - started
    started = time.perf_counter()
    _wait(lambda: client.exists(key), 600, "no-op tasks")
    return queued + time.perf_counter() - started


def _done_after_queued(key: str) -> None:
    """Queue ``bench.done`` and wait until the worker has run it (and so everything
    queued before it)."""
    import redis

    from . import tasks

    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    tasks.done.apply_async(args=[key, url])
    _wait(lambda: client.exists(key), 900, "delivery")


def noop_baseline(count: int, worker=None) -> float:
    """``count`` no-op tasks, once the worker is up and connected."""
    tasks_through_worker(1)
    return tasks_through_worker(count, worker)


def measure(count: str) -> dict:
    """In a child process with Django set up; starts the worker itself."""
    from django.core.management import call_command
    from django.db import transaction

    from liaison.models import Notification
    from liaison.services import notification_queue
    from liaison.tasks import deliver_notifications

    count = int(count)
    call_command("migrate", verbosity=0)
    # The worker keeps its database connection, so that its server process (and its
    # CPU seconds) outlive each task.
    env = {**os.environ, "CONN_MAX_AGE": "600"}

    def reminders_through_worker(n: int, round_) -> tuple[float, float, int]:
        started = time.perf_counter()
        with transaction.atomic():  # one sweep, as a reminder task writes it
            for i in range(n):
                notification_queue(
                    channel=Notification.Channel.EMAIL,
                    kind="bench",
                    dedupe_key=f"bench:{round_}:{i}",
                    subject="会议提醒",
                    body="请准时参加本周五的界别活动。",
                    address=f"member{i}@example.cn",
                )
        swept = time.perf_counter() - started
        # Waiting asks for one unsent row of this round by primary key (the rounds before
        # stay in the table; counting them all every poll would load the machine).
        ids = Notification.objects.filter(dedupe_key__startswith=f"bench:{round_}:")
        first, last = min(ids.values_list("pk", flat=True)), max(ids.values_list("pk", flat=True))
        this_round = Notification.objects.filter(pk__range=(first, last))
        started_delivery = time.perf_counter()
        deliver_notifications.apply_async(kwargs={"limit": n})
        # The solo worker takes tasks in order: when "done" runs, the delivery has run.
        # Waiting on a Redis key costs next to nothing, where polling the table would
        # add CPU seconds in proportion to the wait.
        _done_after_queued(f"bench:delivered:{round_}")
        unsent = this_round.exclude(status=Notification.Status.SENT)
        _wait(lambda: not unsent.exists(), 900, "delivery")
        delivered = time.perf_counter() - started_delivery
        sent = this_round.filter(status=Notification.Status.SENT).count()
        return swept + delivered, swept, sent

    # Rounds of baseline then reminders, back to back, so that a neighbour's load on
    # this shared machine falls on both; the ratio is the median of the rounds'.
    rounds = []
    with celery_worker(env) as worker:
        tasks_through_worker(1)  # the worker is up and connected
        reminders_through_worker(100, "warm-up")  # its first delivery imports and connects
        clock = CpuClock(worker)
        for round_ in range(ROUNDS):
            clock.start()
            baseline = tasks_through_worker(count, worker)
            baseline_cpu = clock.stop()
            clock.start()
            total, swept, sent = reminders_through_worker(count, round_)
            total_cpu = clock.stop()
            rounds.append(
                {
                    "noop_seconds": baseline,
                    "sweep_seconds": swept,
                    "total_seconds": total,
                    "wall_ratio": total / baseline,
                    "noop_cpu_seconds": baseline_cpu,
                    "total_cpu_seconds": total_cpu,
                    "ratio": total_cpu / baseline_cpu,
                    "sent": sent,
                }
            )
    median = sorted(rounds, key=lambda r: r["ratio"])[len(rounds) // 2]
    return {"count": count, **median, "rounds": rounds}


def main(args, log=print) -> dict:
    return run_with_broker(
        "reminders",
        COUNT,
        lambda label: (
            f"提醒：{COUNT:,} 条提醒的写入和发送 ÷ {COUNT:,} 个空任务（{label}，私有 Redis）……"
        ),
        log,
    )


def print_result(result: dict, log=print) -> bool:
    ok = result["ratio"] <= TARGET and result["sent"] == result["count"]
    log(
        f"\n提醒：写入 {result['count']:,} 条（{result['sweep_seconds']:.1f} 秒）并由 worker 发送，"
        f"CPU {result['total_cpu_seconds']:.1f} 秒 ÷ {result['count']:,} 个空任务 CPU "
        f"{result['noop_cpu_seconds']:.1f} 秒 = {result['ratio']:.2f}（目标 ≤ {TARGET:g}）"
        f"{'' if ok else '  未达标'}；已发送 {result['sent']:,} 条"
        f"\n  （墙钟 {result['total_seconds']:.1f} 秒 ÷ {result['noop_seconds']:.1f} 秒 = "
        f"{result['wall_ratio']:.2f}；{len(result['rounds'])} 轮空任务与提醒交替，"
        "取 CPU 比值中位数；各轮 CPU 比值 "
        + "，".join(f"{r['ratio']:.2f}" for r in result["rounds"])
        + "，墙钟比值 "
        + "，".join(f"{r['wall_ratio']:.2f}" for r in result["rounds"])
        + "）"
    )
    return ok
