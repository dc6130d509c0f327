"""Celery tasks for what every app shares: delivering the notification outbox."""

import logging

from celery import shared_task

from . import jobs, outbox

logger = logging.getLogger(__name__)


@shared_task(name="liaison.tasks.deliver_notifications", ignore_result=True)
def deliver_notifications(limit: int = 500) -> dict:
    """The outbox sweep (beat, every 30 seconds): release claims of dead workers, then
    send what is due, in batches, at most ``limit`` rows per run.

    Harmless to run twice or concurrently: rows are claimed before they are sent, so
    each is sent by one run only. Anything written while Redis was down is still in the
    table and goes out with the first sweep after it returns.
    """
    released = outbox.release_stale_claims()
    report = outbox.deliver_pending(limit=limit)
    if report.attempted or released:
        logger.info(
            "Outbox: %s sent, %s to retry, %s failed, %s stale claims released",
            report.sent,
            report.retrying,
            report.failed,
            released,
        )
    return {
        "released": released,
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
    }


@shared_task(name="liaison.tasks.run_job", ignore_result=True)
def run_job(job_id: int) -> None:
    """Do one queued job (liaison.jobs). Harmless to run twice."""
    jobs.job_run(job_id=job_id)


@shared_task(name="liaison.tasks.jobs_sweep", ignore_result=True)
def jobs_sweep() -> dict:
    """Jobs whose task was lost or whose worker died: queued again, or failed."""
    return jobs.jobs_sweep()
