"""Tasks only the reminder benchmark's worker loads (``--include bench.tasks``)."""

from celery import shared_task


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    """Does nothing: the baseline of one task through the broker and the worker."""


@shared_task(name="bench.done", ignore_result=True)
def done(key: str, url: str) -> None:
    """Queued after the no-op tasks: when it runs, the worker has taken every one."""
    import redis

    client = redis.Redis.from_url(url)
    client.set(key, "1")
    client.close()
