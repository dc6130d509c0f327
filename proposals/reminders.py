"""Reminder sweeps for proposals (issue: "Reminders through the outbox"). Each writes
outbox rows whose dedupe keys name the occasion, so running a sweep again — hourly, or
after an outage — writes nothing twice. Units get a fresh signed link in each e-mail.

- units: 7 working days before the due date, and on the due date;
- a weekly overdue digest to each unit and to each office's staff (Mondays' week);
- proposers: one feedback reminder 10 working days after the reply;
- staff: a daily digest of proposals waiting for review (working days);
- staff, in the fourth quarter: an alert once a month while behind the yearly targets;
- lead units with a B reply (列入计划) not yet reported done: before the planned
  completion date (the due-soon working days), and once a week after it.
"""

import datetime
from collections import defaultdict

from django.urls import reverse

from liaison.models import Office
from liaison.services import notification_queue, notification_render, notify_office_staff
from liaison.unit_links import unit_link_url
from liaison.workdays import add_working_days, is_working_day, working_days_between
from members.notifications import notify_member

from .models import Assignment, Feedback, FollowUp, Proposal, ProposalConfig, Reply
from .notifications import notify_unit
from .selectors import yearly_progress

P = Proposal.Status


def _configs() -> dict[int, ProposalConfig]:
    return {c.office_id: c for c in ProposalConfig.objects.all()}


def _open_assignments():
    """Active assignments of proposals in handling whose unit has not replied this
    round: those a reminder is about."""
    return (
        Assignment.objects.filter(is_active=True, proposal__status__in=Proposal.HANDLING_STATUSES)
        .select_related("unit", "proposal__office")
        .order_by("pk")
    )


def _unreplied(assignments):
    assignments = list(assignments)
    done = set(
        Reply.objects.filter(assignment__in=assignments).values_list("assignment_id", "round")
    )
    return [a for a in assignments if (a.pk, a.proposal.handling_round) not in done]


def _unit_mail(assignment, *, kind, key, template, context=None) -> bool:
    return (
        notify_unit(
            assignment=assignment,
            kind=kind,
            key=key,
            template=template,
            context={"proposal": assignment.proposal, **(context or {})},
        )
        is not None
    )


def due_reminders_queue(today: datetime.date) -> int:
    """Units: before the due date (configurable working days) and on the day."""
    configs, default = _configs(), ProposalConfig()
    queued = 0
    horizon_cache: dict[int, datetime.date] = {}
    for assignment in _unreplied(_open_assignments().filter(proposal__due_date__gte=today)):
        proposal = assignment.proposal
        due = proposal.due_date
        if due == today:
            queued += _unit_mail(
                assignment,
                kind="proposal_due_today",
                key=f"proposal-due-today:{assignment.pk}:{due}",
                template="proposals/due_today",
            )
            continue
        days = configs.get(proposal.office_id, default).due_soon_working_days
        if days not in horizon_cache:
            horizon_cache[days] = add_working_days(today, days)
        if due <= horizon_cache[days]:
            queued += _unit_mail(
                assignment,
                kind="proposal_due_soon",
                key=f"proposal-due-soon:{assignment.pk}:{due}",
                template="proposals/due_soon",
                context={"days_left": working_days_between(today, due)},
            )
    return queued


def overdue_digests_queue(today: datetime.date) -> int:
    """Weekly: each unit its overdue proposals; each office's staff the office's."""
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    overdue = _unreplied(_open_assignments().filter(proposal__due_date__lt=today))
    by_unit, by_office = defaultdict(list), defaultdict(list)
    for assignment in overdue:
        by_unit[assignment.unit].append(assignment)
        if assignment.role == Assignment.Role.LEAD:
            by_office[assignment.proposal.office].append(assignment)
    queued = 0
    for unit, assignments in by_unit.items():
        items = [
            {
                "proposal": a.proposal,
                "link": unit_link_url(a, "proposals:unit_assignment"),
                "days": working_days_between(a.proposal.due_date, today),
            }
            for a in assignments
        ]
        message = notification_render(
            template="proposals/overdue_unit_digest",
            context={"unit": unit, "items": items},
            recipient_name=unit.name,
            office=unit.office,
        )
        queued += (
            notification_queue(
                channel="email",
                kind="proposal_overdue_digest",
                dedupe_key=f"proposal-overdue:unit{unit.pk}:{week}",
                subject=message.subject,
                body=message.body,
                address=unit.email,
                office=unit.office,
            )
            is not None
        )
    for office, assignments in by_office.items():
        queued += len(
            notify_office_staff(
                office=office,
                kind="proposal_overdue_digest",
                key=f"proposal-overdue:office{office.pk}:{week}",
                template="proposals/overdue_staff_digest",
                context={"office": office, "assignments": assignments, "today": today},
                link=reverse("admin:proposals_proposal_changelist") + "?overdue=yes",
            )
        )
    return queued


def feedback_reminders_queue(today: datetime.date) -> int:
    """Proposers who have not rated the reply after the configured working days."""
    configs, default = _configs(), ProposalConfig()
    rated = set(
        Feedback.objects.filter(proposal__status=P.REPLIED).values_list("proposal_id", "round")
    )
    queued = 0
    for proposal in Proposal.objects.filter(
        status=P.REPLIED, replied_on__isnull=False, lead_member__isnull=False
    ).select_related("lead_member__user", "lead_member__office", "office"):
        if (proposal.pk, proposal.handling_round) in rated:
            continue
        wait = configs.get(proposal.office_id, default).feedback_reminder_working_days
        if working_days_between(proposal.replied_on, today) >= wait:
            queued += len(
                notify_member(
                    member=proposal.lead_member,
                    kind="proposal_feedback_reminder",
                    key=f"feedback-reminder:{proposal.pk}:r{proposal.handling_round}",
                    template="proposals/feedback_reminder",
                    context={"proposal": proposal},
                    link=reverse("portal:proposal_detail", args=[proposal.pk]),
                )
            )
    return queued


def review_digests_queue(today: datetime.date) -> int:
    """Staff, on working days: proposals submitted and waiting for review."""
    if not is_working_day(today):
        return 0
    waiting = defaultdict(list)
    for proposal in (
        Proposal.objects.filter(status=P.SUBMITTED)
        .select_related("office", "lead_member")
        .order_by("submitted_at")
    ):
        waiting[proposal.office].append(proposal)
    queued = 0
    for office, proposals in waiting.items():
        queued += len(
            notify_office_staff(
                office=office,
                kind="proposal_review_digest",
                key=f"proposal-review:office{office.pk}:{today}",
                template="proposals/review_digest",
                context={"office": office, "proposals": proposals},
                link=reverse("admin:proposals_proposal_changelist") + "?status=submitted",
            )
        )
    return queued


def target_alerts_queue(today: datetime.date) -> int:
    """In the fourth quarter, once a month: offices behind their yearly targets."""
    if today.month < 10:
        return 0
    queued = 0
    for row in yearly_progress(Office.objects.all(), today.year):
        if row["proposals_met"] and row["reports_met"]:
            continue
        office = row["office"]
        queued += len(
            notify_office_staff(
                office=office,
                kind="proposal_targets_behind",
                key=f"targets-behind:office{office.pk}:{today:%Y-%m}",
                template="proposals/targets_behind",
                context={"row": row, "year": today.year},
                link=reverse("admin:index"),
            )
        )
    return queued


def follow_up_reminders_queue(today: datetime.date) -> int:
    """Lead units whose B reply's planned work is not reported done: before the planned
    date once, and every week after it (issue 20, item 5)."""
    configs, default = _configs(), ProposalConfig()
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    queued = 0
    horizon_cache: dict[int, datetime.date] = {}
    for follow_up in (
        FollowUp.objects.filter(status=FollowUp.Status.OPEN)
        .select_related("reply__assignment__unit", "proposal__office")
        .order_by("planned_on", "pk")
    ):
        assignment = follow_up.reply.assignment
        if not assignment.is_active:
            continue
        context = {"follow_up": follow_up}
        if follow_up.planned_on < today:
            queued += _unit_mail(
                assignment,
                kind="proposal_follow_up_overdue",
                key=f"follow-up-overdue:{follow_up.pk}:{week}",
                template="proposals/follow_up_overdue",
                context=context,
            )
            continue
        days = configs.get(follow_up.proposal.office_id, default).due_soon_working_days
        if days not in horizon_cache:
            horizon_cache[days] = add_working_days(today, days)
        if follow_up.planned_on <= horizon_cache[days]:
            queued += _unit_mail(
                assignment,
                kind="proposal_follow_up_due_soon",
                key=f"follow-up-due-soon:{follow_up.pk}:{follow_up.planned_on}",
                template="proposals/follow_up_due_soon",
                context=context,
            )
    return queued


def proposal_reminders_queue(today: datetime.date) -> dict:
    return {
        "due": due_reminders_queue(today),
        "overdue": overdue_digests_queue(today) if today.weekday() == 0 else 0,
        "feedback": feedback_reminders_queue(today),
        "review": review_digests_queue(today),
        "targets": target_alerts_queue(today),
        "follow_up": follow_up_reminders_queue(today),
    }
