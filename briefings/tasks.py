from celery import shared_task

from liaison.tasks import deliver_notifications

from .reminders import briefing_reminders_queue


@shared_task(name="briefings.tasks.briefing_reminders", ignore_result=True)
def briefing_reminders() -> dict:
    """The activity reminder sweep; harmless to run again (each reminder once per
    occasion)."""
    queued = briefing_reminders_queue()
    delivery = deliver_notifications() if any(queued.values()) else {}
    return {**queued, **delivery}
