"""What each person may do to a proposal or a public-opinion report now (see
liaison.actions). The admin, the portal and the unit page render their buttons from
here; the predicates are the transition table plus the guards the services raise."""

from django.utils.translation import gettext_lazy as _

from liaison.actions import (
    DANGER,
    MEMBER,
    PRIMARY,
    SECONDARY,
    STAFF,
    UNIT,
    Action,
    ActionTable,
    Actor,
    Rule,
    all_of,
    in_states,
    moves_to,
    of_record,
    requires,
)

from . import workflows as w
from .models import Assignment, FollowUp, OpinionReport, Proposal
from .services.followup import follow_up_report_refusal, open_follow_up

P = Proposal.Status
OS = OpinionReport.Status


# --- Who is asking -------------------------------------------------------------------


_is_lead = requires(
    lambda proposal, actor: actor.member is not None and proposal.lead_member_id == actor.member.pk,
    _("只有第一提案人可以办理。"),
)


def my_invitation(proposal, member):
    """The member's co-signature invitation on ``proposal``, if any."""
    return next((c for c in proposal.cosigners.all() if c.member_id == member.pk), None)


def _invited(proposal, actor: Actor) -> str | None:
    invitation = my_invitation(proposal, actor.member)
    if invitation is None:
        return _("只有被邀请的委员本人可以确认附议。")
    if invitation.status != invitation.Status.INVITED:
        return _("您已答复过这项附议邀请。")
    return w.cosign_refusal(invitation, actor.member)


# --- What a handling unit may do (on its page, or through staff in the admin) --------


def _unit_acknowledge_refusal(assignment, proposal) -> str | None:
    if assignment.acknowledged_at:
        return _("已签收。")
    if proposal.status not in Proposal.HANDLING_STATUSES:
        return _("提案不在办理中。")
    return w.acknowledge_refusal(assignment, proposal)


UNIT_GUARDS = {
    "acknowledge": _unit_acknowledge_refusal,
    "return": w.return_request_refusal,
    "opinion": w.co_opinion_refusal,
    "reply": w.reply_refusal,
}


def units_that_may(proposal, name: str) -> list[Assignment]:
    """The active assignments whose unit may take the unit action ``name`` now: staff
    acting for a unit in the admin choose among these."""
    guard = UNIT_GUARDS[name]
    return [a for a in proposal.assignments.all() if a.is_active and guard(a, proposal) is None]


def _for_unit(name):
    def refusal(proposal, actor):
        if not actor.unit.is_active:
            return _("该提案已改由其他单位办理。")
        return UNIT_GUARDS[name](actor.unit, proposal)

    return refusal


def _for_some_unit(name):
    return requires(
        lambda proposal, actor: bool(units_that_may(proposal, name)),
        _("没有可以办理此事项的承办单位。"),
    )


_return_requested = requires(
    lambda proposal, actor: (
        proposal.status in w.RETURNABLE
        and any(
            a.is_active and a.return_state == Assignment.ReturnState.REQUESTED
            for a in proposal.assignments.all()
        )
    ),
    _("没有待处理的退回申请。"),
)


# --- Follow-up of B replies (issue 20, item 5) ----------------------------------------


def _follow_up_for_unit(proposal, actor):
    """The unit (its signed link) reports on its own open follow-up."""
    if not actor.unit.is_active:
        return _("该提案已改由其他单位办理。")
    return follow_up_report_refusal(open_follow_up(actor.unit))


def closable_follow_ups(proposal) -> list:
    return [f for f in proposal.follow_ups.all() if f.status != FollowUp.Status.CLOSED]


_follow_up_to_close = requires(
    lambda proposal, actor: bool(closable_follow_ups(proposal)),
    _("没有待办结的B类答复跟踪。"),
)


def _user_guard(guard):
    return lambda proposal, actor: guard(proposal, actor.user)


# --- Proposals -------------------------------------------------------------------------

PROPOSAL_ACTIONS = ActionTable(
    # Office staff, in the admin.
    Rule(
        Action("submit", _("代为提交"), PRIMARY, confirm=_("确定代为提交这件提案吗？")),
        STAFF,
        all_of(moves_to(w.PROPOSAL_WORKFLOW, P.SUBMITTED), _user_guard(w.submit_refusal)),
    ),
    Rule(
        Action("register", _("立案"), PRIMARY, confirm=_("立案后将编入本年度案号。")),
        STAFF,
        moves_to(w.PROPOSAL_WORKFLOW, P.REGISTERED),
    ),
    Rule(
        Action("return", _("退回修改"), form=True),
        STAFF,
        moves_to(w.PROPOSAL_WORKFLOW, P.RETURNED),
    ),
    Rule(
        Action("merge", _("并案"), form=True),
        STAFF,
        moves_to(w.PROPOSAL_WORKFLOW, P.MERGED),
    ),
    Rule(
        Action("reject", _("不予立案"), DANGER, form=True),
        STAFF,
        moves_to(w.PROPOSAL_WORKFLOW, P.NOT_REGISTERED),
    ),
    Rule(Action("assign", _("交办"), PRIMARY, form=True), STAFF, of_record(w.assign_refusal)),
    Rule(
        Action("decide_return", _("处理退回申请"), form=True),
        STAFF,
        _return_requested,
    ),
    Rule(Action("unit_reply", _("代录答复"), PRIMARY, form=True), STAFF, _for_some_unit("reply")),
    Rule(
        Action("unit_acknowledge", _("代单位签收"), form=True),
        STAFF,
        _for_some_unit("acknowledge"),
    ),
    Rule(
        Action("unit_opinion", _("代录会办意见"), form=True),
        STAFF,
        _for_some_unit("opinion"),
    ),
    Rule(
        Action("unit_return", _("代单位申请退回"), form=True),
        STAFF,
        _for_some_unit("return"),
    ),
    Rule(Action("extend", _("延期"), form=True), STAFF, of_record(w.extend_refusal)),
    Rule(
        Action("feedback", _("录入提案人评价"), PRIMARY, form=True),
        STAFF,
        # Staff key in the proposer's verdict (given on paper or by phone).
        lambda p, actor: w.feedback_refusal(p, actor.user, p.lead_member),
    ),
    Rule(
        Action("close", _("逾期未反馈，办结"), confirm=_("委员逾期未评价，确定办结吗？")),
        STAFF,
        of_record(w.close_refusal),
    ),
    Rule(
        # Secondary: while the proposer's feedback is awaited, that is the next step; once
        # given, this is the only step left and becomes the page's one button anyway.
        Action("follow_up_close", _("B类答复落实办结"), SECONDARY, form=True),
        STAFF,
        _follow_up_to_close,
    ),
    Rule(
        Action("mark_key", _("列为重点提案"), form=True),
        STAFF,
        in_states(w.REGISTERED_OR_LATER),
    ),
    Rule(
        Action("disclosure", _("设置是否公开"), form=True),
        STAFF,
        of_record(w.disclosure_refusal),
    ),
    Rule(
        Action("mark_excellent", _("评为优秀提案"), confirm=_("确定评为优秀提案吗？")),
        STAFF,
        in_states(w.REGISTERED_OR_LATER),
    ),
    Rule(
        Action("withdraw", _("撤回"), DANGER, form=True),
        STAFF,
        all_of(moves_to(w.PROPOSAL_WORKFLOW, P.WITHDRAWN), _user_guard(w.withdraw_refusal)),
    ),
    # The member, in the portal.
    Rule(
        Action("cosign_accept", _("确认附议"), PRIMARY),
        MEMBER,
        _invited,
    ),
    Rule(Action("cosign_decline", _("谢绝附议")), MEMBER, _invited),
    Rule(
        Action("submit", _("提交"), PRIMARY, confirm=_("提交后不能再修改，确定提交吗？")),
        MEMBER,
        all_of(
            _is_lead,
            moves_to(w.PROPOSAL_WORKFLOW, P.SUBMITTED),
            _user_guard(w.submit_refusal),
        ),
    ),
    Rule(
        Action("edit", _("修改"), form=True),
        MEMBER,
        all_of(_is_lead, in_states(w.EDITABLE)),
    ),
    Rule(
        Action("open_cosign", _("开放附议"), form=True),
        MEMBER,
        lambda p, actor: w.open_cosign_refusal(p, actor.user),
    ),
    Rule(
        Action(
            "cosign_join",
            _("我要附议"),
            PRIMARY,
            confirm=_("附议后您将作为附议人联名提出这件提案，确定附议吗？"),
        ),
        MEMBER,
        lambda p, actor: w.join_cosign_refusal(p, actor.member),
    ),
    Rule(
        Action("feedback", _("评价办理答复"), PRIMARY, form=True),
        MEMBER,
        lambda p, actor: w.feedback_refusal(p, actor.user, actor.member),
    ),
    # A draft never sent is discarded; a proposal the office has seen is withdrawn.
    # Both are the same move (proposal_withdraw), worded for where the proposal is.
    Rule(
        Action(
            "discard",
            _("删除草稿"),
            DANGER,
            confirm=_("删除后草稿不再列在您的提案中，确定删除吗？"),
        ),
        MEMBER,
        all_of(
            _is_lead,
            in_states((P.DRAFT,)),
            moves_to(w.PROPOSAL_WORKFLOW, P.WITHDRAWN),
            _user_guard(w.withdraw_refusal),
        ),
    ),
    Rule(
        Action("withdraw", _("撤回提案"), DANGER, confirm=_("撤回后提案不再办理，确定撤回吗？")),
        MEMBER,
        all_of(
            _is_lead,
            requires(lambda p, actor: p.status != P.DRAFT, _("草稿请直接删除。")),
            moves_to(w.PROPOSAL_WORKFLOW, P.WITHDRAWN),
            _user_guard(w.withdraw_refusal),
        ),
    ),
    # A handling unit, on the page its signed link opens.
    Rule(Action("acknowledge", _("签收")), UNIT, _for_unit("acknowledge")),
    Rule(Action("reply", _("提交答复"), PRIMARY, form=True), UNIT, _for_unit("reply")),
    Rule(Action("opinion", _("提交会办意见"), form=True), UNIT, _for_unit("opinion")),
    Rule(Action("return", _("申请退回"), DANGER, form=True), UNIT, _for_unit("return")),
    Rule(
        Action("follow_up_complete", _("报告已完成"), PRIMARY, form=True),
        UNIT,
        _follow_up_for_unit,
    ),
    Rule(Action("follow_up_progress", _("报告落实进展"), form=True), UNIT, _follow_up_for_unit),
)


def proposal_actions(proposal: Proposal, actor: Actor) -> list[Action]:
    return PROPOSAL_ACTIONS.available(proposal, actor)


# --- Public-opinion reports --------------------------------------------------------------


_is_author = requires(
    lambda report, actor: actor.member is not None and report.member_id == actor.member.pk,
    _("只有反映人本人可以办理。"),
)


OPINION_ACTIONS = ActionTable(
    Rule(
        Action("submit", _("代为提交"), PRIMARY, confirm=_("确定代为提交吗？")),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.SUBMITTED),
    ),
    Rule(Action("edit", _("编辑完成"), PRIMARY), STAFF, moves_to(w.OPINION_WORKFLOW, OS.EDITED)),
    Rule(
        Action("approve", _("审核通过"), PRIMARY),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.APPROVED),
    ),
    Rule(
        Action("issue", _("签发"), PRIMARY, form=True),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.ISSUED),
    ),
    Rule(
        Action("forward", _("报送"), PRIMARY, form=True),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.FORWARDED),
    ),
    Rule(
        Action("adopt", _("登记采用情况"), form=True),
        STAFF,
        of_record(w.adoption_refusal),
    ),
    Rule(
        Action("not_used", _("不予采用"), DANGER, form=True),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.NOT_USED),
    ),
    Rule(
        Action("edit", _("修改"), form=True),
        MEMBER,
        all_of(_is_author, in_states(w.OPINION_WORKFLOW.sources(OS.SUBMITTED))),
    ),
    Rule(
        Action("submit", _("提交联络处"), PRIMARY, confirm=_("提交后不能再修改，确定提交吗？")),
        MEMBER,
        all_of(
            _is_author,
            moves_to(w.OPINION_WORKFLOW, OS.SUBMITTED),
            _user_guard(w.opinion_submit_refusal),
        ),
    ),
)


def opinion_report_actions(report: OpinionReport, actor: Actor) -> list[Action]:
    return OPINION_ACTIONS.available(report, actor)
