from celery import shared_task

from liaison.models import today
from liaison.tasks import deliver_notifications

from .reminders import plan_reminders_queue


@shared_task(name="plans.tasks.plan_reminders", ignore_result=True)
def plan_reminders() -> dict:
    queued = plan_reminders_queue(today())
    delivery = deliver_notifications() if queued else {}
    return {"queued": queued, **delivery}
