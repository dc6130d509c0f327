import datetime

from celery import shared_task

from liaison.tasks import deliver_notifications

from .reminders import consultation_reminders_queue


@shared_task(name="consultations.tasks.consultation_reminders", ignore_result=True)
def consultation_reminders(now: str | None = None) -> dict:
    """The consultation reminder sweep; harmless to run again (each reminder once per
    deadline). ``now`` (ISO 8601, with its offset) replays a given moment."""
    moment = datetime.datetime.fromisoformat(now) if now else None
    queued = consultation_reminders_queue(moment)
    delivery = deliver_notifications() if queued["reminders"] or queued["last_calls"] else {}
    return {**queued, **delivery}
