from celery import shared_task

from liaison.models import today
from liaison.tasks import deliver_notifications

from .reminders import visit_reminders_queue


@shared_task(name="visits.tasks.visit_reminders", ignore_result=True)
def visit_reminders() -> dict:
    """The visits and concerns sweep; harmless to run again (each reminder once per
    occasion)."""
    queued = visit_reminders_queue(today())
    delivery = deliver_notifications() if any(queued.values()) else {}
    return {**queued, **delivery}
