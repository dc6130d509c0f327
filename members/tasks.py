"""Celery tasks for the roster."""

from celery import shared_task

from liaison.models import Office, today
from liaison.tasks import deliver_notifications

from . import selectors
from .reminders import birthday_reminders_queue
from .verification import verification_code_send


@shared_task(name="members.tasks.count_account_reach", ignore_result=True)
def count_account_reach() -> int:
    """Recount every office's 委员平台账号 figures (members.models.AccountReach): members
    who became dormant as the days passed, the month's text messages, and anything a
    bulk write changed without marking. Returns how many offices were counted."""
    return len(selectors.count_account_reach(Office.objects.all()))


@shared_task(name="members.tasks.birthday_reminders", ignore_result=True)
def birthday_reminders() -> dict:
    """Queue today's birthday greetings and staff heads-up, then deliver them.

    Harmless to run again the same day (beat runs it hourly in the daytime so that a
    missed run is made up): the dedupe keys let each reminder be written once.
    Delivery runs here directly rather than through the broker; rows it does not get
    to are sent by the next outbox sweep.
    """
    queued = birthday_reminders_queue(today())
    delivery = deliver_notifications() if queued else {}
    return {"queued": queued, **delivery}


@shared_task(name="members.tasks.send_verification_code", ignore_result=True)
def send_verification_code(code_id: int) -> bool:
    """Make and send one SMS verification code (members/verification.py)."""
    return verification_code_send(code_id=code_id)
