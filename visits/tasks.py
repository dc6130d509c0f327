import datetime

from celery import shared_task

from liaison.models import today
from liaison.tasks import deliver_notifications

from . import tallies
from .reminders import visit_reminders_queue


@shared_task(name="visits.tasks.visit_reminders", ignore_result=True)
def visit_reminders(day: str | None = None) -> dict:
    """The visits and concerns sweep; harmless to run again (each reminder once per
    occasion). Beat sends no ``day`` (today); an ISO date replays a missed day."""
    queued = visit_reminders_queue(datetime.date.fromisoformat(day) if day else today())
    delivery = deliver_notifications() if any(queued.values()) else {}
    return {**queued, **delivery}


@shared_task(name="visits.tasks.repair_visit_tallies", ignore_result=True)
def repair_visit_tallies() -> int:
    """Recount the visit tallies that drifted from the visits; returns how many."""
    return tallies.repair()
