"""The proposal area's message kinds (liaison/messages.py): who reads each, its text
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

# 您反映的社情民意信息《…》{outcome}。
register_phrases(
    "adoption_level",
    {
        "street": _("街道"),
        "district": _("区政协"),
        "city": _("市政协"),
        "province": _("省政协"),
        "national": _("全国政协"),
    },
)
register_phrases(
    "adoption",
    {
        "adopted": _("已被%(level)s采用"),
        "combined": _("已被%(level)s综合采用"),
        "forwarded": _("已由%(level)s转送有关部门研究"),
        "instruction": _("经%(level)s报送，已获领导批示"),
    },
)


def _proposal(**extra):
    values = {
        "pk": 12,
        "title": "关于加快老旧小区加装电梯的建议",
        "number": 26012,
        "office": ex.office(),
        "lead_member": ex.member("赵德胜"),
        "due_date": ex.DUE,
        "feedback_due_date": ex.DUE,
        "feedback_due_is_provisional": False,
        "replied_on": datetime.date(2026, 4, 20),
        "return_reason": "建议部分过于笼统，请补充具体的实施办法",
        "get_not_registered_ground_display": "不属于政协提案范围",
        "not_registered_note": "所提问题属于个人诉求，建议通过信访渠道反映",
        "converted_report": None,
        "proposer_display": "赵德胜",
        "submitted_at": ex.at(datetime.date(2026, 4, 24), 10),
    }
    values.update(extra)
    return ex.Example(**values)


def _assignment(role="lead", **extra):
    return ex.Example(
        role=role,
        unit=ex.unit(),
        proposal=_proposal(),
        return_state="",
        return_reason="加装电梯的审批由区行政审批局负责，不属于本单位职责",
        return_decided_note="",
        **extra,
    )


def _overdue_assignment():
    assignment = _assignment()
    assignment.proposal = _digest_item()["proposal"]
    return assignment


def _member_context(**extra):
    return {"proposal": _proposal(), "office": ex.office(), **extra}


def _follow_up(**extra):
    return ex.Example(
        planned_on=datetime.date(2026, 9, 30),
        reply=ex.Example(replied_on=datetime.date(2026, 4, 20)),
        **extra,
    )


def _unit_context(role="lead", **extra):
    assignment = _assignment(role)
    return {
        "proposal": assignment.proposal,
        "assignment": assignment,
        "office": ex.office(),
        "unit": assignment.unit,
        "link": ex.LINKS["unit"],
        **extra,
    }


def _proposal_sms(context):
    proposal = context["proposal"]
    return {
        "title": sms_title(proposal.title),
        "date": monthday(context.get("act_by") or proposal.feedback_due_date),
        "phone": context["office"].phone,
    }


def _feedback_sms(context):
    return {**_proposal_sms(context), "date": monthday(context["proposal"].feedback_due_date)}


def _digest_item(days=3):
    overdue = _proposal(due_date=ex.TODAY - datetime.timedelta(days=days + 2))
    return {"proposal": overdue, "link": ex.LINKS["unit"], "days": days}


DEADLINES = "receive_deadlines"

register(
    MessageKind(
        kind="cosign_invitation",
        audience=MEMBER,
        template="proposals/cosign_invitation",
        description=_("邀请附议提案"),
        act_within=7,
        example=lambda: _member_context(member=ex.member()),
        preference="receive_invitations",
        sms=SmsText(
            "尊敬的${name}委员，有提案《${title}》邀请您附议，请于${date}前确认。电话${phone}"
        ),
        sms_values=_proposal_sms,
    ),
    MessageKind(
        kind="proposal_cosign_joined",
        audience=MEMBER,
        template="proposals/cosign_joined",
        description=_("有委员附议提案"),
        example=lambda: {
            "proposal": _proposal(open_cosign_until=ex.DUE),
            "office": ex.office(),
            "member": ex.member(),
            "cosigner": ex.member("孙晓燕"),
        },
        acts=False,
        sms=SmsText("尊敬的${name}委员，${cosigner}委员附议了您的提案《${title}》。电话${phone}"),
        sms_values=lambda c: {
            "cosigner": c["cosigner"].name,
            "title": sms_title(c["proposal"].title),
            "phone": c["office"].phone,
        },
    ),
    MessageKind(
        kind="proposal_returned",
        audience=MEMBER,
        template="proposals/returned",
        description=_("提案退回修改"),
        act_within=15,
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText(
            "尊敬的${name}委员，提案《${title}》需修改，请于${date}前重新提交。电话${phone}"
        ),
        sms_values=_proposal_sms,
    ),
    MessageKind(
        kind="proposal_registered",
        audience=MEMBER,
        template="proposals/registered",
        description=_("提案立案"),
        example=_member_context,
        acts=False,
        sms=SmsText(
            "尊敬的${name}委员，您的提案《${title}》已立案，将交有关单位办理。电话${phone}"
        ),
        sms_values=_proposal_sms,
    ),
    MessageKind(
        kind="proposal_not_registered",
        audience=MEMBER,
        template="proposals/not_registered",
        description=_("提案不予立案"),
        act_within=10,
        example=_member_context,
        sms=SmsText(
            "尊敬的${name}委员，提案《${title}》不予立案，有疑问请于${date}前来电。电话${phone}"
        ),
        sms_values=_proposal_sms,
    ),
    MessageKind(
        kind="proposal_feedback_request",
        audience=MEMBER,
        template="proposals/feedback_request",
        description=_("请评价提案答复"),
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText(
            "尊敬的${name}委员，提案《${title}》已答复，请于${date}前在平台评价。电话${phone}"
        ),
        sms_values=_feedback_sms,
    ),
    MessageKind(
        kind="proposal_feedback_reminder",
        audience=MEMBER,
        template="proposals/feedback_reminder",
        description=_("提醒评价提案答复"),
        example=_member_context,
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，请于${date}前评价提案《${title}》的答复。电话${phone}"),
        sms_values=_feedback_sms,
    ),
    MessageKind(
        kind="proposal_feedback_due_moved",
        audience=MEMBER,
        template="proposals/feedback_due_date_moved",
        description=_("评价期限调整"),
        example=lambda: _member_context(
            before=datetime.date(2026, 5, 6), reason="2026年劳动节调休安排公布"
        ),
        preference=DEADLINES,
        sms=SmsText("尊敬的${name}委员，提案《${title}》答复的评价期限改为${date}。电话${phone}"),
        sms_values=_feedback_sms,
    ),
    MessageKind(
        kind="opinion_adopted",
        audience=MEMBER,
        template="proposals/report_adopted",
        description=_("社情民意信息被采用"),
        example=lambda: {
            "office": ex.office(),
            "report": ex.Example(title="关于规范共享单车停放的建议", office=ex.office()),
            "adoption": ex.Example(
                level="district",
                kind="forwarded",
                body="《社情民意》第15期",
                instruction_text="",
            ),
        },
        acts=False,
        sms=SmsText(
            "尊敬的${name}委员，您反映的社情民意信息《${title}》已被采用，谢谢！电话${phone}"
        ),
        sms_values=lambda c: {
            "title": sms_title(c["report"].title),
            "phone": c["office"].phone,
        },
    ),
    MessageKind(
        kind="proposal_assigned",
        audience=UNIT,
        template="proposals/assigned",
        description=_("提案交办（主办或会办）"),
        example=lambda: _unit_context("lead", return_days=5),
    ),
    MessageKind(
        kind="proposal_rehandling",
        audience=UNIT,
        template="proposals/rehandling",
        description=_("提案重新办理"),
        example=_unit_context,
    ),
    MessageKind(
        kind="proposal_return_decided",
        audience=UNIT,
        template="proposals/return_decided",
        description=_("退回申请结果"),
        example=_unit_context,
    ),
    MessageKind(
        kind="proposal_due_soon",
        audience=UNIT,
        template="proposals/due_soon",
        description=_("提案办理即将到期"),
        example=lambda: _unit_context("co", days_left=3),
    ),
    MessageKind(
        kind="proposal_due_today",
        audience=UNIT,
        template="proposals/due_today",
        description=_("提案办理今日到期"),
        example=_unit_context,
    ),
    MessageKind(
        kind="proposal_overdue_digest",
        audience=UNIT,
        template="proposals/overdue_unit_digest",
        description=_("逾期提案（单位周报）"),
        act_within=5,
        example=lambda: {
            "unit": ex.unit(),
            "items": [_digest_item(3), _digest_item(8)],
        },
    ),
    MessageKind(
        kind="proposal_overdue_digest",
        audience=STAFF,
        template="proposals/overdue_staff_digest",
        description=_("逾期提案（联络处周报）"),
        act_within=5,
        example=lambda: {
            "office": ex.office(),
            "assignments": [_overdue_assignment()],
            "today": ex.TODAY,
        },
    ),
    MessageKind(
        kind="proposal_review_digest",
        audience=STAFF,
        template="proposals/review_digest",
        description=_("待审查提案"),
        act_within=5,
        example=lambda: {"office": ex.office(), "proposals": [_proposal()]},
    ),
    MessageKind(
        kind="proposal_follow_up_due_soon",
        audience=UNIT,
        template="proposals/follow_up_due_soon",
        description=_("B类答复计划完成日期将到"),
        example=lambda: {**_unit_context(), "follow_up": _follow_up()},
    ),
    MessageKind(
        kind="proposal_follow_up_overdue",
        audience=UNIT,
        template="proposals/follow_up_overdue",
        description=_("B类答复逾期未落实"),
        act_within=5,
        example=lambda: {**_unit_context(), "follow_up": _follow_up()},
    ),
    MessageKind(
        kind="proposal_follow_up_reported",
        audience=STAFF,
        template="proposals/follow_up_reported",
        description=_("承办单位报告B类答复事项已完成"),
        act_within=5,
        example=lambda: {
            **_unit_context(),
            "follow_up": _follow_up(completed_on=datetime.date(2026, 9, 18)),
        },
    ),
    MessageKind(
        kind="proposal_return_requested",
        audience=STAFF,
        template="proposals/return_requested",
        description=_("承办单位申请退回"),
        act_within=3,
        example=lambda: {**_unit_context()},
    ),
    MessageKind(
        kind="proposal_targets_behind",
        audience=STAFF,
        template="proposals/targets_behind",
        description=_("年度提案、社情民意信息目标进度"),
        act_within=30,
        example=lambda: {
            "office": ex.office(),
            "year": 2026,
            "row": ex.Example(
                office=ex.office(),
                proposals=6,
                proposal_target=10,
                proposals_short=4,
                reports=9,
                report_target=12,
                reports_short=3,
            ),
        },
    ),
)
