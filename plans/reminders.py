"""Reminder sweep for the annual work plan: staff are told when the year's plan has not
gone to the street party working committee by the configured date (default 31 January),
the day after, then weekly until it has. Dedupe keys name the week, so running the sweep
again writes nothing twice."""

import datetime

from django.db.models import Q

from liaison.models import Office

from . import notifications
from .models import PlanConfig, WorkPlan


def plan_reminders_queue(day: datetime.date) -> int:
    year = day.year
    configs = {c.office_id: c for c in PlanConfig.objects.all()}
    # Any version that went to the committee (or was adopted) counts.
    sent_in = set(
        WorkPlan.objects.filter(year=year)
        .filter(Q(submitted_on__isnull=False) | Q(status=WorkPlan.Status.ADOPTED))
        .values_list("office_id", flat=True)
    )
    queued = 0
    for office in Office.objects.order_by("pk"):
        if office.pk in sent_in:
            continue
        config = configs.get(office.pk) or PlanConfig(office=office)
        deadline = config.submit_deadline(year)
        if day <= deadline:
            continue
        week = (day - deadline).days // 7
        queued += notifications.plan_not_submitted(
            office=office,
            year=year,
            deadline=deadline,
            key=f"plan-not-submitted:{office.pk}:{year}:w{week}",
        )
    return queued
