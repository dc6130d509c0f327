"""The allowed moves of proposals and public-opinion reports (DOMAIN.md)."""

from django.utils.translation import gettext as _

from liaison.models import today
from liaison.workdays import working_days_between
from liaison.workflow import Workflow

from .models import Assignment, OpinionReport, Proposal, ProposalConfig, ProposalCosigner

P = Proposal.Status

PROPOSAL_WORKFLOW = Workflow(
    P,
    {
        P.DRAFT: (P.SUBMITTED, P.WITHDRAWN),
        P.SUBMITTED: (P.RETURNED, P.REGISTERED, P.NOT_REGISTERED, P.MERGED, P.WITHDRAWN),
        P.RETURNED: (P.SUBMITTED, P.WITHDRAWN),
        P.REGISTERED: (P.ASSIGNED,),
        # ASSIGNED -> ASSIGNED: the lead unit's return was accepted and a new unit took over.
        P.ASSIGNED: (P.ASSIGNED, P.ACKNOWLEDGED, P.REPLIED),
        P.ACKNOWLEDGED: (P.REPLIED,),
        P.REPLIED: (P.CLOSED, P.REHANDLING),
        P.REHANDLING: (P.REPLIED,),
    },
)

OS = OpinionReport.Status

OPINION_WORKFLOW = Workflow(
    OS,
    {
        OS.DRAFT: (OS.SUBMITTED,),
        OS.SUBMITTED: (OS.NOT_USED, OS.EDITED),
        OS.EDITED: (OS.APPROVED, OS.NOT_USED),
        OS.APPROVED: (OS.ISSUED,),
        OS.ISSUED: (OS.FORWARDED,),
    },
)


# --- Guards ----------------------------------------------------------------------------
# Each returns the sentence a refused person reads, or None when the move may go ahead.
# The services raise it (``liaison.workflow.refuse``); ``actions.py`` asks the same
# question to decide which buttons to show, so the two cannot drift apart.

# A draft is edited, attached to and co-signed in the states it can be submitted from.
EDITABLE = PROPOSAL_WORKFLOW.sources(P.SUBMITTED)
REGISTERED_OR_LATER = (
    P.REGISTERED,
    P.ASSIGNED,
    P.ACKNOWLEDGED,
    P.REPLIED,
    P.REHANDLING,
    P.CLOSED,
)
# A unit may ask to give a proposal back before it has replied to it.
RETURNABLE = (P.ASSIGNED, P.ACKNOWLEDGED)


def is_proposer(proposal: Proposal, user) -> bool:
    member = getattr(user, "member", None)
    return member is not None and member.pk == proposal.lead_member_id


def cosigners_refusal(proposal: Proposal) -> str | None:
    """A proposal goes in only when every invited co-signer has answered (and a joint
    proposal has at least one who confirmed)."""
    statuses = [c.status for c in proposal.cosigners.all()]
    if ProposalCosigner.Status.INVITED in statuses:
        return _("还有附议人未确认，全部确认后才能提交。")
    if (
        proposal.proposer_kind == Proposal.ProposerKind.JOINT
        and ProposalCosigner.Status.CONFIRMED not in statuses
    ):
        return _("联名提案至少需要一位附议人确认。")
    return None


def submit_refusal(proposal: Proposal, user) -> str | None:
    if proposal.proposer_kind != Proposal.ProposerKind.OFFICE and not (
        is_proposer(proposal, user) or user.is_staff
    ):
        return _("只有第一提案人可以提交提案。")
    return cosigners_refusal(proposal)


def withdraw_refusal(proposal: Proposal, user) -> str | None:
    if not (is_proposer(proposal, user) or user.is_staff):
        return _("只有第一提案人可以撤回提案。")
    return None


def cosign_refusal(cosigner: ProposalCosigner, member) -> str | None:
    if member is None or cosigner.member_id != member.pk:
        return _("只有被邀请的委员本人可以确认附议。")
    if cosigner.proposal.status not in EDITABLE:
        return _("提案已提交，附议已截止。")
    return None


def suggested_unit_refusal(proposal: Proposal, unit) -> str | None:
    """A suggested unit must still be on the office's unit list (an active unit of the
    office, or a district-wide one); a retired unit is named so the proposer can choose
    again."""
    if not unit.is_active or (unit.office_id is not None and unit.office_id != proposal.office_id):
        return _(
            "您建议的单位“%(u)s”已不在承办单位名单中，请重新选择；不确定时可在说明中写明。"
        ) % {"u": unit}
    return None


# The longest an open call for co-signers may run: the office reviews a submitted
# proposal within weeks, and co-signing ends at 立案 anyway.
OPEN_COSIGN_MAX_DAYS = 30


def open_cosign_refusal(proposal: Proposal, user, until=None) -> str | None:
    """The proposer opens a submitted proposal to co-signing by any serving member."""
    if not is_proposer(proposal, user):
        return _("只有第一提案人可以开放附议。")
    if proposal.status != P.SUBMITTED:
        return _("提案提交后、立案前才能开放附议。")
    if until is not None:
        if until < today():
            return _("附议截止日期不能早于今天。")
        if (until - today()).days > OPEN_COSIGN_MAX_DAYS:
            return _("附议截止日期最多在%(n)s天之后。") % {"n": OPEN_COSIGN_MAX_DAYS}
    return None


def join_cosign_refusal(proposal: Proposal, member) -> str | None:
    """Why ``member`` cannot join the proposal's open call for co-signers now, or None."""
    if member is None:
        return _("只有委员可以附议。")
    if proposal.open_cosign_until is None:
        return _("这件提案没有开放附议。")
    if proposal.status in REGISTERED_OR_LATER:
        return _("提案已立案，附议已截止。")
    if proposal.status != P.SUBMITTED:
        return _("提案当前不接受附议。")
    if proposal.open_cosign_until < today():
        return _("附议已于%(d)s截止。") % {
            "d": f"{proposal.open_cosign_until.year}年{proposal.open_cosign_until.month}月"
            f"{proposal.open_cosign_until.day}日"
        }
    if member.pk == proposal.lead_member_id:
        return _("您是这件提案的第一提案人。")
    if not member.is_serving:
        return _("只有在任委员可以附议。")
    if member.office_id != proposal.office_id:
        return _("只有本联络处的委员可以附议这件提案。")
    if any(c.member_id == member.pk for c in proposal.cosigners.all()):
        return _("您已是这件提案的附议人。")
    return None


def assign_refusal(proposal: Proposal) -> str | None:
    # The table's ASSIGNED -> ASSIGNED move is a change of lead unit after an accepted
    # return (assignment_decide_return), not a second 交办.
    if proposal.status != P.REGISTERED:
        return _("只有已立案、尚未交办的提案可以交办。")
    return None


def disclosure_refusal(proposal: Proposal) -> str | None:
    if proposal.status not in REGISTERED_OR_LATER:
        return _("只有已立案的提案可以设置是否公开。")
    return None


def extend_refusal(proposal: Proposal) -> str | None:
    if proposal.status not in Proposal.HANDLING_STATUSES:
        return _("只有办理中的提案可以延期。")
    return None


def acknowledge_refusal(assignment: Assignment, proposal: Proposal) -> str | None:
    """签收: acknowledging twice is harmless, so the service lets it pass; the button
    is offered only while the assignment is unacknowledged."""
    if assignment.return_state == Assignment.ReturnState.REQUESTED:
        return _("退回申请待处理中，暂不能签收。")
    return None


def return_request_refusal(assignment: Assignment, proposal: Proposal) -> str | None:
    if proposal.status not in RETURNABLE:
        return _("提案已进入答复阶段，不能申请退回。")
    if assignment.acknowledged_at:
        return _("已签收的提案不能申请退回。")
    if assignment.return_state == Assignment.ReturnState.REQUESTED:
        return _("退回申请已提交，请等待联络处处理。")
    config = ProposalConfig.for_office(proposal.office)
    if working_days_between(assignment.assigned_on, today()) > config.return_window_working_days:
        return _("交办 %(n)s 个工作日后不能再申请退回，请与联络处联系。") % {
            "n": config.return_window_working_days
        }
    return None


def co_opinion_refusal(assignment: Assignment, proposal: Proposal) -> str | None:
    if assignment.is_lead:
        return _("会办意见由会办单位提出。")
    if proposal.status not in Proposal.HANDLING_STATUSES:
        return _("提案不在办理中，不能提出会办意见。")
    return None


def reply_refusal(assignment: Assignment, proposal: Proposal) -> str | None:
    if proposal.status not in Proposal.HANDLING_STATUSES:
        return _("提案当前状态为“%(s)s”，不能答复。") % {"s": proposal.get_status_display()}
    if assignment.return_state == Assignment.ReturnState.REQUESTED:
        return _("退回申请待处理中，暂不能答复。")
    if any(r.round == proposal.handling_round for r in assignment.replies.all()):
        return _("本单位本轮已答复，不能重复答复。")
    return None


def feedback_refusal(proposal: Proposal, user, member=None) -> str | None:
    member = member or getattr(user, "member", None)
    if proposal.lead_member_id is None:
        if not user.is_staff:
            return _("集体提案的反馈由联络处工作人员录入。")
    elif member is None or member.pk != proposal.lead_member_id:
        return _("只有第一提案人可以对答复作出评价。")
    if proposal.status != P.REPLIED:
        return _("提案尚未答复或已办结，现在不能评价。")
    return None


def close_refusal(proposal: Proposal) -> str | None:
    if proposal.status != P.REPLIED:
        return _("只有已答复的提案可以办结。")
    if proposal.feedback_due_date and proposal.feedback_due_date >= today():
        return _("委员反馈期限（%(d)s）未到，暂不能直接办结。") % {"d": proposal.feedback_due_date}
    return None


def adoption_refusal(report: OpinionReport) -> str | None:
    if report.status not in (OS.ISSUED, OS.FORWARDED):
        return _("只有已签发或已报送的社情民意才能登记采用情况。")
    return None


def opinion_submit_refusal(report: OpinionReport, user) -> str | None:
    member = getattr(user, "member", None)
    if not user.is_staff and (member is None or member.pk != report.member_id):
        return _("只有反映人本人可以提交。")
    return None
