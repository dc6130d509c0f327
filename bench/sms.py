"""The SMS benchmark: 5,000 activation text messages written to the outbox and sent by a
real Celery worker through the Alibaba backend (the real SDK) to the local stand-in of
the gateway's API (tests/sms_gateways.py), ÷ 5,000 no-op Celery tasks through the same
broker (a private redis-server) and the same worker."""

from __future__ import annotations

import json
import os
import time

from .common import celery_worker, run_with_broker
from .reminders import _wait, noop_baseline

TARGET = 3.0
COUNT = 5_000
KIND = "account_activation"
TEMPLATES = {KIND: {"code": "SMS_900", "params": ["name", "code", "link"]}}


def measure(count: str) -> dict:
    """In a child process with Django set up; starts the stand-in and the worker."""
    from django.core.management import call_command
    from django.db import transaction

    from liaison.models import Notification
    from liaison.services import notifications_queue
    from liaison.tasks import deliver_notifications
    from tests.sms_gateways import AlibabaStandIn

    count = int(count)
    call_command("migrate", verbosity=0)
    with AlibabaStandIn() as gateway:
        env = dict(os.environ)
        env.update(
            SMS_BACKEND="liaison.sms.AlibabaSmsBackend",
            SMS_ENDPOINT=gateway.endpoint,
            SMS_ACCESS_KEY_ID="bench-key",
            SMS_ACCESS_KEY_SECRET="bench-secret",
            SMS_SIGN_NAME="政协联络处",
            SMS_TEMPLATES=json.dumps(TEMPLATES),
        )
        with celery_worker(env) as worker:
            baseline = noop_baseline(count, worker)

            started = time.perf_counter()
            with transaction.atomic():  # one action opening accounts writes them all
                notifications_queue(
                    rows=[
                        Notification(
                            channel=Notification.Channel.SMS,
                            kind=KIND,
                            dedupe_key=f"activation:{n}:sms",
                            subject="开通委员履职平台账号",
                            body=f"您的激活码为 {n:06d}，7 天内有效。",
                            address=f"139{n:08d}",
                            link=f"/portal/activate/{n}/",
                            sms_params={"name": f"委员{n}", "code": f"{n:06d}"},
                        )
                        for n in range(count)
                    ]
                )
            deliver_notifications.apply_async(kwargs={"limit": count})
            sent = Notification.objects.filter(status=Notification.Status.SENT)
            _wait(lambda: sent.count() >= count, 900, "delivery")
            total = time.perf_counter() - started
        received = len(gateway.received)
    return {
        "count": count,
        "noop_seconds": baseline,
        "total_seconds": total,
        "ratio": total / baseline,
        "sent": sent.count(),
        "received": received,
        "calls": gateway.calls,
    }


def main(args, log=print) -> dict:
    return run_with_broker(
        "sms",
        COUNT,
        lambda label: (
            f"短信：{COUNT:,} 条激活短信经阿里云短信接口（本地替身）发送"
            f" ÷ {COUNT:,} 个空任务（{label}，私有 Redis）……"
        ),
        log,
    )


def print_result(result: dict, log=print) -> bool:
    ok = result["ratio"] <= TARGET and result["received"] == result["count"]
    log(
        f"\n短信：{result['count']:,} 条激活短信由 worker 经网关替身发送"
        f"（{result['calls']} 次接口调用），"
        f"共 {result['total_seconds']:.1f} 秒 ÷ {result['count']:,} 个空任务 "
        f"{result['noop_seconds']:.1f} 秒 = {result['ratio']:.2f}（目标 ≤ {TARGET:g}）"
        f"{'' if ok else '  未达标'}；网关收到 {result['received']:,} 条"
    )
    return ok
