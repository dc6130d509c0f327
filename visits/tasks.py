import datetime

from celery import shared_task

from liaison.models import today
from liaison.tasks import deliver_notifications

from .reminders import visit_reminders_queue


@shared_task(name="visits.tasks.visit_reminders", ignore_result=True)
def visit_reminders(day: str | None = None) -> dict:
    """The visits and concerns sweep; harmless to run again (each reminder once per
    occasion). Beat sends no ``day`` (today); an ISO date replays a missed day."""
    queued = visit_reminders_queue(datetime.date.fromisoformat(day) if day else today())
    delivery = deliver_notifications() if any(queued.values()) else {}
    return {**queued, **delivery}
