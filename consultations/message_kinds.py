"""The consultation area's message kinds (liaison/messages.py): the request for
opinions, its reminders, what became of each member's opinion, and the invitation to an
expert who is not a member; their text messages, phrases and examples."""

import datetime

from django.utils.translation import gettext_lazy as _

from liaison import message_examples as ex
from liaison.messages import (
    EXPERT,
    MEMBER,
    MessageKind,
    SmsText,
    phrase,
    register,
    register_phrases,
    sms_title,
)
from liaison.templatetags.wording import monthday

# 您的意见{outcome}。 (an answer fed back without an outcome is kept for reference)
register_phrases(
    "consultation_outcome",
    {
        "adopted": _("已被采纳"),
        "partly": _("已被部分采纳"),
        "noted": _("已留作参考"),
        "": _("已留作参考"),
    },
)


def _consultation(**extra):
    values = {
        "pk": 5,
        "title": "老旧小区改造实施方案",
        "summary": "方案涉及辖区12个老旧小区的雨污分流、加装电梯和停车位改造。",
        "requested_by": "东湖街道党工委",
        "deadline": ex.DUE,
        "decided_on": datetime.date(2026, 5, 20),
        "office": ex.office(),
    }
    values.update(extra)
    return ex.Example(**values)


def _member_context(**extra):
    return {"consultation": _consultation(), "office": ex.office(), "member": ex.member(), **extra}


def _sms(context):
    consultation = context["consultation"]
    return {
        "title": sms_title(consultation.title),
        "date": monthday(consultation.deadline),
        "phone": context["office"].phone,
    }


DEADLINES = "receive_deadlines"

register(
    MessageKind(
        kind="consultation_request",
        audience=MEMBER,
        template="consultations/request",
        description=_("征求意见"),
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，就“${title}”征求您的意见，请于${date}前提交。电话${phone}"),
        sms_values=_sms,
    ),
    MessageKind(
        kind="consultation_reminder",
        audience=MEMBER,
        template="consultations/reminder",
        description=_("征求意见提醒"),
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，“${title}”征求意见${date}截止，请及时提交。电话${phone}"),
        sms_values=_sms,
    ),
    MessageKind(
        kind="consultation_last_call",
        audience=MEMBER,
        template="consultations/last_call",
        description=_("征求意见今天截止"),
        example=lambda: _member_context(consultation=_consultation(deadline=ex.TODAY)),
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，“${title}”征求意见今天截止，请今天提交。电话${phone}"),
        sms_values=_sms,
    ),
    MessageKind(
        kind="consultation_outcome",
        audience=MEMBER,
        template="consultations/outcome",
        description=_("征求意见采纳情况"),
        example=lambda: _member_context(
            answer=ex.Example(outcome="adopted", outcome_note="雨污分流已写入方案第三条。")
        ),
        acts=False,
        sms=SmsText("尊敬的${name}委员，您对“${title}”的意见${outcome}，详见平台。电话${phone}"),
        sms_values=lambda c: {
            "title": sms_title(c["consultation"].title),
            "outcome": phrase("consultation_outcome", c["answer"].outcome),
            "phone": c["office"].phone,
        },
    ),
    MessageKind(
        kind="consultation_expert_invitation",
        audience=EXPERT,
        template="consultations/expert_invitation",
        description=_("特邀专家征求意见（邮件链接）"),
        example=lambda: {
            "consultation": _consultation(),
            "office": ex.office(),
            "expert": ex.Example(
                pk=9, name="周规划", organisation="市规划设计院", email="zhou@ghy.example.cn"
            ),
            "link": ex.LINKS[EXPERT],
        },
    ),
)
