import datetime

from celery import shared_task

from liaison.tasks import deliver_notifications

from .reminders import briefing_reminders_queue


@shared_task(name="briefings.tasks.briefing_reminders", ignore_result=True)
def briefing_reminders(now: str | None = None) -> dict:
    """The activity reminder sweep; harmless to run again (each reminder once per
    occasion). ``now`` (ISO 8601, with its offset) replays a given moment: beat sends
    nothing and the sweep runs at the present."""
    moment = datetime.datetime.fromisoformat(now) if now else None
    queued = briefing_reminders_queue(moment)
    delivery = deliver_notifications() if any(queued.values()) else {}
    return {**queued, **delivery}
