"""Drafting, co-signing, submission and review (立案, return, refusal, merger) of
proposals."""

from django.db import IntegrityError, transaction
from django.db.models import F
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
from members.models import Member, Term
from members.points import points_award

from .. import notifications, workflows
from ..models import (
    OpinionReport,
    Proposal,
    ProposalAttachment,
    ProposalConfig,
    ProposalCosigner,
    ProposalCounter,
)
from ..workflows import EDITABLE, PROPOSAL_WORKFLOW

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


@service
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


@service
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


@service
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


@service
def proposal_suggest_units(
    *, proposal: Proposal, actor, lead_unit=None, co_units=(), note: str = ""
) -> Proposal:
    """The proposer's suggested lead and co-handling units (建议承办单位), or a note in
    words when unsure; editable while the proposal is a draft or returned."""
    proposal = lock(proposal)
    if proposal.status not in EDITABLE:
        raise WorkflowError(_("提案已提交，不能再修改建议承办单位。"))
    co_units = [u for u in co_units if lead_unit is None or u.pk != lead_unit.pk]
    for unit in [u for u in (lead_unit, *co_units) if u is not None]:
        refuse(workflows.suggested_unit_refusal(proposal, unit))
    proposal.suggested_lead_unit = lead_unit
    proposal.suggested_units_note = note.strip()
    proposal.full_clean(
        exclude=[f.name for f in Proposal._meta.fields if f.name != "suggested_units_note"]
    )
    proposal.save(update_fields=["suggested_lead_unit", "suggested_units_note"])
    proposal.suggested_co_units.set(co_units)
    return proposal


@service
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
    suggested_lead_unit=None,
    suggested_co_units=(),
    suggested_units_note: str = "",
) -> Proposal:
    """A member's draft as the portal's form saves it: the text, the suggested units, an
    optional attachment and the co-signers invited, all of it or none. ``proposal``
    None starts a new one."""
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
    proposal_suggest_units(
        proposal=proposal,
        actor=actor,
        lead_unit=suggested_lead_unit,
        co_units=list(suggested_co_units),
        note=suggested_units_note,
    )
    if attachment:
        proposal_attach(proposal=proposal, actor=actor, file=attachment)
    return proposal


@service
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


@service
def proposal_set_cosigners(*, proposal: Proposal, actor, members) -> Proposal:
    """The co-signers as staff tick them in the admin: those newly ticked are invited
    (and told, as ``proposal_invite_cosigners`` does), those no longer ticked are taken
    off, and those kept keep their answer (confirmed, declined or still invited)."""
    proposal = lock(proposal)
    if proposal.status not in EDITABLE:
        raise WorkflowError(_("提案已提交，不能再更改附议人。"))
    members = list(members)
    if any(m.pk == proposal.lead_member_id for m in members):
        raise WorkflowError(_("第一提案人不能同时作为附议人。"))
    existing = set(proposal.cosigners.values_list("member_id", flat=True))
    proposal_invite_cosigners(
        proposal=proposal, actor=actor, members=[m for m in members if m.pk not in existing]
    )
    proposal.cosigners.exclude(member_id__in=[m.pk for m in members]).delete()
    return proposal


@service
def cosign_respond(*, cosigner: ProposalCosigner, member: Member, accept: bool):
    cosigner = ProposalCosigner.objects.select_for_update().get(pk=cosigner.pk)
    refuse(workflows.cosign_refusal(cosigner, member))
    cosigner.status = (
        ProposalCosigner.Status.CONFIRMED if accept else ProposalCosigner.Status.DECLINED
    )
    cosigner.responded_at = timezone.now()
    cosigner.save(update_fields=["status", "responded_at"])
    notifications.cosign_answered(cosigner)
    return cosigner


@service
def proposal_open_cosigning(*, proposal: Proposal, actor, until) -> Proposal:
    """开放附议: any serving member of the office may join as co-signer until ``until``
    (and at the latest until 立案)."""
    proposal = lock(proposal)
    refuse(workflows.open_cosign_refusal(proposal, actor, until))
    proposal.open_cosign_until = until
    proposal.save(update_fields=["open_cosign_until"])
    record_note(
        proposal,
        actor=actor,
        note=_("开放附议，截止%(d)s") % {"d": f"{until.year}年{until.month}月{until.day}日"},
    )
    return proposal


@service
def proposal_join_cosigning(*, proposal: Proposal, member: Member) -> ProposalCosigner:
    """A member joins a proposal open for co-signing: confirmed at once (they chose it);
    the proposer is told."""
    proposal = lock(proposal)
    refuse(workflows.join_cosign_refusal(proposal, member))
    cosigner = ProposalCosigner.objects.create(
        proposal=proposal,
        member=member,
        status=ProposalCosigner.Status.CONFIRMED,
        via_open_call=True,
        responded_at=timezone.now(),
    )
    if proposal.proposer_kind == Proposal.ProposerKind.INDIVIDUAL:
        proposal.proposer_kind = Proposal.ProposerKind.JOINT
        proposal.save(update_fields=["proposer_kind"])
    record_note(proposal, actor=member.user, note=_("%(n)s委员附议") % {"n": member.name})
    notifications.cosign_joined(cosigner)
    return cosigner


# --- Review ---------------------------------------------------------------------------


@service
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


@service
def proposal_withdraw(*, proposal: Proposal, actor, note: str = "") -> Proposal:
    proposal = lock(proposal)
    refuse(workflows.withdraw_refusal(proposal, actor))
    return transition(
        proposal, workflow=PROPOSAL_WORKFLOW, target=P.WITHDRAWN, actor=actor, note=note
    )


@service
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


@service
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


@service
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


@service
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
