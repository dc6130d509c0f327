"""Public-opinion reports (社情民意信息): drafting, the editing workflow, adoptions."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.transactions import service
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    record_note,
    refuse,
    transition,
)
from members.models import Member
from members.points import points_award

from .. import notifications, workflows
from ..models import (
    Adoption,
    OpinionReport,
    Proposal,
)
from ..workflows import OPINION_WORKFLOW

P = Proposal.Status


# --- Public-opinion reports -----------------------------------------------------------


@service
def opinion_report_create(
    *,
    actor,
    office,
    title: str,
    situation: str,
    suggestion: str,
    analysis: str = "",
    member: Member | None = None,
    year: int | None = None,
) -> OpinionReport:
    if member is not None and member.office_id != office.pk:
        raise WorkflowError(_("反映人不属于该联络处。"))
    report = OpinionReport.objects.create(
        office=office,
        year=year or today().year,
        title=title,
        situation=situation,
        analysis=analysis,
        suggestion=suggestion,
        member=member,
        created_by=actor,
    )
    record_creation(report, actor=actor)
    return report


@service
def opinion_report_update(*, report: OpinionReport, actor, **fields) -> OpinionReport:
    report = lock(report)
    editable_by_author = report.status == OpinionReport.Status.DRAFT
    editable_by_staff = actor.is_staff and report.status in (
        OpinionReport.Status.DRAFT,
        OpinionReport.Status.SUBMITTED,
        OpinionReport.Status.EDITED,
    )
    if not (editable_by_author or editable_by_staff):
        raise WorkflowError(_("当前状态下不能修改。"))
    for name in ("title", "situation", "analysis", "suggestion"):
        if name in fields:
            setattr(report, name, fields[name])
    report.save()
    return report


OS = OpinionReport.Status


@service
def opinion_report_move(
    *,
    report: OpinionReport,
    actor,
    target: str,
    note: str = "",
    expected: str | None = None,
    **fields,
) -> OpinionReport:
    """submit / not used (reason) / edited / approved / issued (期号) / forwarded (to)."""
    report = lock(report)
    update = []
    if target == OS.SUBMITTED:
        refuse(workflows.opinion_submit_refusal(report, actor))
        report.submitted_at = timezone.now()
        update.append("submitted_at")
    elif target == OS.NOT_USED:
        if not note.strip():
            raise WorkflowError(_("请填写未采用的原因。"))
        report.not_used_reason = note
        update.append("not_used_reason")
    elif target == OS.ISSUED:
        report.issue_number = fields.get("issue_number", "").strip()
        if not report.issue_number:
            raise WorkflowError(_("签发须填写期号。"))
        report.issued_on = fields.get("issued_on") or today()
        update += ["issue_number", "issued_on"]
    elif target == OS.FORWARDED:
        report.forwarded_to = fields.get("forwarded_to", "").strip()
        if not report.forwarded_to:
            raise WorkflowError(_("请填写报送单位。"))
        report.forwarded_on = fields.get("forwarded_on") or today()
        update += ["forwarded_to", "forwarded_on"]
    transition(
        report,
        workflow=OPINION_WORKFLOW,
        target=target,
        actor=actor,
        note=note,
        expected=expected,
        update_fields=update,
    )
    return report


@service
def adoption_record(
    *,
    report: OpinionReport,
    actor,
    level: str,
    kind: str,
    adopted_on: datetime.date,
    body: str = "",
    instruction_text: str = "",
) -> Adoption:
    """An adoption (采用) of an issued report; the member earns points by level."""
    report = lock(report)
    refuse(workflows.adoption_refusal(report))
    if kind == Adoption.Kind.INSTRUCTION and not instruction_text.strip():
        raise WorkflowError(_("领导批示须填写批示内容。"))
    if adopted_on > today():
        raise WorkflowError(_("采用日期不能晚于今天。"))
    adoption = Adoption.objects.create(
        report=report,
        level=level,
        kind=kind,
        body=body,
        instruction_text=instruction_text,
        adopted_on=adopted_on,
    )
    record_note(report, actor=actor, note=_("%(a)s：%(b)s") % {"a": adoption, "b": body})
    if report.member_id:
        points_award(
            member=report.member,
            kind=adoption.points_kind,
            occurred_on=adopted_on,
            source=adoption,
            actor=actor,
            description=report.title,
        )
        notifications.report_adopted(adoption)
    return adoption
