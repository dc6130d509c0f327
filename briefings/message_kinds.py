"""The activity area's message kinds (liaison/messages.py): who reads each, its text
message, and the example the previews and the wording test render."""

import datetime

from django.utils.translation import gettext_lazy as _

from liaison import message_examples as ex
from liaison.messages import MEMBER, STAFF, MessageKind, SmsText, register, sms_title
from liaison.templatetags.wording import monthday


def _activity():
    day = datetime.date(2026, 5, 12)
    return ex.Example(
        pk=5,
        title="2026年上半年政情通报会",
        starts_at=ex.at(day, 14, 30),
        ends_at=ex.at(day, 16, 30),
        venue="东湖街道办事处三楼会议室",
        topic="通报街道上半年重点工作和民生实事项目进展",
        cancel_reason="通报领导临时有重要公务，会议另行安排",
        office=ex.office(),
        reply_by=day - datetime.timedelta(days=1),
        date=day,
    )


def _context(**extra):
    return {"activity": _activity(), "office": ex.office(), **extra}


def _invitation(status="approved"):
    return ex.Example(
        member=ex.member(),
        leave_status=status,
        leave_reason="当天在外地出差",
        leave_note="请会后向联络处索取会议材料" if status == "approved" else "",
    )


def _activity_sms(context):
    activity = context["activity"]
    return {
        "title": sms_title(activity.title),
        "date": monthday(activity.reply_by),
        "day": monthday(activity.starts_at),
        "phone": context["office"].phone,
    }


INVITATIONS = "receive_invitations"
DEADLINES = "receive_deadlines"

register(
    MessageKind(
        kind="activity_invitation",
        audience=MEMBER,
        template="briefings/invitation",
        description=_("活动邀请"),
        example=_context,
        preference=INVITATIONS,
        sms=SmsText(
            "尊敬的${name}委员，诚邀您参加${day}“${title}”，请于${date}前回复。电话${phone}"
        ),
        sms_values=_activity_sms,
    ),
    MessageKind(
        kind="activity_reply_reminder",
        audience=MEMBER,
        template="briefings/reminder_reply",
        description=_("活动前提醒回复"),
        example=lambda: _context(days_text=_("后天")),
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，请于${date}前回复是否参加${day}“${title}”。电话${phone}"),
        sms_values=_activity_sms,
    ),
    MessageKind(
        kind="activity_reminder",
        audience=MEMBER,
        template="briefings/reminder_attend",
        description=_("活动前提醒出席"),
        example=lambda: _context(days_text=_("明天")),
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，“${title}”${day}举行，请按时扫码签到。电话${phone}"),
        sms_values=_activity_sms,
    ),
    MessageKind(
        kind="activity_cancelled",
        audience=MEMBER,
        template="briefings/cancelled",
        description=_("活动取消"),
        example=_context,
        acts=False,
        preference=INVITATIONS,
        sms=SmsText("尊敬的${name}委员，原定${day}的“${title}”已取消。电话${phone}"),
        sms_values=_activity_sms,
    ),
    MessageKind(
        kind="activity_rescheduled",
        audience=MEMBER,
        template="briefings/rescheduled",
        description=_("活动时间或地点变更"),
        example=_context,
        preference=INVITATIONS,
        sms=SmsText(
            "尊敬的${name}委员，“${title}”改为${day}，不能参加请于${date}前请假。电话${phone}"
        ),
        sms_values=_activity_sms,
    ),
    MessageKind(
        kind="activity_leave_decided",
        audience=MEMBER,
        template="briefings/leave_decided",
        description=_("请假审批结果"),
        example=lambda: _context(invitation=_invitation("refused")),
        preference=INVITATIONS,
        sms=SmsText("尊敬的${name}委员，您对“${title}”的请假${outcome}。电话${phone}"),
        sms_values=lambda c: {
            **_activity_sms(c),
            "outcome": _("已同意") if c["invitation"].leave_status == "approved" else _("未同意"),
        },
    ),
    MessageKind(
        kind="activity_opinions_request",
        audience=MEMBER,
        template="briefings/opinions_request",
        description=_("活动后征集意见"),
        example=lambda: _context(closes=datetime.date(2026, 5, 26)),
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，欢迎于${date}前在平台对“${title}”提出意见。电话${phone}"),
        sms_values=lambda c: {**_activity_sms(c), "date": monthday(c["closes"])},
    ),
    MessageKind(
        kind="activity_opinion_proposal",
        audience=MEMBER,
        template="briefings/opinion_proposal",
        description=_("意见整理为提案草稿"),
        act_within=14,
        example=lambda: _context(proposal=ex.Example(title="关于加快老旧小区加装电梯的建议")),
        sms=SmsText(
            "尊敬的${name}委员，您的意见已整理为提案草稿，请于${date}前完善提交。电话${phone}"
        ),
        sms_values=lambda c: {**_activity_sms(c), "date": monthday(c["act_by"])},
    ),
    MessageKind(
        kind="activity_leave_requested",
        audience=STAFF,
        template="briefings/leave_requested",
        description=_("委员请假待审批"),
        example=lambda: _context(member=ex.member(), invitation=_invitation("requested")),
    ),
    MessageKind(
        kind="activity_attendance_missing",
        audience=STAFF,
        template="briefings/attendance_missing",
        description=_("考勤未登记完成"),
        act_within=3,
        example=lambda: _context(),
    ),
    MessageKind(
        kind="briefing_missing",
        audience=STAFF,
        template="briefings/briefing_missing",
        description=_("半年未安排政情通报会"),
        example=lambda: {
            "office": ex.office(),
            "year": 2026,
            "half": 1,
            "deadline": datetime.date(2026, 4, 30),
        },
    ),
)
