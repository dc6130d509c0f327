"""Writes for proposals, public-opinion reports and research reports.

Every move goes through ``liaison.workflow.transition`` on a locked row, so two staff
acting on one proposal at once cannot both win, and every move leaves a status-change
row. Reminders are written to the outbox in the same transaction; points go through
``members.points``. Handling units act without accounts, through signed links: their
services take ``actor_label`` (the unit's name) instead of a user.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import HandlingUnit, today
from liaison.workdays import add_months, add_working_days
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    record_note,
    refuse,
    transition,
)
from members.models import Member, PointEntry
from members.points import points_award, points_revoke

from . import notifications, workflows
from .models import (
    Adoption,
    Assignment,
    Feedback,
    OpinionReport,
    Proposal,
    ProposalAttachment,
    ProposalConfig,
    ProposalCosigner,
    ProposalCounter,
    Reply,
    ResearchReport,
)
from .workflows import EDITABLE, OPINION_WORKFLOW, PROPOSAL_WORKFLOW, REGISTERED_OR_LATER

P = Proposal.Status


# --- Drafting -------------------------------------------------------------------------


def _check_cosigner(proposal: Proposal, member: Member, config: ProposalConfig) -> None:
    if member.pk == proposal.lead_member_id:
        raise WorkflowError(_("第一提案人不能同时作为附议人。"))
    if not member.is_serving:
        raise WorkflowError(_("%(name)s 不是在任委员，不能附议。") % {"name": member.name})
    if member.office_id != proposal.office_id and not config.allow_cross_office_cosigners:
        raise WorkflowError(
            _("%(name)s 不属于本联络处，本联络处未允许跨联络处附议。") % {"name": member.name}
        )


@transaction.atomic
def proposal_create(
    *,
    actor,
    office,
    title: str,
    reasons: str,
    suggestions: str,
    category,
    lead_member: Member | None,
    proposer_kind: str = Proposal.ProposerKind.INDIVIDUAL,
    year: int | None = None,
    cosigners: list[Member] = (),
) -> Proposal:
    from members.models import Term

    if proposer_kind != Proposal.ProposerKind.OFFICE and lead_member is None:
        raise WorkflowError(_("请指定第一提案人。"))
    if lead_member is not None and lead_member.office_id != office.pk:
        raise WorkflowError(_("第一提案人不属于该联络处。"))
    year = year or today().year
    proposal = Proposal.objects.create(
        office=office,
        year=year,
        term=(lead_member.term if lead_member else Term.objects.get(is_current=True)),
        title=title,
        reasons=reasons,
        suggestions=suggestions,
        category=category,
        lead_member=lead_member,
        proposer_kind=(
            Proposal.ProposerKind.JOINT
            if cosigners and proposer_kind == Proposal.ProposerKind.INDIVIDUAL
            else proposer_kind
        ),
        created_by=actor,
    )
    record_creation(proposal, actor=actor)
    if cosigners:
        proposal_invite_cosigners(proposal=proposal, actor=actor, members=cosigners)
    return proposal


@transaction.atomic
def proposal_attach(*, proposal: Proposal, actor, file) -> ProposalAttachment:
    """Attach a supporting file (checked by content and size) while still a draft."""
    proposal = lock(proposal)
    if proposal.status not in EDITABLE:
        raise WorkflowError(_("提案已提交，不能再添加附件。"))
    attachment = ProposalAttachment(proposal=proposal, file=file, name=file.name[:200])
    attachment.full_clean(exclude=["proposal"])
    attachment.save()
    return attachment


EDITABLE_FIELDS = ("title", "reasons", "suggestions", "category")


@transaction.atomic
def proposal_update_draft(*, proposal: Proposal, actor, **fields) -> Proposal:
    proposal = lock(proposal)
    if proposal.status not in EDITABLE:
        raise WorkflowError(_("提案已提交，不能再修改。"))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {unknown}")
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save()
    return proposal


@transaction.atomic
def proposal_save_draft(
    *,
    actor,
    member: Member,
    proposal: Proposal | None = None,
    title: str,
    reasons: str,
    suggestions: str,
    category,
    cosigners=(),
    attachment=None,
) -> Proposal:
    """A member's draft as the portal's form saves it: the text, an optional attachment
    and the co-signers invited, all of it or none. ``proposal`` None starts a new one."""
    if proposal is None:
        proposal = proposal_create(
            actor=actor,
            office=member.office,
            lead_member=member,
            title=title,
            reasons=reasons,
            suggestions=suggestions,
            category=category,
            cosigners=list(cosigners),
        )
    else:
        if proposal.lead_member_id != member.pk:
            raise WorkflowError(_("只有第一提案人可以修改提案。"))
        proposal_update_draft(
            proposal=proposal,
            actor=actor,
            title=title,
            reasons=reasons,
            suggestions=suggestions,
            category=category,
        )
        proposal_invite_cosigners(proposal=proposal, actor=actor, members=list(cosigners))
    if attachment:
        proposal_attach(proposal=proposal, actor=actor, file=attachment)
    return proposal


@transaction.atomic
def proposal_invite_cosigners(*, proposal: Proposal, actor, members) -> list[ProposalCosigner]:
    proposal = lock(proposal)
    if proposal.status not in EDITABLE:
        raise WorkflowError(_("提案已提交，不能再邀请附议人。"))
    config = ProposalConfig.for_office(proposal.office)
    invited = []
    existing = set(proposal.cosigners.values_list("member_id", flat=True))
    for member in members:
        _check_cosigner(proposal, member, config)
        if member.pk in existing:
            continue
        invited.append(ProposalCosigner.objects.create(proposal=proposal, member=member))
    if invited and proposal.proposer_kind == Proposal.ProposerKind.INDIVIDUAL:
        proposal.proposer_kind = Proposal.ProposerKind.JOINT
        proposal.save(update_fields=["proposer_kind"])
    for cosigner in invited:
        notifications.cosign_invitation(cosigner)
    return invited


@transaction.atomic
def cosign_respond(*, cosigner: ProposalCosigner, member: Member, accept: bool):
    cosigner = ProposalCosigner.objects.select_for_update().get(pk=cosigner.pk)
    refuse(workflows.cosign_refusal(cosigner, member))
    cosigner.status = (
        ProposalCosigner.Status.CONFIRMED if accept else ProposalCosigner.Status.DECLINED
    )
    cosigner.responded_at = timezone.now()
    cosigner.save(update_fields=["status", "responded_at"])
    return cosigner


# --- Review ---------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(*, proposal: Proposal, actor, expected: str | None = None) -> Proposal:
    proposal = lock(proposal)
    refuse(workflows.submit_refusal(proposal, actor))
    proposal.submitted_at = timezone.now()
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.SUBMITTED,
        actor=actor,
        expected=expected,
        update_fields=["submitted_at"],
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor, note: str = "") -> Proposal:
    proposal = lock(proposal)
    refuse(workflows.withdraw_refusal(proposal, actor))
    return transition(
        proposal, workflow=PROPOSAL_WORKFLOW, target=P.WITHDRAWN, actor=actor, note=note
    )


@transaction.atomic
def proposal_return(*, proposal: Proposal, actor, reason: str) -> Proposal:
    if not reason.strip():
        raise WorkflowError(_("请填写退回修改的原因。"))
    proposal = lock(proposal)
    proposal.return_reason = reason
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.RETURNED,
        actor=actor,
        note=reason,
        update_fields=["return_reason"],
    )
    notifications.proposal_returned(proposal)
    return proposal


def _next_serial(office, year: int) -> int:
    """Take the next number of the office's year under a row lock (gapless)."""
    try:
        with transaction.atomic():
            ProposalCounter.objects.get_or_create(office=office, year=year)
    except IntegrityError:
        pass  # another registration created the counter first
    counter = ProposalCounter.objects.select_for_update().get(office=office, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


@transaction.atomic
def proposal_register(*, proposal: Proposal, actor, expected: str | None = None) -> Proposal:
    """立案: a yearly number such as 2026-015, and points to the proposers."""
    proposal = lock(proposal)
    PROPOSAL_WORKFLOW.check(proposal.status, P.REGISTERED)
    proposal.serial = _next_serial(proposal.office, proposal.year)
    proposal.number = f"{proposal.year}-{proposal.serial:03d}"
    proposal.registered_at = timezone.now()
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.REGISTERED,
        actor=actor,
        expected=expected,
        note=_("案号 %(number)s") % {"number": proposal.number},
        update_fields=["serial", "number", "registered_at"],
    )
    on = proposal.registered_at.date()
    if proposal.lead_member_id:
        points_award(
            member=proposal.lead_member,
            kind="proposal_lead",
            occurred_on=on,
            source=proposal,
            actor=actor,
            description=proposal.title,
        )
    for cosigner in proposal.cosigners.filter(
        status=ProposalCosigner.Status.CONFIRMED
    ).select_related("member"):
        points_award(
            member=cosigner.member,
            kind="proposal_cosigner",
            occurred_on=on,
            source=proposal,
            actor=actor,
            description=proposal.title,
        )
    notifications.proposal_registered(proposal)
    return proposal


@transaction.atomic
def proposal_reject(
    *, proposal: Proposal, actor, ground: str, note: str = "", convert: bool = False
) -> Proposal:
    """不予立案, optionally converted to a public-opinion report that keeps the text."""
    if ground not in Proposal.NotRegisteredGround.values:
        raise WorkflowError(_("请选择不予立案的理由。"))
    proposal = lock(proposal)
    proposal.not_registered_ground = ground
    proposal.not_registered_note = note
    label = Proposal.NotRegisteredGround(ground).label
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.NOT_REGISTERED,
        actor=actor,
        note=f"{label} {note}".strip(),
        update_fields=["not_registered_ground", "not_registered_note"],
    )
    if convert:
        report = OpinionReport.objects.create(
            office=proposal.office,
            year=proposal.year,
            title=proposal.title,
            situation=proposal.reasons,
            suggestion=proposal.suggestions,
            member=proposal.lead_member,
            status=OpinionReport.Status.SUBMITTED,
            submitted_at=timezone.now(),
            source_proposal=proposal,
            created_by=actor,
        )
        record_creation(report, actor=actor, note=_("由提案转为社情民意信息"))
    notifications.proposal_not_registered(proposal)
    return proposal


@transaction.atomic
def proposal_merge(*, proposal: Proposal, into: Proposal, actor, note: str = "") -> Proposal:
    """并案: the proposal joins another; its proposers become co-signers of that one."""
    if into.pk == proposal.pk:
        raise WorkflowError(_("不能并入提案本身。"))
    # Lock both in id order so two merges in opposite directions cannot deadlock.
    first, second = sorted([proposal, into], key=lambda p: p.pk)
    locked = {p.pk: lock(p) for p in (first, second)}
    proposal, into = locked[proposal.pk], locked[into.pk]
    if into.office_id != proposal.office_id:
        raise WorkflowError(_("只能并入本联络处的提案。"))
    if into.status in (P.DRAFT, P.RETURNED, P.WITHDRAWN, P.NOT_REGISTERED, P.MERGED, P.CLOSED):
        raise WorkflowError(
            _("目标提案当前状态为“%(s)s”，不能并案。") % {"s": into.get_status_display()}
        )
    proposal.merged_into = into
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.MERGED,
        actor=actor,
        note=note or _("并入 %(t)s") % {"t": into},
        update_fields=["merged_into"],
    )
    kept = [proposal.lead_member] if proposal.lead_member_id else []
    kept += [
        c.member
        for c in proposal.cosigners.filter(status=ProposalCosigner.Status.CONFIRMED).select_related(
            "member"
        )
    ]
    existing = set(into.cosigners.values_list("member_id", flat=True)) | {into.lead_member_id}
    for member in kept:
        if member.pk not in existing:
            ProposalCosigner.objects.create(
                proposal=into,
                member=member,
                status=ProposalCosigner.Status.CONFIRMED,
                via_merge=True,
                responded_at=timezone.now(),
            )
            existing.add(member.pk)
    if into.proposer_kind == Proposal.ProposerKind.INDIVIDUAL and kept:
        into.proposer_kind = Proposal.ProposerKind.JOINT
        into.save(update_fields=["proposer_kind"])
    return proposal


# --- Handling -------------------------------------------------------------------------


def _check_unit(proposal: Proposal, unit: HandlingUnit) -> None:
    if not unit.is_active:
        raise WorkflowError(_("承办单位“%(u)s”已停用。") % {"u": unit})
    if unit.office_id is not None and unit.office_id != proposal.office_id:
        raise WorkflowError(_("“%(u)s”是其他联络处的单位，不能交办。") % {"u": unit})


@transaction.atomic
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
    transition(
        proposal,
        workflow=PROPOSAL_WORKFLOW,
        target=P.ASSIGNED,
        actor=actor,
        expected=expected,
        note=_("主办：%(lead)s；会办：%(co)s；办理期限 %(due)s")
        % {
            "lead": lead_unit,
            "co": "、".join(str(u) for u in co_units) or _("无"),
            "due": due_date,
        },
        update_fields=["assigned_on", "due_date"],
    )
    assignments = [
        Assignment.objects.create(
            proposal=proposal, unit=lead_unit, role=Assignment.Role.LEAD, assigned_on=assigned_on
        )
    ] + [
        Assignment.objects.create(
            proposal=proposal, unit=unit, role=Assignment.Role.CO, assigned_on=assigned_on
        )
        for unit in co_units
    ]
    for assignment in assignments:
        notifications.assignment_made(assignment)
    return proposal


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
def reply_record(
    *,
    assignment: Assignment,
    grade: str,
    content: str,
    contact_method: str,
    replied_on: datetime.date | None = None,
    letter=None,
    actor=None,
    actor_label: str = "",
) -> Reply:
    """答复. The proposal counts as replied when its lead unit has replied; the proposer
    is then asked for feedback within the configured working days."""
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
    if not assignment.acknowledged_at:
        assignment.acknowledged_at = timezone.now()
        assignment.save(update_fields=["acknowledged_at"])
    label = actor_label or str(assignment.unit)
    if assignment.is_lead:
        config = ProposalConfig.for_office(proposal.office)
        proposal.replied_on = replied_on
        proposal.feedback_due_date = add_working_days(today(), config.feedback_working_days)
        transition(
            proposal,
            workflow=PROPOSAL_WORKFLOW,
            target=P.REPLIED,
            actor=actor,
            actor_label=label,
            note=_("%(u)s 答复（%(g)s）") % {"u": assignment.unit, "g": reply.get_grade_display()},
            update_fields=["replied_on", "feedback_due_date"],
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


@transaction.atomic
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
    feedback = Feedback.objects.create(
        proposal=proposal,
        round=proposal.handling_round,
        member=member or proposal.lead_member,
        verdict=verdict,
        comments=comments,
    )
    config = ProposalConfig.for_office(proposal.office)
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


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


# --- Public-opinion reports -----------------------------------------------------------


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


@transaction.atomic
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


# --- Research reports -----------------------------------------------------------------

RESEARCH_POINTS = "research"


@transaction.atomic
def research_points_sync(*, report: ResearchReport, actor) -> None:
    """Points for taking part in research (参加调研视察): once the report is submitted
    (报送日期 set), its lead member and every group member earn the rule's points for it,
    in the year it was submitted. Members taken out of the group, or a submission date
    removed or moved, take the points back (and earn them again for the new date).
    Harmless to call again after every save."""
    taking_part = {}
    if report.submitted_on is not None:
        taking_part = {m.pk: m for m in report.group_members.all()}
        if report.lead_member_id:
            taking_part[report.lead_member_id] = report.lead_member
    earned = PointEntry.objects.filter(
        kind=RESEARCH_POINTS,
        source_type=ContentType.objects.get_for_model(ResearchReport),
        source_id=report.pk,
    ).select_related("member")
    for entry in earned:
        if entry.member_id not in taking_part or entry.occurred_on != report.submitted_on:
            points_revoke(member=entry.member, kind=RESEARCH_POINTS, source=report)
    for member in taking_part.values():
        points_award(
            member=member,
            kind=RESEARCH_POINTS,
            occurred_on=report.submitted_on,
            source=report,
            actor=actor,
            description=report.topic,
        )


@transaction.atomic
def research_reports_delete(*, reports) -> None:
    """Delete research reports and the points they earned their group."""
    ids = list(reports.values_list("pk", flat=True))
    PointEntry.objects.filter(
        kind=RESEARCH_POINTS,
        source_type=ContentType.objects.get_for_model(ResearchReport),
        source_id__in=ids,
    ).delete()
    for report in ResearchReport.objects.filter(pk__in=ids):
        report.delete()  # one by one, so the history records each deletion
