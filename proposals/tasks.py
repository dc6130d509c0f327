from celery import shared_task

from liaison.models import today
from liaison.tasks import deliver_notifications

from .reminders import proposal_reminders_queue


@shared_task(name="proposals.tasks.proposal_reminders", ignore_result=True)
def proposal_reminders() -> dict:
    """The daily proposal sweep; harmless to run again (each reminder once per occasion)."""
    queued = proposal_reminders_queue(today())
    delivery = deliver_notifications() if any(queued.values()) else {}
    return {**queued, **delivery}
