"""The consultation reminder sweep (issue 18, item 2). Each reminder's dedupe key names
the consultation and its deadline, so running the sweep again — hourly, or after an
outage — writes nothing twice, and a deadline moved by staff earns its own reminders.

- members not yet answered, from ``reminder_working_days`` working days before the
  deadline (counted over the working-day calendar: holidays are skipped, make-up days
  count), on a working day;
- members not yet answered, on the deadline day itself: the last call;
- the day after the deadline, a consultation still open is closed (answers are refused
  from then on anyway; closing puts it on the staff's "to compile" list).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.workdays import is_working_day, working_days_between

from . import notifications, services
from .models import Consultation
from .selectors import non_answerers

S = Consultation.Status
# The request itself is the reminder for a consultation opened this recently.
JUST_OPENED = datetime.timedelta(hours=20)


def _non_answering_members(consultations) -> dict[int, list]:
    members: dict[int, list] = {c.pk: [] for c in consultations}
    for recipient in non_answerers([c.pk for c in consultations]):
        members[recipient.consultation_id].append(recipient.member)
    return members


def consultation_reminders_queue(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    closed = 0
    for consultation in Consultation.objects.filter(status=S.OPEN, deadline__lt=today):
        services.consultation_close(
            consultation=consultation,
            actor_label=_("系统"),
            note=_("截止日期已过，自动截止"),
        )
        closed += 1

    last_calls, before = [], []
    working_today = is_working_day(today)
    for consultation in Consultation.objects.filter(
        status=S.OPEN, deadline__gte=today
    ).select_related("office"):
        if consultation.deadline == today:
            last_calls.append(consultation)
        elif (
            working_today
            and working_days_between(today, consultation.deadline)
            <= consultation.reminder_working_days
            and not (consultation.opened_at and consultation.opened_at > now - JUST_OPENED)
        ):
            before.append(consultation)
    queued = {"closed": closed, "reminders": 0, "last_calls": 0}
    members = _non_answering_members(before + last_calls)
    for consultation in before:
        queued["reminders"] += notifications.reminder(
            consultation, members[consultation.pk], last_call=False
        )
    for consultation in last_calls:
        queued["last_calls"] += notifications.reminder(
            consultation, members[consultation.pk], last_call=True
        )
    return queued
