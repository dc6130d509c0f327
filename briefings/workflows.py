"""The allowed moves of activities and of the opinions collected at them, and the guards
of every step (DOMAIN.md, "Activities").

Each guard returns the sentence a refused person reads, or None when the step may be
taken. The services raise it (``liaison.workflow.refuse``) under their row lock, and
``briefings/actions.py`` asks the same question to decide which buttons to draw, so a
button is shown exactly when the service would accept the step."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.workflow import Workflow

from .models import Activity, ActivityConfig, Invitation, Opinion
from .signin import sign_in_window

A = Activity.Status

ACTIVITY_WORKFLOW = Workflow(
    A,
    {
        A.DRAFT: (A.PUBLISHED, A.CANCELLED),
        # PUBLISHED -> HELD when staff finish recording attendance.
        A.PUBLISHED: (A.HELD, A.CANCELLED),
    },
)

OS = Opinion.Status

OPINION_WORKFLOW = Workflow(
    OS,
    {
        OS.NEW: (OS.CONCERN, OS.PROPOSAL, OS.NOTED),
        OS.NOTED: (OS.CONCERN, OS.PROPOSAL),
    },
)

# Not yet held or cancelled: the request for instructions and invitations still change.
OPEN = (A.DRAFT, A.PUBLISHED)
# Published or held: the activity takes place, so it has minutes, opinions, attendance.
TAKING_PLACE = (A.PUBLISHED, A.HELD)

I = Invitation  # noqa: E741


def local_time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M")


# --- Scheduling and the request for instructions (请示) --------------------------------


def schedule_refusal(*, title: str, starts_at, ends_at) -> str | None:
    if not (title or "").strip():
        return _("请填写活动名称。")
    return times_refusal(starts_at, ends_at)


def times_refusal(starts_at, ends_at) -> str | None:
    if starts_at is None or ends_at is None:
        return _("请填写开始和结束时间。")
    if ends_at < starts_at:
        return _("结束时间不能早于开始时间。")
    return None


def request_send_refusal(activity: Activity) -> str | None:
    if activity.status not in OPEN:
        return _("活动已举行或已取消，不能再登记请示。")
    if activity.request_answered:
        return _("该请示已有批复，不能重复报送。")
    return None


def request_answer_refusal(activity: Activity) -> str | None:
    if activity.status not in OPEN:
        return _("活动已举行或已取消，不能再录入批复。")
    if not activity.request_sent_on:
        return _("请先登记请示的报送日期。")
    return None


def invite_refusal(activity: Activity) -> str | None:
    if activity.status not in OPEN:
        return _("活动已举行或已取消，不能再邀请。")
    if activity.has_ended:
        return _("活动已结束，不能再邀请。")
    return None


def publish_refusal(activity: Activity) -> str | None:
    """What stops 发布 whatever staff fill in. A major activity not yet answered may
    still go ahead with a reason (the service asks for it: it is the form's content)."""
    if activity.starts_at <= timezone.now():
        return _("活动开始时间已过，不能发布。请先调整活动时间。")
    if activity.is_major and activity.request_outcome == Activity.RequestOutcome.REFUSED:
        return _("街道党工委未同意举办本次活动，不能发布。")
    if not activity.invitations.exists():
        return _("请先邀请参加活动的委员。")
    return None


def reschedule_refusal(activity: Activity) -> str | None:
    if activity.status != A.PUBLISHED:
        return _("只有已发布、尚未举行的活动需要调整时间地点。")
    if activity.has_started:
        return _("活动已开始，不能再调整时间地点。")
    return None


# --- Leave and attendance ---------------------------------------------------------------


def leave_open_refusal(activity: Activity) -> str | None:
    """Leave is decided while the activity is published (before attendance is closed)."""
    if activity.status != A.PUBLISHED:
        return _("活动考勤已完成或已取消，不能再审批请假。")
    return None


def leave_decide_refusal(invitation: Invitation, activity: Activity) -> str | None:
    if invitation.leave_status != I.Leave.REQUESTED:
        return _("%(name)s 没有待审批的请假申请。") % {"name": invitation.member.name}
    return leave_open_refusal(activity)


def pending_leave(activity: Activity):
    """Leave requests still to decide for invitees whose attendance is not recorded
    (one who asked for leave and came anyway has signed in: nothing to decide)."""
    return activity.invitations.filter(leave_status=I.Leave.REQUESTED, attendance="")


def close_attendance_refusal(activity: Activity) -> str | None:
    refusal = ACTIVITY_WORKFLOW.refusal(activity.status, A.HELD)
    if refusal:
        return refusal
    if not activity.has_started:
        return _("活动尚未开始，不能完成考勤登记。")
    pending = pending_leave(activity).count()
    if pending:
        return _("还有 %(n)s 份请假申请未审批，请先审批后再完成考勤登记。") % {"n": pending}
    return None


def correct_attendance_refusal(activity: Activity) -> str | None:
    if activity.status not in TAKING_PLACE:
        return _("活动未发布或已取消，不能更正出勤。")
    return None


def record_attendance_refusal(activity: Activity, *, now=None) -> str | None:
    """Staff tick an invitee present (the tablet page) while the activity is published
    and its sign-in has opened."""
    if activity.status == A.HELD:
        return _("考勤已登记完成。如需更正，请使用“更正出勤”。")
    if activity.status != A.PUBLISHED:
        return _("活动未发布或已取消，不能登记出勤。")
    opens, _closes = sign_in_window(activity)
    if (now or timezone.now()) < opens:
        return _("签到尚未开始（%(time)s 开放）。") % {"time": local_time(opens)}
    return None


# --- Minutes and opinions recorded by staff ---------------------------------------------


def minutes_refusal(activity: Activity) -> str | None:
    if activity.status not in TAKING_PLACE:
        return _("只有已发布或已举行的活动可以撰写纪要。")
    if not activity.has_started:
        return _("活动尚未开始，暂不能撰写纪要。")
    return None


def record_opinion_refusal(activity: Activity) -> str | None:
    if activity.status not in TAKING_PLACE:
        return _("只有已发布或已举行的活动可以录入意见建议。")
    return None


def to_proposal_refusal(opinion: Opinion) -> str | None:
    if opinion.member_id is None:
        return _("该意见没有提出委员，不能转为委员的提案草稿。")
    return OPINION_WORKFLOW.refusal(opinion.status, OS.PROPOSAL)


# --- What an invited member may do ------------------------------------------------------
# ``invitation`` is the member's own invitation to the activity, or None.


def not_invited() -> str:
    return _("您不在本次活动的邀请名单中。如需参加，请与联络处联系。")


def reply_refusal(activity: Activity, invitation: Invitation | None) -> str | None:
    """回复 (attend, or ask for leave): a published activity, until it starts; the
    member may change their mind until then."""
    if invitation is None:
        return not_invited()
    if activity.status != A.PUBLISHED:
        return _("本次活动%(status)s，不能再回复。") % {"status": activity.get_status_display()}
    if activity.has_started:
        return _("活动已于 %(time)s 开始，不能再回复或请假。如有特殊情况，请与联络处联系。") % {
            "time": local_time(activity.starts_at)
        }
    return None


def opinion_window(
    activity: Activity, config: ActivityConfig | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """When members may send opinions on an activity: from its start to
    ``ActivityConfig.opinion_days`` after its end."""
    config = config or ActivityConfig.for_office(activity.office)
    return activity.starts_at, activity.ends_at + datetime.timedelta(days=config.opinion_days)


def opinion_refusal(activity: Activity, invitation: Invitation | None, *, now=None) -> str | None:
    if invitation is None:
        return not_invited()
    if activity.status not in TAKING_PLACE:
        return _("本次活动不在意见征集期内。")
    now = now or timezone.now()
    opens, closes = opinion_window(activity)
    if now < opens:
        return _("活动开始后即可提交意见建议（%(time)s）。") % {"time": local_time(opens)}
    if now > closes:
        return _("本次活动的意见征集已于 %(time)s 截止。如有意见建议，请通过“社情民意”反映。") % {
            "time": local_time(closes)
        }
    return None


def sign_in_refusal(activity: Activity, invitation: Invitation | None, *, now=None) -> str | None:
    """扫码签到, apart from the code itself (signin.token_refusal): the activity takes
    place, its sign-in window is open, the member is invited and not yet recorded."""
    if activity.status not in TAKING_PLACE:
        return _("本次活动未发布或已取消，不能签到。")
    now = now or timezone.now()
    opens, closes = sign_in_window(activity)
    if now < opens:
        return _("签到尚未开始，请于 %(time)s 后扫码签到。") % {
            "time": timezone.localtime(opens).strftime("%m月%d日 %H:%M")
        }
    if now > closes:
        return _("签到二维码已过期。如需补登出勤，请联系联络处工作人员。")
    if invitation is None:
        return not_invited()
    if invitation.attendance == I.Attendance.ATTENDED:
        return _("您已签到，无需重复签到。")
    if invitation.attendance:
        return _("您的出勤已登记为“%(state)s”。如有疑问，请联系现场工作人员。") % {
            "state": invitation.get_attendance_display()
        }
    return None
