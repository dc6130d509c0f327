"""The reminder benchmark: a sweep writing 10,000 reminders to the outbox and their
delivery by a real Celery worker, ÷ 10,000 no-op Celery tasks through the same broker
(a private redis-server) and the same worker. Mail goes to Django's in-memory backend:
this measures our code and the broker, not an SMTP server."""

from __future__ import annotations

import os
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


def tasks_through_worker(n: int) -> float:
    """Seconds for ``n`` no-op tasks through the broker and the running worker."""
    import redis

    from . import tasks

    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    key = f"bench:{uuid.uuid4().hex}"
    started = time.perf_counter()
    for _ in range(n):
        tasks.noop.apply_async()
    tasks.done.apply_async(args=[key, url])
    _wait(lambda: client.exists(key), 600, "no-op tasks")
    return time.perf_counter() - started


def noop_baseline(count: int) -> float:
    """``count`` no-op tasks, once the worker is up and connected."""
    tasks_through_worker(1)
    return tasks_through_worker(count)


def measure(count: str) -> dict:
    """In a child process with Django set up; starts the worker itself."""
    from django.core.management import call_command
    from django.db import transaction

    from liaison.models import Notification
    from liaison.services import notification_queue
    from liaison.tasks import deliver_notifications

    count = int(count)
    call_command("migrate", verbosity=0)
    env = dict(os.environ)

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
        deliver_notifications.apply_async(kwargs={"limit": n})
        sent = Notification.objects.filter(
            status=Notification.Status.SENT, dedupe_key__startswith=f"bench:{round_}:"
        )
        _wait(lambda: sent.count() >= n, 900, "delivery")
        return time.perf_counter() - started, swept, sent.count()

    # Rounds of baseline then reminders, back to back, so that a neighbour's load on
    # this shared machine falls on both; the ratio is the median of the rounds'.
    rounds = []
    with celery_worker(env):
        tasks_through_worker(1)  # the worker is up and connected
        reminders_through_worker(100, "warm-up")  # its first delivery imports and connects
        for round_ in range(ROUNDS):
            baseline = tasks_through_worker(count)
            total, swept, sent = reminders_through_worker(count, round_)
            rounds.append(
                {
                    "noop_seconds": baseline,
                    "sweep_seconds": swept,
                    "total_seconds": total,
                    "ratio": total / baseline,
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
        f"共 {result['total_seconds']:.1f} 秒 ÷ {result['count']:,} 个空任务 "
        f"{result['noop_seconds']:.1f} 秒 = {result['ratio']:.2f}（目标 ≤ {TARGET:g}）"
        f"{'' if ok else '  未达标'}；已发送 {result['sent']:,} 条"
        f"\n  （{len(result['rounds'])} 轮空任务与提醒交替，取比值中位数；各轮比值 "
        + "，".join(f"{r['ratio']:.2f}" for r in result["rounds"])
        + "）"
    )
    return ok
