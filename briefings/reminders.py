"""Reminder sweeps for activities (issue: "Reminders through the outbox"). Each writes
outbox rows whose dedupe keys name the occasion, so running a sweep again — hourly, or
after an outage — writes nothing twice.

- invited members, 3 days and 1 day before: those who have not replied are asked to,
  those attending are reminded (the invitation and the leave decision are sent by the
  services when they happen);
- members who took part, once the activity is over: "send us your opinions";
- staff, from the next working day after the activity, if attendance is not recorded;
- staff, if a half-year has no political briefing scheduled by the office's date.
"""

import datetime
from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import Office
from liaison.workdays import add_working_days

from . import notifications
from .models import Activity, ActivityConfig, Invitation, half_year_of
from .selectors import MISSING, half_year_status
from .workflows import opinion_window

A = Activity.Status
I = Invitation  # noqa: E741
JUST_INVITED = datetime.timedelta(hours=20)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _invitees(activity_ids, condition: Q) -> dict[int, list]:
    by_activity = defaultdict(list)
    for invitation in (
        Invitation.objects.filter(condition, activity_id__in=activity_ids)
        .select_related("member__user")
        .order_by("pk")
    ):
        by_activity[invitation.activity_id].append(invitation.member)
    return by_activity


def before_reminders_queue(now: datetime.datetime) -> int:
    """3 days and 1 day before the activity's date (a sweep that missed the day makes
    it up later, while it still comes before the start)."""
    today = timezone.localdate(now)
    activities = list(
        Activity.objects.filter(
            status=A.PUBLISHED,
            starts_at__gt=now,
            starts_at__lt=_day_start(today + datetime.timedelta(days=4)),
        ).select_related("office", "kind")
    )
    if not activities:
        return 0
    ids = [a.pk for a in activities]
    unreplied = _invitees(ids, Q(reply=I.Reply.PENDING))
    attending = _invitees(ids, Q(reply=I.Reply.ATTENDING))
    queued = 0
    for activity in activities:
        if activity.published_at and activity.published_at > now - JUST_INVITED:
            continue  # the invitation itself is the reminder
        days = (activity.date - today).days
        occasion = 3 if days >= 2 else 1
        days_text = {0: _("今天"), 1: _("明天"), 2: _("后天")}.get(
            days, _("%(n)s天后") % {"n": days}
        )
        context = {
            "activity": activity,
            "office": activity.office,
            "days_text": days_text,
            "url": notifications.absolute(notifications.portal_path(activity)),
        }
        for members, template, kind in (
            (unreplied[activity.pk], "briefings/reminder_reply", "activity_reply_reminder"),
            (attending[activity.pk], "briefings/reminder_attend", "activity_reminder"),
        ):
            queued += notifications.notify_members(
                members,
                kind=kind,
                key=f"activity-before-d{occasion}:{activity.pk}:{activity.date}",
                template=template,
                context=context,
                link=notifications.portal_path(activity),
                office=activity.office,
            )
    return queued


def opinion_requests_queue(now: datetime.datetime) -> int:
    """Once the activity is over: those who came (or said they would, while attendance
    is not yet recorded) are asked for their opinions, while opinions are collected."""
    longest = max(
        [
            ActivityConfig().opinion_days,
            *ActivityConfig.objects.values_list("opinion_days", flat=True),
        ]
    )
    activities = list(
        Activity.objects.filter(
            status__in=(A.PUBLISHED, A.HELD),
            ends_at__lte=now,
            ends_at__gt=now - datetime.timedelta(days=longest),
        ).select_related("office", "kind")
    )
    if not activities:
        return 0
    configs = {c.office_id: c for c in ActivityConfig.objects.all()}
    took_part = Q(attendance=I.Attendance.ATTENDED) | Q(attendance="", reply=I.Reply.ATTENDING)
    members = _invitees([a.pk for a in activities], took_part)
    queued = 0
    for activity in activities:
        config = configs.get(activity.office_id) or ActivityConfig()
        _opens, closes = opinion_window(activity, config)
        if closes <= now:
            continue
        queued += notifications.notify_members(
            members[activity.pk],
            kind="activity_opinions_request",
            key=f"activity-opinions:{activity.pk}",
            template="briefings/opinions_request",
            context={
                "activity": activity,
                "office": activity.office,
                "closes": closes,
                "url": notifications.absolute(notifications.portal_path(activity)),
            },
            link=notifications.portal_path(activity),
            office=activity.office,
        )
    return queued


def attendance_missing_queue(now: datetime.datetime) -> int:
    """Staff, from the working day after the activity, while attendance is not yet
    recorded (the activity still "published")."""
    today = timezone.localdate(now)
    queued = 0
    for activity in Activity.objects.filter(
        status=A.PUBLISHED, ends_at__lt=_day_start(today)
    ).select_related("office"):
        if today < add_working_days(timezone.localdate(activity.ends_at), 1):
            continue
        path = reverse("admin:briefings_activity_change", args=[activity.pk])
        queued += notifications.notify_staff(
            office=activity.office,
            kind="activity_attendance_missing",
            key=f"activity-attendance-missing:{activity.pk}",
            template="briefings/attendance_missing",
            context={"activity": activity, "url": notifications.absolute(path)},
            link=path,
        )
    return queued


def briefing_missing_queue(now: datetime.datetime) -> int:
    """Staff, once a half-year's date (ActivityConfig) has come with no political
    briefing on the calendar for it: once per office and half-year."""
    today = timezone.localdate(now)
    half = half_year_of(today)
    queued = 0
    for row in half_year_status(Office.objects.all(), today.year, now=now):
        status = row["halves"][half - 1]
        if status["state"] != MISSING or not status["overdue"]:
            continue
        office = row["office"]
        path = reverse("admin:briefings_activity_add")
        queued += notifications.notify_staff(
            office=office,
            kind="briefing_missing",
            key=f"briefing-missing:{office.pk}:{today.year}H{half}",
            template="briefings/briefing_missing",
            context={
                "office": office,
                "year": today.year,
                "half": half,
                "deadline": status["deadline"],
                "url": notifications.absolute(path),
            },
            link=path,
        )
    return queued


def briefing_reminders_queue(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "before": before_reminders_queue(now),
        "opinions": opinion_requests_queue(now),
        "attendance": attendance_missing_queue(now),
        "briefings": briefing_missing_queue(now),
    }
