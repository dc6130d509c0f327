"""Assignment to handling units, their acknowledgement, returns, opinions and
replies, the proposer's feedback, closing, key and excellent proposals."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import HandlingUnit, today
from liaison.transactions import service
from liaison.workdays import CalendarChange, add_months, add_working_days, deadlines_recount
from liaison.workflow import (
    WorkflowError,
    lock,
    record_note,
    refuse,
    transition,
)
from members.models import Member
from members.points import points_award

from .. import notifications, workflows
from ..models import (
    Assignment,
    Feedback,
    Proposal,
    ProposalConfig,
    Reply,
)
from ..workflows import PROPOSAL_WORKFLOW, REGISTERED_OR_LATER
from .followup import follow_up_open

P = Proposal.Status


# --- Handling -------------------------------------------------------------------------


def _check_unit(proposal: Proposal, unit: HandlingUnit) -> None:
    if not unit.is_active:
        raise WorkflowError(_("承办单位“%(u)s”已停用。") % {"u": unit})
    if unit.office_id is not None and unit.office_id != proposal.office_id:
        raise WorkflowError(_("“%(u)s”是其他联络处的单位，不能交办。") % {"u": unit})


def _suggestion_summary(proposal: Proposal, lead_unit, co_units) -> str:
    """How the assignment compares with the proposer's suggestion, for the timeline."""
    suggested_co = list(proposal.suggested_co_units.all())
    lead_ok = proposal.suggested_lead_unit_id in (None, lead_unit.pk)
    co_ok = not suggested_co or {u.pk for u in suggested_co} == {u.pk for u in co_units}
    if lead_ok and co_ok:
        return _("按提案人建议交办")
    parts = []
    if not lead_ok:
        parts.append(_("提案人建议主办：%(u)s") % {"u": proposal.suggested_lead_unit})
    if not co_ok:
        parts.append(_("提案人建议会办：%(u)s") % {"u": "、".join(str(u) for u in suggested_co)})
    return _("未完全按提案人建议交办；%(parts)s") % {"parts": "；".join(parts)}


@service
def proposal_assign(
    *,
    proposal: Proposal,
    actor,
    lead_unit: HandlingUnit,
    co_units=(),
    due_date: datetime.date | None = None,
    expected: str | None = None,
) -> Proposal:
    """交办: one lead unit and optional co-handling units, due by default three months
    later (at most six)."""
    proposal = lock(proposal)
    refuse(workflows.assign_refusal(proposal))
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    for unit in [lead_unit, *co_units]:
        _check_unit(proposal, unit)
    config = ProposalConfig.for_office(proposal.office)
    assigned_on = today()
    latest = add_months(assigned_on, config.max_handling_months)
    due_date = due_date or add_months(assigned_on, config.handling_months)
    if due_date > latest:
        raise WorkflowError(
            _("办理期限最长为 %(m)s 个月（%(d)s 前）。")
            % {"m": config.max_handling_months, "d": latest}
        )
    proposal.assigned_on = assigned_on
    proposal.due_date = due_date
    # Whether each unit is the one the proposer suggested for its role (issue 20):
    # None where the proposer suggested none for that role.
    suggested_lead = proposal.suggested_lead_unit_id
    suggested_co = set(proposal.suggested_co_units.values_list("pk", flat=True))
    lead_follows = None if suggested_lead is None else lead_unit.pk == suggested_lead
    note = _("主办：%(lead)s；会办：%(co)s；办理期限 %(due)s") % {
        "lead": lead_unit,
        "co": "、".join(str(u) for u in co_units) or _("无"),
        "due": due_date,
    }
    if suggested_lead is not None or suggested_co:
        note += _("（%(s)s）") % {"s": _suggestion_summary(proposal, lead_unit, co_units)}
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.ASSIGNED,
        actor=actor,
        expected=expected,
        note=note,
        update_fields=["assigned_on", "due_date"],
    )
    assignments = [
        Assignment.objects.create(
            proposal=proposal,
            unit=lead_unit,
            role=Assignment.Role.LEAD,
            assigned_on=assigned_on,
            follows_suggestion=lead_follows,
        )
    ] + [
        Assignment.objects.create(
            proposal=proposal,
            unit=unit,
            role=Assignment.Role.CO,
            assigned_on=assigned_on,
            follows_suggestion=(unit.pk in suggested_co) if suggested_co else None,
        )
        for unit in co_units
    ]
    for assignment in assignments:
        notifications.assignment_made(assignment)
    return proposal


@service
def proposal_set_disclosure(
    *, proposal: Proposal, actor, is_public: bool, reason: str = ""
) -> Proposal:
    """公开 or not: a registered proposal and its replies appear on the office's public
    page unless kept private, and keeping it private needs a reason."""
    reason = reason.strip()
    if not is_public and not reason:
        raise WorkflowError(_("不公开须填写理由。"))
    proposal = lock(proposal)
    refuse(workflows.disclosure_refusal(proposal))
    proposal.is_public = is_public
    proposal.not_public_reason = "" if is_public else reason
    # The public page's cache key reads this stamp: the change shows on the next view.
    proposal.disclosure_changed_at = timezone.now()
    proposal.full_clean(
        exclude=[f.name for f in Proposal._meta.fields if f.name != "not_public_reason"]
    )
    proposal.save(update_fields=["is_public", "not_public_reason", "disclosure_changed_at"])
    record_note(
        proposal,
        actor=actor,
        note=_("设为公开") if is_public else _("设为不公开：%(r)s") % {"r": reason},
    )
    return proposal


@service
def proposal_extend(*, proposal: Proposal, actor, due_date: datetime.date, reason: str) -> Proposal:
    if not reason.strip():
        raise WorkflowError(_("延期须填写理由。"))
    proposal = lock(proposal)
    refuse(workflows.extend_refusal(proposal))
    config = ProposalConfig.for_office(proposal.office)
    latest = add_months(proposal.assigned_on, config.max_handling_months)
    if due_date > latest:
        raise WorkflowError(
            _("办理期限最长为交办后 %(m)s 个月，即 %(d)s。")
            % {"m": config.max_handling_months, "d": latest}
        )
    if due_date <= proposal.due_date:
        raise WorkflowError(_("新的办理期限须晚于原期限 %(d)s。") % {"d": proposal.due_date})
    proposal.due_date = due_date
    proposal.extension_reason = reason
    proposal.save(update_fields=["due_date", "extension_reason"])
    record_note(proposal, actor=actor, note=_("延期至 %(d)s：%(r)s") % {"d": due_date, "r": reason})
    return proposal


def _lock_assignment(assignment: Assignment) -> tuple[Assignment, Proposal]:
    """Lock the proposal first (the order every proposal service uses), then the row."""
    proposal = lock(assignment.proposal)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_active:
        raise WorkflowError(_("该交办已撤销或已转其他单位办理。"))
    return assignment, proposal


@service
def assignment_request_return(
    *, assignment: Assignment, reason: str, actor=None, actor_label: str = ""
) -> Assignment:
    """A unit asks to give back a wrongly assigned proposal, within the window."""
    if not reason.strip():
        raise WorkflowError(_("请说明申请退回的理由。"))
    assignment, proposal = _lock_assignment(assignment)
    refuse(workflows.return_request_refusal(assignment, proposal))
    assignment.return_state = Assignment.ReturnState.REQUESTED
    assignment.return_reason = reason
    assignment.save(update_fields=["return_state", "return_reason"])
    record_note(
        proposal,
        actor=actor,
        actor_label=actor_label or str(assignment.unit),
        note=_("%(u)s 申请退回：%(r)s") % {"u": assignment.unit, "r": reason},
    )
    notifications.return_requested(assignment)
    return assignment


@service
def assignment_decide_return(
    *,
    assignment: Assignment,
    actor,
    accept: bool,
    note: str = "",
    new_unit: HandlingUnit | None = None,
) -> Assignment:
    """Staff accept a return (and, for the lead unit, reassign) or refuse it."""
    assignment, proposal = _lock_assignment(assignment)
    if assignment.return_state != Assignment.ReturnState.REQUESTED:
        raise WorkflowError(_("该单位没有待处理的退回申请。"))
    assignment.return_decided_note = note
    if not accept:
        assignment.return_state = Assignment.ReturnState.REFUSED
        assignment.save(update_fields=["return_state", "return_decided_note"])
        record_note(
            proposal,
            actor=actor,
            note=_("不同意 %(u)s 退回：%(n)s") % {"u": assignment.unit, "n": note},
        )
        notifications.return_decided(assignment)
        return assignment
    if assignment.is_lead and new_unit is None:
        raise WorkflowError(_("同意主办单位退回时，须指定新的主办单位。"))
    assignment.return_state = Assignment.ReturnState.ACCEPTED
    assignment.is_active = False
    assignment.save(update_fields=["return_state", "return_decided_note", "is_active"])
    notifications.return_decided(assignment)
    if new_unit is None:
        record_note(proposal, actor=actor, note=_("同意 %(u)s 退回") % {"u": assignment.unit})
        return assignment
    _check_unit(proposal, new_unit)
    replacement = Assignment.objects.create(
        proposal=proposal, unit=new_unit, role=assignment.role, assigned_on=today()
    )
    note = _("同意 %(old)s 退回，改由 %(new)s %(role)s") % {
        "old": assignment.unit,
        "new": new_unit,
        "role": replacement.get_role_display(),
    }
    if assignment.is_lead:
        # A lead unit can only ask before acknowledging, so the proposal is still
        # "assigned": the move to itself records the change of lead unit on the timeline.
        transition(proposal, workflow=PROPOSAL_WORKFLOW, target=P.ASSIGNED, actor=actor, note=note)
    else:
        record_note(proposal, actor=actor, note=note)
    notifications.assignment_made(replacement)
    return replacement


@service
def assignment_acknowledge(
    *, assignment: Assignment, actor=None, actor_label: str = ""
) -> Assignment:
    """签收. The lead unit's acknowledgement moves the proposal on."""
    assignment, proposal = _lock_assignment(assignment)
    if assignment.acknowledged_at:
        return assignment  # acknowledging twice is harmless
    refuse(workflows.acknowledge_refusal(assignment, proposal))
    assignment.acknowledged_at = timezone.now()
    assignment.save(update_fields=["acknowledged_at"])
    label = actor_label or str(assignment.unit)
    note = _("%(u)s 已签收") % {"u": assignment.unit}
    if assignment.is_lead and proposal.status == P.ASSIGNED:
        transition(
            proposal,
            workflow=PROPOSAL_WORKFLOW,
            target=P.ACKNOWLEDGED,
            actor=actor,
            actor_label=label,
            note=note,
        )
    else:
        record_note(proposal, actor=actor, actor_label=label, note=note)
    return assignment


@service
def assignment_give_opinion(
    *, assignment: Assignment, opinion: str, actor=None, actor_label: str = ""
) -> Assignment:
    """A co-handling unit's opinion to the lead unit (会办意见)."""
    if not opinion.strip():
        raise WorkflowError(_("请填写会办意见。"))
    assignment, proposal = _lock_assignment(assignment)
    refuse(workflows.co_opinion_refusal(assignment, proposal))
    assignment.co_opinion = opinion
    assignment.co_opinion_at = timezone.now()
    if not assignment.acknowledged_at:
        assignment.acknowledged_at = assignment.co_opinion_at
    assignment.save(update_fields=["co_opinion", "co_opinion_at", "acknowledged_at"])
    record_note(
        proposal,
        actor=actor,
        actor_label=actor_label or str(assignment.unit),
        note=_("%(u)s 提出会办意见") % {"u": assignment.unit},
    )
    return assignment


@service
def reply_record(
    *,
    assignment: Assignment,
    grade: str,
    content: str,
    contact_method: str,
    replied_on: datetime.date | None = None,
    planned_on: datetime.date | None = None,
    letter=None,
    actor=None,
    actor_label: str = "",
) -> Reply:
    """答复. The proposal counts as replied when its lead unit has replied; the proposer
    is then asked for feedback within the configured working days. The lead unit's B
    reply (列入计划) opens a follow-up until ``planned_on``, the unit's planned
    completion date — the end of the reply's year when the unit named none (a B reply
    means "in this year's plan")."""
    assignment, proposal = _lock_assignment(assignment)
    refuse(workflows.reply_refusal(assignment, proposal))
    if grade not in Reply.Grade.values:
        raise WorkflowError(_("请选择答复类别（A、B、C）。"))
    replied_on = replied_on or today()
    if replied_on > today():
        raise WorkflowError(_("答复日期不能晚于今天。"))
    reply = Reply(
        proposal=proposal,
        assignment=assignment,
        round=proposal.handling_round,
        grade=grade,
        content=content,
        contact_method=contact_method,
        replied_on=replied_on,
    )
    if letter is not None:
        reply.letter = letter
    reply.full_clean(exclude=["proposal", "assignment"])
    reply.save()
    if grade == Reply.Grade.B and assignment.is_lead:
        follow_up_open(reply=reply, planned_on=planned_on or datetime.date(replied_on.year, 12, 31))
    if not assignment.acknowledged_at:
        assignment.acknowledged_at = timezone.now()
        assignment.save(update_fields=["acknowledged_at"])
    label = actor_label or str(assignment.unit)
    if assignment.is_lead:
        config = ProposalConfig.for_office(proposal.office)
        proposal.replied_on = replied_on
        proposal.feedback_counted_from = today()
        proposal.feedback_working_days = config.feedback_working_days
        proposal.feedback_due_date = add_working_days(
            proposal.feedback_counted_from, proposal.feedback_working_days
        )
        transition(
            proposal,
            workflow=PROPOSAL_WORKFLOW,
            target=P.REPLIED,
            actor=actor,
            actor_label=label,
            note=_("%(u)s 答复（%(g)s）") % {"u": assignment.unit, "g": reply.get_grade_display()},
            update_fields=[
                "replied_on",
                "feedback_due_date",
                "feedback_counted_from",
                "feedback_working_days",
            ],
        )
        notifications.feedback_requested(proposal)
    else:
        record_note(
            proposal,
            actor=actor,
            actor_label=label,
            note=_("%(u)s 会办答复") % {"u": assignment.unit},
        )
    return reply


@service
def feedback_give(
    *, proposal: Proposal, actor, verdict: str, comments: str = "", member: Member | None = None
) -> Feedback:
    """The proposer's verdict. 不满意 sends the proposal back for re-handling while rounds
    remain (once by default); otherwise the proposal closes (办结)."""
    proposal = lock(proposal)
    member = member or getattr(actor, "member", None)
    refuse(workflows.feedback_refusal(proposal, actor, member))
    if verdict not in Feedback.Verdict.values:
        raise WorkflowError(_("请选择满意、基本满意或不满意。"))
    if verdict == Feedback.Verdict.DISSATISFIED and not comments.strip():
        # The unit re-handles the proposal on the strength of these reasons.
        raise WorkflowError(_("评价不满意时，请写明不满意的原因，承办单位将据此重新办理。"))
    feedback = Feedback.objects.create(
        proposal=proposal,
        round=proposal.handling_round,
        member=member or proposal.lead_member,
        verdict=verdict,
        comments=comments,
    )
    config = ProposalConfig.for_office(proposal.office)
    notifications.feedback_given(proposal, feedback.member)
    label = feedback.get_verdict_display()
    note = f"{label}：{comments}" if comments else label
    if (
        verdict == Feedback.Verdict.DISSATISFIED
        and proposal.handling_round <= config.rehandling_rounds
    ):
        proposal.handling_round += 1
        proposal.due_date = add_months(today(), config.handling_months)
        proposal.feedback_due_date = None
        transition(
            proposal,
            workflow=PROPOSAL_WORKFLOW,
            target=P.REHANDLING,
            actor=actor,
            note=_("%(n)s，重新办理") % {"n": note},
            update_fields=["handling_round", "due_date", "feedback_due_date"],
        )
        for assignment in proposal.assignments.filter(is_active=True, role=Assignment.Role.LEAD):
            notifications.rehandling_requested(assignment)
    else:
        proposal.closed_at = timezone.now()
        transition(
            proposal,
            workflow=PROPOSAL_WORKFLOW,
            target=P.CLOSED,
            actor=actor,
            note=note,
            update_fields=["closed_at"],
        )
    return feedback


@service
def proposal_close_without_feedback(*, proposal: Proposal, actor) -> Proposal:
    """Staff close a replied proposal whose proposer let the feedback deadline pass."""
    proposal = lock(proposal)
    refuse(workflows.close_refusal(proposal))
    proposal.closed_at = timezone.now()
    return transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.CLOSED,
        actor=actor,
        note=_("委员逾期未反馈，办结"),
        update_fields=["closed_at"],
    )


@service
def proposal_mark_key(
    *, proposal: Proposal, actor, supervising_leader: str, notes: str = ""
) -> Proposal:
    """重点提案 (督办): supervised by a named leader; earns the key-proposal points."""
    proposal = lock(proposal)
    if proposal.status not in REGISTERED_OR_LATER:
        raise WorkflowError(_("只有已立案的提案可以列为重点提案。"))
    if not supervising_leader.strip():
        raise WorkflowError(_("请填写督办领导。"))
    proposal.is_key = True
    proposal.supervising_leader = supervising_leader
    proposal.supervision_notes = notes
    proposal.save(update_fields=["is_key", "supervising_leader", "supervision_notes"])
    record_note(
        proposal, actor=actor, note=_("列为重点提案，督办领导：%(l)s") % {"l": supervising_leader}
    )
    if proposal.lead_member_id:
        points_award(
            member=proposal.lead_member,
            kind="proposal_key",
            occurred_on=today(),
            source=proposal,
            actor=actor,
            description=proposal.title,
        )
    return proposal


@service
def proposal_mark_excellent(*, proposal: Proposal, actor) -> Proposal:
    proposal = lock(proposal)
    if proposal.status not in REGISTERED_OR_LATER:
        raise WorkflowError(_("只有已立案的提案可以评为优秀提案。"))
    proposal.is_excellent = True
    proposal.save(update_fields=["is_excellent"])
    record_note(proposal, actor=actor, note=_("评为优秀提案"))
    if proposal.lead_member_id:
        points_award(
            member=proposal.lead_member,
            kind="proposal_excellent",
            occurred_on=today(),
            source=proposal,
            actor=actor,
            description=proposal.title,
        )
    return proposal


def feedback_deadlines_recompute(change: CalendarChange) -> int:
    """Move the feedback deadlines of replied proposals counted over the changed calendar
    days, and tell the proposer. Runs inside the calendar service's transaction
    (registered in ProposalsConfig.ready())."""
    return deadlines_recount(
        change,
        Proposal.objects.filter(status=P.REPLIED).select_related("office", "lead_member"),
        start="feedback_counted_from",
        days="feedback_working_days",
        deadline="feedback_due_date",
        note=_("工作日历变更（%(why)s）：反馈期限由 %(old)s 改为 %(new)s"),
        moved=lambda proposal, before: notifications.feedback_due_date_moved(
            proposal, before=before, reason=change.reason
        ),
    )
