"""What each person may do to an activity or to an opinion collected at one now (see
liaison.actions). The admin and the portal render their buttons from here; the
predicates are the transition table plus the guards the services raise
(briefings/workflows.py)."""

from django.utils.translation import gettext_lazy as _

from liaison.actions import (
    DANGER,
    MEMBER,
    PRIMARY,
    STAFF,
    Action,
    ActionTable,
    Actor,
    Rule,
    all_of,
    moves_to,
    of_record,
    requires,
)

from . import workflows as w
from .models import Activity, Invitation, Opinion

A = Activity.Status
OS = Opinion.Status


def invitation_of(activity: Activity, member) -> Invitation | None:
    """The member's invitation to ``activity``: from the portal page's prefetch
    (selectors.member_activity_detail) when there is one, else one query."""
    prefetched = getattr(activity, "my_invitations", None)
    if prefetched is not None:
        return next((i for i in prefetched if i.member_id == member.pk), None)
    invitation = activity.invitations.filter(member=member).first()
    if invitation is not None:
        invitation.activity = activity
    return invitation


def _mine(guard):
    """A member's guard, asked about their own invitation."""
    return lambda activity, actor: guard(activity, invitation_of(activity, actor.member))


_leave_pending = requires(
    lambda activity, actor: activity.invitations.filter(
        leave_status=Invitation.Leave.REQUESTED
    ).exists(),
    _("没有待审批的请假申请。"),
)

_attendance_recorded = requires(
    lambda activity, actor: activity.invitations.exclude(attendance="").exists(),
    _("还没有登记出勤的委员。"),
)


# --- Activities --------------------------------------------------------------------------
# One primary per moment: 发布 while a draft, 完成考勤登记 once it has started; the
# member's 回复 before the start and 意见建议 from the start never overlap.

ACTIVITY_ACTIONS = ActionTable(
    # Office staff, in the admin.
    Rule(
        Action("request_send", _("登记请示报送"), form=True),
        STAFF,
        of_record(w.request_send_refusal),
    ),
    Rule(
        Action("request_answer", _("录入党工委批复"), form=True),
        STAFF,
        of_record(w.request_answer_refusal),
    ),
    Rule(Action("invite", _("邀请委员"), form=True), STAFF, of_record(w.invite_refusal)),
    Rule(
        Action("publish", _("发布并通知委员"), PRIMARY, form=True),
        STAFF,
        all_of(moves_to(w.ACTIVITY_WORKFLOW, A.PUBLISHED), of_record(w.publish_refusal)),
    ),
    Rule(
        Action("reschedule", _("调整时间地点"), form=True),
        STAFF,
        of_record(w.reschedule_refusal),
    ),
    Rule(
        Action("decide_leave", _("审批请假"), form=True),
        STAFF,
        all_of(of_record(w.leave_open_refusal), _leave_pending),
    ),
    Rule(
        Action(
            "close_attendance",
            _("完成考勤登记"),
            PRIMARY,
            confirm=_("未签到的委员将按请假或缺席登记，活动记为已举行。确定完成吗？"),
        ),
        STAFF,
        of_record(w.close_attendance_refusal),
    ),
    Rule(
        Action("correct_attendance", _("更正出勤"), form=True),
        STAFF,
        all_of(of_record(w.correct_attendance_refusal), _attendance_recorded),
    ),
    Rule(
        Action("record_opinion", _("录入意见建议"), form=True),
        STAFF,
        of_record(w.record_opinion_refusal),
    ),
    Rule(Action("write_minutes", _("撰写纪要"), form=True), STAFF, of_record(w.minutes_refusal)),
    Rule(
        Action("cancel", _("取消活动"), DANGER, form=True),
        STAFF,
        moves_to(w.ACTIVITY_WORKFLOW, A.CANCELLED),
    ),
    # The invited member, in the portal.
    Rule(
        Action("reply", _("提交回复"), PRIMARY, form=True),
        MEMBER,
        _mine(w.reply_refusal),
    ),
    Rule(
        Action("opinion", _("提意见建议"), PRIMARY, form=True),
        MEMBER,
        _mine(w.opinion_refusal),
    ),
    # Taken on the page the QR code opens (the code is part of the request), never
    # drawn on the activity's page.
    Rule(Action("sign_in", _("确认签到")), MEMBER, _mine(w.sign_in_refusal)),
)


def activity_actions(activity: Activity, actor: Actor) -> list[Action]:
    return ACTIVITY_ACTIONS.available(activity, actor)


# --- Opinions collected ------------------------------------------------------------------

OPINION_ACTIONS = ActionTable(
    Rule(
        Action("to_concern", _("转为意见建议办理"), PRIMARY, form=True),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.CONCERN),
    ),
    Rule(
        Action("to_proposal", _("转为委员提案草稿"), form=True),
        STAFF,
        of_record(w.to_proposal_refusal),
    ),
    Rule(
        Action("note", _("阅存"), confirm=_("确定阅存这条意见建议、暂不转办吗？")),
        STAFF,
        moves_to(w.OPINION_WORKFLOW, OS.NOTED),
    ),
)


def opinion_actions(opinion: Opinion, actor: Actor) -> list[Action]:
    return OPINION_ACTIONS.available(opinion, actor)
