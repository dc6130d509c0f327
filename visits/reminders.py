"""Reminder sweeps for visits and concerns (issue: "Reminders through the outbox").
Each writes outbox rows whose dedupe keys name the occasion, so running a sweep again —
hourly, or after an outage — writes nothing twice. Units get a fresh signed link in
each e-mail.

- units: the configured working days before a concern's due date, and on the day;
- a weekly overdue digest (Mondays' week) to each unit and to each office's staff;
- members: one reminder to confirm a result fed back, after the configured working days
  (the first message goes out when staff feed the result back);
- staff: a coverage reminder on each configured date (members not yet visited this
  half-year), made up within a week if the sweep missed the day;
- staff: a pending life-event visit that reached its due date.
"""

import datetime
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from liaison.models import Office
from liaison.services import notification_queue, notification_render, notify_office_staff
from liaison.unit_links import unit_link_url
from liaison.workdays import add_working_days, working_days_between
from members.notifications import notify_member

from .models import Concern, Visit, VisitConfig
from .notifications import UNIT_URL, concern_portal_path, notify_unit
from .selectors import coverage_by_office, coverage_members, half_year_period

C = Concern.Status
COVERAGE_NAMES = 30
# A coverage reminder date missed by the sweep (Redis or the worker down) is made up
# within this many days, then given up: a stale reminder helps nobody.
COVERAGE_CATCH_UP_DAYS = 7


def _configs() -> dict[int, VisitConfig]:
    return {c.office_id: c for c in VisitConfig.objects.all()}


def _handling():
    return (
        Concern.objects.filter(status__in=Concern.HANDLING_STATUSES, unit__isnull=False)
        .select_related("unit", "office")
        .order_by("pk")
    )


def _unit_mail(concern, *, kind, key, template, context=None) -> bool:
    return (
        notify_unit(concern=concern, kind=kind, key=key, template=template, context=context)
        is not None
    )


def due_reminders_queue(today: datetime.date) -> int:
    """Units: before the due date (configurable working days) and on the day."""
    configs, default = _configs(), VisitConfig()
    horizons: dict[int, datetime.date] = {}
    queued = 0
    for concern in _handling().filter(due_date__gte=today):
        due = concern.due_date
        occasion = f"{concern.pk}:r{concern.round}:u{concern.unit_id}:{due}"
        if due == today:
            queued += _unit_mail(
                concern,
                kind="visits_concern_due_today",
                key=f"concern-due-today:{occasion}",
                template="visits/due_today",
            )
            continue
        days = configs.get(concern.office_id, default).due_soon_working_days
        if days not in horizons:
            horizons[days] = add_working_days(today, days)
        if due <= horizons[days]:
            queued += _unit_mail(
                concern,
                kind="visits_concern_due_soon",
                key=f"concern-due-soon:{occasion}",
                template="visits/due_soon",
                context={"days_left": working_days_between(today, due)},
            )
    return queued


def overdue_digests_queue(today: datetime.date) -> int:
    """Weekly: each unit its overdue concerns; each office's staff the office's."""
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    by_unit, by_office = defaultdict(list), defaultdict(list)
    for concern in _handling().filter(due_date__lt=today):
        by_unit[concern.unit].append(concern)
        by_office[concern.office].append(concern)
    queued = 0
    for unit, concerns in by_unit.items():
        items = [
            {
                "concern": c,
                "link": unit_link_url(c, UNIT_URL),
                "days": working_days_between(c.due_date, today),
            }
            for c in concerns
        ]
        message = notification_render(
            template="visits/overdue_unit_digest",
            context={"unit": unit, "items": items},
            recipient_name=unit.name,
            office=unit.office,
        )
        queued += (
            notification_queue(
                channel="email",
                kind="visits_concern_overdue_digest",
                dedupe_key=f"concern-overdue:unit{unit.pk}:{week}",
                subject=message.subject,
                body=message.body,
                address=unit.email,
                office=unit.office,
            )
            is not None
        )
    for office, concerns in by_office.items():
        queued += len(
            notify_office_staff(
                office=office,
                kind="visits_concern_overdue_digest",
                key=f"concern-overdue:office{office.pk}:{week}",
                template="visits/overdue_staff_digest",
                context={"office": office, "concerns": concerns, "today": today},
                link=reverse("admin:visits_concern_changelist") + "?overdue=yes&year=all",
            )
        )
    return queued


def confirm_reminders_queue(today: datetime.date) -> int:
    """Members who have not confirmed a result fed back after the configured days."""
    configs, default = _configs(), VisitConfig()
    queued = 0
    for concern in Concern.objects.filter(
        status=C.FED_BACK, member__isnull=False, fed_back_at__isnull=False
    ).select_related("member__user", "member__office", "office", "unit"):
        wait = configs.get(concern.office_id, default).confirm_working_days
        fed_back_on = timezone.localdate(concern.fed_back_at)
        if working_days_between(fed_back_on, today) >= wait:
            queued += len(
                notify_member(
                    member=concern.member,
                    kind="visits_concern_confirm_reminder",
                    key=f"concern-confirm-reminder:{concern.pk}:r{concern.round}",
                    template="visits/confirm_reminder",
                    context={"concern": concern},
                    link=concern_portal_path(concern),
                )
            )
    return queued


def _reminder_date_due(config: VisitConfig, today: datetime.date) -> datetime.date | None:
    """The configured coverage date this sweep should remind for, if any."""
    for month, day in config.reminder_dates:
        try:
            date = datetime.date(today.year, month, day)
        except ValueError:  # 02-29 in a common year: remind on 28 February
            date = datetime.date(today.year, 2, 28)
        if date <= today < date + datetime.timedelta(days=COVERAGE_CATCH_UP_DAYS):
            return date
    return None


def coverage_reminders_queue(today: datetime.date) -> int:
    """Staff, on each configured date: members not yet visited this half-year."""
    configs, default = _configs(), VisitConfig()
    due = {}
    for office in Office.objects.order_by("pk"):
        date = _reminder_date_due(configs.get(office.pk, default), today)
        if date is not None:
            due[office.pk] = (office, date)
    if not due:
        return 0
    half = half_year_period(today)
    queued = 0
    for row in coverage_by_office([office for office, _date in due.values()], today):
        if not row.not_visited_half and not row.below_target:
            continue
        office, date = due[row.office.pk]
        names = list(
            coverage_members([office], today)
            .filter(visits_half=0)
            .values_list("name", flat=True)[:COVERAGE_NAMES]
        )
        queued += len(
            notify_office_staff(
                office=office,
                kind="visits_coverage_gaps",
                key=f"visits-coverage:office{office.pk}:{date}",
                template="visits/coverage_gaps",
                context={"row": row, "names": names, "half": half, "more": COVERAGE_NAMES},
                link=reverse("admin:visits_visit_coverage") + f"?office={office.pk}",
            )
        )
    return queued


def pending_visit_reminders_queue(today: datetime.date) -> int:
    """Staff: a visit a life event called for is due today (or overdue) and not done."""
    queued = 0
    for visit in (
        Visit.objects.filter(
            status=Visit.Status.PENDING, due_date__lte=today, life_event__isnull=False
        )
        .select_related("office", "life_event__member")
        .order_by("pk")
    ):
        queued += len(
            notify_office_staff(
                office=visit.office,
                kind="visits_pending_visit_due",
                key=f"visit-pending-due:{visit.pk}:{visit.due_date}",
                template="visits/visit_due",
                context={"visit": visit, "event": visit.life_event, "today": today},
                link=reverse("admin:visits_visit_change", args=[visit.pk]),
            )
        )
    return queued


def visit_reminders_queue(today: datetime.date) -> dict:
    return {
        "due": due_reminders_queue(today),
        "overdue": overdue_digests_queue(today) if today.weekday() == 0 else 0,
        "confirm": confirm_reminders_queue(today),
        "coverage": coverage_reminders_queue(today),
        "pending_visits": pending_visit_reminders_queue(today),
    }
