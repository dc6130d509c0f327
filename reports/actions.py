"""What reports adds to the annual work plan's actions (plans/actions.py) — any version
can be printed as a PDF — and the work report's actions: issuing one freezes its figures
and renders its PDF, which only reports can do. The admins in reports/admin.py draw
their buttons from these tables."""

from django.utils.translation import gettext_lazy as _

from consultations import actions as consultations_actions
from consultations.models import Consultation
from liaison.actions import DANGER, PRIMARY, STAFF, Action, ActionTable, Actor, Rule, moves_to
from members.models import DutyYear
from plans import actions as plans_actions
from plans.models import WorkPlan, WorkReport
from plans.workflows import REPORT_WORKFLOW

from . import workflows
from .models import CommitteeReply

PLAN_ACTIONS = ActionTable(
    *plans_actions.PLAN_ACTIONS.rules,
    # Any version can be printed: the draft for discussion, the adopted plan to file.
    Rule(Action("pdf", _("生成 PDF")), STAFF, lambda plan, actor: None),
)


def plan_actions(plan: WorkPlan, actor: Actor) -> list[Action]:
    return PLAN_ACTIONS.available(plan, actor)


WORK_REPORT_ACTIONS = ActionTable(
    Rule(
        Action("issue", _("报送（冻结数据并生成 PDF）"), PRIMARY, form=True),
        STAFF,
        moves_to(REPORT_WORKFLOW, WorkReport.Status.ISSUED),
    ),
    # A draft's PDF shows the live figures; an issued one's, the frozen figures.
    Rule(Action("pdf", _("生成 PDF")), STAFF, lambda report, actor: None),
)


def work_report_actions(report: WorkReport, actor: Actor) -> list[Action]:
    return WORK_REPORT_ACTIONS.available(report, actor)


DUTY_YEAR_ACTIONS = ActionTable(
    Rule(
        Action("close", _("结束考核（评定等次）"), PRIMARY, form=True),
        STAFF,
        lambda year, actor: workflows.close_refusal(year),
    ),
    Rule(
        Action("reopen", _("重新开放考核"), DANGER, form=True),
        STAFF,
        lambda year, actor: workflows.reopen_refusal(year),
    ),
)


def duty_year_actions(duty_year: DutyYear, actor: Actor) -> list[Action]:
    return DUTY_YEAR_ACTIONS.available(duty_year, actor)


def _compiled(consultation, actor):
    if consultation.status in (
        Consultation.Status.DRAFT,
        Consultation.Status.OPEN,
        Consultation.Status.CLOSED,
    ):
        return str(_("意见汇总后才能生成汇总报告。"))
    return None


REPLY_ACTIONS = ActionTable(
    Rule(
        Action("issue", _("发出（编发文字号并生成 PDF）"), PRIMARY, form=True),
        STAFF,
        lambda reply, actor: workflows.reply_issue_refusal(reply),
    ),
    # The draft can be printed for review; once sent, the PDF is the one that went out.
    Rule(
        Action("pdf", _("生成 PDF")),
        STAFF,
        lambda reply, actor: None if not reply.is_issued else str(_("复函已发出。")),
    ),
)


def reply_actions(reply: CommitteeReply, actor: Actor) -> list[Action]:
    return REPLY_ACTIONS.available(reply, actor)


CONSULTATION_ACTIONS = ActionTable(
    *consultations_actions.CONSULTATION_ACTIONS.rules,
    # The summary report can be printed for review once compiled; submitting it
    # renders and issues it (the "submit" step below).
    Rule(Action("pdf", _("生成汇总报告 PDF")), STAFF, _compiled),
)
