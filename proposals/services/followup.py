"""The follow-up of replies graded B (列入计划拟解决, issue 20 item 5): opened by the
reply with the unit's planned completion date; the unit reports progress and completion
through its signed link; staff close it (办结), regrading the reply to A when the
matter was solved. The proposal's timeline records each step."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.transactions import service
from liaison.workflow import WorkflowError, record_note, refuse

from .. import notifications
from ..models import FollowUp, FollowUpReport, Reply

F = FollowUp.Status


def follow_up_open(*, reply: Reply, planned_on: datetime.date) -> FollowUp:
    """Inside reply_record's transaction: the B reply's follow-up."""
    if planned_on < reply.replied_on:
        raise WorkflowError(_("计划完成日期不能早于答复日期。"))
    return FollowUp.objects.create(proposal=reply.proposal, reply=reply, planned_on=planned_on)


def open_follow_up(assignment) -> FollowUp | None:
    """The assignment's follow-up not yet closed, if any: the one its unit reports on
    (refused, with the reason, once it reported completion)."""
    return (
        FollowUp.objects.filter(reply__assignment=assignment, status__in=(F.OPEN, F.REPORTED))
        .select_related("reply")
        .order_by("-pk")
        .first()
    )


def follow_up_report_refusal(follow_up: FollowUp | None) -> str | None:
    if follow_up is None:
        return _("没有需要报告落实情况的B类答复。")
    if follow_up.status == F.REPORTED:
        return _("已报告完成，等待联络处核实办结。")
    if follow_up.status == F.CLOSED:
        return _("该答复的落实情况已办结。")
    return None


def follow_up_close_refusal(follow_up: FollowUp | None) -> str | None:
    if follow_up is None:
        return _("没有待办结的B类答复跟踪。")
    if follow_up.status == F.CLOSED:
        return _("该答复的落实情况已办结。")
    return None


def _lock(follow_up: FollowUp) -> FollowUp:
    return (
        FollowUp.objects.select_for_update()
        .select_related("proposal", "reply")
        .get(pk=follow_up.pk)
    )


@service
def follow_up_report(
    *,
    follow_up: FollowUp,
    kind: str,
    content: str,
    reported_on: datetime.date | None = None,
    actor=None,
    actor_label: str = "",
) -> FollowUpReport:
    """The unit reports progress, or that the planned work is done (staff then check and
    close the follow-up)."""
    follow_up = _lock(follow_up)
    refuse(follow_up_report_refusal(follow_up))
    if kind not in FollowUpReport.Kind.values:
        raise WorkflowError(_("请选择报告进展还是报告完成。"))
    content = content.strip()
    if not content:
        raise WorkflowError(_("请填写落实情况。"))
    reported_on = reported_on or today()
    if reported_on > today():
        raise WorkflowError(_("报告日期不能晚于今天。"))
    report = FollowUpReport(
        follow_up=follow_up, kind=kind, content=content, reported_on=reported_on
    )
    report.full_clean(exclude=["follow_up"])
    report.save()
    unit = follow_up.reply.assignment.unit
    if kind == FollowUpReport.Kind.COMPLETION:
        follow_up.status = F.REPORTED
        follow_up.completed_on = reported_on
        follow_up.save(update_fields=["status", "completed_on"])
        note = _("%(u)s 报告B类答复事项已完成") % {"u": unit}
        notifications.follow_up_completed(follow_up)
    else:
        note = _("%(u)s 报告B类答复落实进展") % {"u": unit}
    record_note(follow_up.proposal, actor=actor, actor_label=actor_label or str(unit), note=note)
    return report


@service
def follow_up_close(
    *, follow_up: FollowUp, actor, regrade: bool = False, note: str = ""
) -> FollowUp:
    """办结: the planned work is done (or staff end the follow-up). ``regrade`` turns the
    reply into an A reply (solved): the reply's history keeps the B."""
    follow_up = _lock(follow_up)
    refuse(follow_up_close_refusal(follow_up))
    follow_up.status = F.CLOSED
    follow_up.closed_at = timezone.now()
    follow_up.closing_note = note.strip()
    follow_up.regraded = regrade
    if not follow_up.completed_on and regrade:
        follow_up.completed_on = today()
    follow_up.full_clean(exclude=["proposal", "reply"])
    follow_up.save()
    if regrade:
        reply = follow_up.reply
        reply.grade = Reply.Grade.A
        reply.save(update_fields=["grade"])
    record_note(
        follow_up.proposal,
        actor=actor,
        note=_("B类答复落实办结，改为A类") if regrade else _("B类答复落实办结"),
    )
    return follow_up
