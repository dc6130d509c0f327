"""Members' own message kinds (liaison/messages.py): birthdays, account activation,
sign-in codes, the daily SMS digest, and the office's decision on a duty the member
reported."""

import datetime

from django.utils.translation import gettext_lazy as _

from liaison import message_examples as ex
from liaison.messages import MEMBER, STAFF, MessageKind, SmsText, register, sms_title
from liaison.templatetags.wording import monthday

BIRTHDAY = datetime.date(2026, 4, 28)


def _claim_context(status="approved"):
    return {
        "member": ex.member(),
        "office": ex.office(),
        "claim": ex.Example(
            pk=12,
            title="随区人大代表视察背街小巷整治",
            occurred_on=datetime.date(2026, 4, 21),
            status=status,
            return_reason="照片未能反映视察现场，请补充视察通知或现场照片"
            if status == "returned"
            else "",
        ),
    }


def _claim_sms(context):
    return {"title": sms_title(context["claim"].title), "phone": context["office"].phone}


register(
    MessageKind(
        kind="birthday_greeting",
        audience=MEMBER,
        template="birthday_greeting",
        description=_("生日祝福"),
        example=lambda: {"member": ex.member(), "office": ex.office(), "birthday": BIRTHDAY},
        acts=False,
        preference="receive_birthdays",
        sms=SmsText("尊敬的${name}委员，今天是您的生日，祝您生日快乐、身体健康、阖家幸福！"),
    ),
    MessageKind(
        kind="account-invitation",
        audience=MEMBER,
        template="",
        description=_("委员服务平台账号开通（短信）"),
        example=lambda: {
            "member": ex.member(),
            "office": ex.office(),
            "url": "https://lianluo.example.gov.cn/portal/activate/4821-7730/",
            "code": "4821-7730",
            "expires_on": ex.DUE,
        },
        sms=SmsText(
            "尊敬的${name}委员，您的平台账号已开通，请于${date}前打开${url}激活，激活码${code}。",
            link=True,
        ),
        sms_values=lambda c: {
            "date": monthday(c["expires_on"]),
            "url": c["url"],
            "code": c["code"],
        },
    ),
    MessageKind(
        kind="verification-code",
        audience=MEMBER,
        template="",
        description=_("短信验证码"),
        example=lambda: {"code": "305127", "office": ex.office()},
        acts=False,
        sms=SmsText("您的验证码是${code}，5分钟内有效，请勿告诉他人。"),
        sms_values=lambda c: {"code": c["code"]},
    ),
    MessageKind(
        kind="sms_digest",
        audience=MEMBER,
        template="",
        description=_("超过每日条数的短信汇总"),
        example=lambda: {"count": 2, "date": "4月28日", "office": ex.office()},
        acts=False,
        sms=SmsText("尊敬的${name}委员，${date}另有${count}条消息，请登录委员服务平台查看。"),
        sms_values=lambda c: {"count": c["count"], "date": c["date"]},
    ),
    MessageKind(
        kind="duty_claim_approved",
        audience=MEMBER,
        template="members/claim_approved",
        description=_("履职申报已认定"),
        example=_claim_context,
        acts=False,
        sms=SmsText("尊敬的${name}委员，您申报的“${title}”已认定，积分已计入。电话${phone}"),
        sms_values=_claim_sms,
    ),
    MessageKind(
        kind="duty_claim_returned",
        audience=MEMBER,
        template="members/claim_returned",
        description=_("履职申报被退回"),
        example=lambda: _claim_context("returned"),
        acts=False,
        sms=SmsText(
            "尊敬的${name}委员，您申报的“${title}”已退回，原因请登录平台查看。电话${phone}"
        ),
        sms_values=_claim_sms,
    ),
    MessageKind(
        kind="birthday_heads_up",
        audience=STAFF,
        template="birthday_heads_up",
        description=_("委员生日提前提醒"),
        example=lambda: {
            "member": ex.member(),
            "office": ex.office(),
            "birthday": datetime.date(2026, 5, 1),
            "days_left": 3,
            "age": 60,
        },
    ),
)
