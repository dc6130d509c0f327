"""The visits area's message kinds (liaison/messages.py): who reads each, its text
message, the phrases its sentences use, and the examples the previews and the wording
test render."""

import datetime

from django.utils.translation import gettext_lazy as _

from liaison import message_examples as ex
from liaison.messages import (
    MEMBER,
    STAFF,
    UNIT,
    MessageKind,
    SmsText,
    register,
    register_phrases,
    sms_title,
)
from liaison.templatetags.wording import monthday

# 请于5月8日前{visit}: what the staff go and do.
register_phrases(
    "visit",
    {
        "routine": _("登门走访慰问"),
        "festival": _("登门节日慰问"),
        "hospital": _("到医院探望"),
        "bereavement": _("前往吊唁"),
        "celebration": _("登门祝贺"),
        "unit_event": _("出席祝贺"),
    },
)
# ××委员{event}（2026年4月26日（星期日））: what happened to the member.
register_phrases(
    "life_event",
    {
        "hospitalised": _("正在住院治疗"),
        "bereavement": _("的亲属去世"),
        "wedding": _("家中办喜事"),
        "birthday": _("过整寿生日"),
        "unit_event": _("所在单位举办重大活动"),
    },
)


def _concern(status="assigned", **extra):
    values = {
        "pk": 31,
        "title": "东湖路口早高峰拥堵",
        "content": "东湖路与中北路路口早高峰排队超过500米，建议优化信号灯配时并增设潮汐车道。",
        "status": status,
        "office": ex.office(),
        "member": ex.member(),
        "unit": ex.unit(),
        "due_date": ex.DUE,
        "due_date_is_provisional": False,
        "coordination_notes": "",
        "member_comments": "信号灯配时调整后拥堵没有明显改善",
        "result": "已会同交管部门调整信号灯配时，早高峰绿灯时长延长15秒。",
        "unresolvable_reason": "",
        "feedback_note": "",
        "fed_back_at": ex.at(datetime.date(2026, 4, 24), 9),
    }
    values.update(extra)
    return ex.Example(**values)


def _overdue_concern():
    return _concern(due_date=ex.TODAY - datetime.timedelta(days=6))


def _member_context(**extra):
    return {"concern": _concern(), "office": ex.office(), **extra}


def _unit_context(**extra):
    return {
        "concern": _concern(),
        "office": ex.office(),
        "unit": ex.unit(),
        "link": ex.LINKS["unit"],
        **extra,
    }


def _concern_sms(context):
    concern = context["concern"]
    return {
        "title": sms_title(concern.title),
        "date": monthday(context.get("act_by") or concern.due_date),
        "phone": context["office"].phone,
    }


def _visit_context():
    member = ex.member("孙立群")
    event = ex.Example(
        member=member,
        kind="hospitalised",
        occurred_on=datetime.date(2026, 4, 26),
        reported_in_portal=True,
        description="因腰椎手术在省人民医院住院，预计住院两周",
        place="湖北省人民医院骨科病区",
    )
    visit = ex.Example(kind="hospital", due_date=ex.DUE, life_event=event)
    return {"office": ex.office(), "event": event, "visit": visit, "today": ex.TODAY}


DEADLINES = "receive_deadlines"

register(
    MessageKind(
        kind="visits_concern_fed_back",
        audience=MEMBER,
        template="visits/fed_back",
        description=_("意见建议办理结果反馈"),
        act_within=10,
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，“${title}”已有办理结果，请于${date}前确认。电话${phone}"),
        sms_values=_concern_sms,
    ),
    MessageKind(
        kind="visits_concern_confirm_reminder",
        audience=MEMBER,
        template="visits/confirm_reminder",
        description=_("提醒确认办理结果"),
        act_within=7,
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，请于${date}前确认“${title}”的办理结果。电话${phone}"),
        sms_values=_concern_sms,
    ),
    MessageKind(
        kind="visits_concern_due_moved",
        audience=MEMBER,
        template="visits/due_date_moved_member",
        description=_("意见建议办理期限调整（告知委员）"),
        example=lambda: _member_context(
            before=datetime.date(2026, 5, 6), reason="2026年劳动节调休安排公布"
        ),
        acts=False,
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，您反映的“${title}”办理期限改为${date}。电话${phone}"),
        sms_values=lambda c: {**_concern_sms(c), "date": monthday(c["concern"].due_date)},
    ),
    MessageKind(
        kind="visits_concern_assigned",
        audience=UNIT,
        template="visits/assigned",
        description=_("意见建议交办或协调"),
        act_within=5,
        example=_unit_context,
    ),
    MessageKind(
        kind="visits_concern_reopened",
        audience=UNIT,
        template="visits/reopened",
        description=_("意见建议重新办理"),
        example=_unit_context,
    ),
    MessageKind(
        kind="visits_concern_due_soon",
        audience=UNIT,
        template="visits/due_soon",
        description=_("意见建议即将到期"),
        example=lambda: _unit_context(days_left=3),
    ),
    MessageKind(
        kind="visits_concern_due_today",
        audience=UNIT,
        template="visits/due_today",
        description=_("意见建议今日到期"),
        example=_unit_context,
    ),
    MessageKind(
        kind="visits_concern_due_moved",
        audience=UNIT,
        template="visits/due_date_moved",
        description=_("意见建议办理期限调整（告知单位）"),
        example=lambda: _unit_context(
            before=datetime.date(2026, 5, 6), reason="2026年劳动节调休安排公布"
        ),
    ),
    MessageKind(
        kind="visits_concern_overdue_digest",
        audience=UNIT,
        template="visits/overdue_unit_digest",
        description=_("逾期意见建议（单位周报）"),
        act_within=5,
        example=lambda: {
            "unit": ex.unit(),
            "items": [{"concern": _overdue_concern(), "link": ex.LINKS["unit"], "days": 4}],
        },
    ),
    MessageKind(
        kind="visits_concern_overdue_digest",
        audience=STAFF,
        template="visits/overdue_staff_digest",
        description=_("逾期意见建议（联络处周报）"),
        act_within=5,
        example=lambda: {
            "office": ex.office(),
            "concerns": [_overdue_concern()],
            "today": ex.TODAY,
        },
    ),
    MessageKind(
        kind="visits_concern_raised",
        audience=STAFF,
        template="visits/concern_raised",
        description=_("委员反映新的意见建议"),
        act_within=3,
        example=lambda: _member_context(concern=_concern("new")),
    ),
    MessageKind(
        kind="visits_concern_result",
        audience=STAFF,
        template="visits/result_reported",
        description=_("承办单位报告办理结果"),
        act_within=3,
        example=lambda: _member_context(concern=_concern("resolved")),
    ),
    MessageKind(
        kind="visits_life_event",
        audience=STAFF,
        template="visits/life_event",
        description=_("委员生活事项待走访"),
        example=_visit_context,
    ),
    MessageKind(
        kind="visits_pending_visit_due",
        audience=STAFF,
        template="visits/visit_due",
        description=_("走访到期未登记"),
        example=_visit_context,
    ),
    MessageKind(
        kind="visits_coverage_gaps",
        audience=STAFF,
        template="visits/coverage_gaps",
        description=_("半年走访覆盖提醒"),
        example=lambda: {
            "office": ex.office(),
            "names": ["李明华", "赵德胜", "孙立群"],
            "more": 10,
            "half": ex.Example(label="2026年上半年", end=datetime.date(2026, 6, 30)),
            "row": ex.Example(
                office=ex.office(),
                serving=42,
                visited_half=30,
                not_visited_half=12,
                target=2,
                below_target=15,
            ),
        },
    ),
)
