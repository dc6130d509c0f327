"""Writes for plans and work reports.

Plan moves go through ``liaison.workflow.transition`` on a locked row. Issuing a work
report needs its figures and its PDF, which reports/ composes
(``reports.services.work_report_issue``); here is only the move itself.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from liaison.transactions import service
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    record_note,
    refuse,
    transition,
)

from . import workflows
from .models import PlanComment, PlanItem, WorkPlan, WorkReport
from .workflows import PLAN_WORKFLOW, REPORT_WORKFLOW

S = WorkPlan.Status


# --- Annual work plan -----------------------------------------------------------------


@service
def plan_create(*, actor, office, year: int, title: str = "", preamble: str = "") -> WorkPlan:
    """Start the year's plan (version 1, a draft)."""
    existing = WorkPlan.objects.filter(office=office, year=year).order_by("-version").first()
    if existing is not None:
        raise WorkflowError(
            _("%(year)s年度工作计划已存在（%(plan)s），请在原计划上修改。")
            % {"year": year, "plan": existing}
        )
    try:
        with transaction.atomic():
            plan = WorkPlan.objects.create(
                office=office,
                year=year,
                version=1,
                title=title or _("%(year)s年度工作计划") % {"year": year},
                preamble=preamble,
                created_by=actor,
            )
    except IntegrityError:
        raise WorkflowError(_("%(year)s年度工作计划已存在。") % {"year": year}) from None
    record_creation(plan, actor=actor)
    return plan


@service
def plan_item_add(
    *,
    plan: WorkPlan,
    actor,
    category,
    description: str,
    owner: str = "",
    months: str = "",
    metric: str = "",
    target: int | None = None,
) -> PlanItem:
    plan = lock(plan)
    if not plan.is_editable:
        raise WorkflowError(
            _("“%(status)s”的计划不能修改；请先生成修改稿。")
            % {"status": plan.get_status_display()}
        )
    position = (plan.items.aggregate(top=Max("position"))["top"] or 0) + 1
    item = PlanItem(
        plan=plan,
        position=position,
        category=category,
        description=description,
        owner=owner,
        months=months,
        metric=metric or "",
        target=target,
    )
    item.full_clean()
    item.save()
    return item


@service
def plan_submit(
    *, plan: WorkPlan, actor, submitted_on: datetime.date, submitted_to: str = "", note: str = ""
) -> WorkPlan:
    """Send the plan to the street party working committee for study and comments."""
    plan = lock(plan)
    refuse(workflows.submit_refusal(plan))
    plan.submitted_on = submitted_on
    plan.submitted_to = submitted_to or _("街道党工委")
    transition(
        plan,
        workflow=PLAN_WORKFLOW,
        target=S.SUBMITTED,
        actor=actor,
        note=note or _("报送%(to)s征求意见") % {"to": plan.submitted_to},
        update_fields=["submitted_on", "submitted_to"],
    )
    return plan


@service
def plan_comment_record(
    *, plan: WorkPlan, actor, received_on: datetime.date, commenter: str, content: str
) -> PlanComment:
    """One comment from the committee on the submitted version."""
    plan = lock(plan)
    refuse(workflows.comment_refusal(plan))
    if plan.submitted_on and received_on < plan.submitted_on:
        raise WorkflowError(_("收到意见的日期不能早于报送日期。"))
    comment = PlanComment.objects.create(
        plan=plan,
        received_on=received_on,
        commenter=commenter,
        content=content,
        recorded_by=actor,
    )
    record_note(plan, actor=actor, note=_("登记%(who)s的意见") % {"who": commenter})
    return comment


@service
def plan_revise(*, plan: WorkPlan, actor, note: str = "") -> WorkPlan:
    """Write the next version (修改稿) from this one, items copied, to be edited.

    A submitted version is retired at once; an adopted one stays in force until the
    new version is adopted.
    """
    plan = lock(plan)
    refuse(workflows.revise_refusal(plan))
    if plan.status == S.SUBMITTED:
        transition(
            plan,
            workflow=PLAN_WORKFLOW,
            target=S.SUPERSEDED,
            actor=actor,
            note=note or _("根据意见修改，生成新版本"),
        )
    top = WorkPlan.objects.filter(office=plan.office, year=plan.year).aggregate(v=Max("version"))
    revised = WorkPlan.objects.create(
        office=plan.office,
        year=plan.year,
        version=top["v"] + 1,
        title=plan.title,
        preamble=plan.preamble,
        status=S.REVISED,
        previous=plan,
        created_by=actor,
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=revised,
                position=item.position,
                category_id=item.category_id,
                description=item.description,
                owner=item.owner,
                months=item.months,
                metric=item.metric,
                target=item.target,
            )
            for item in plan.items.all()
        ]
    )
    record_creation(revised, actor=actor, note=_("由第%(v)s稿修改") % {"v": plan.version})
    return revised


@service
def plan_adopt(*, plan: WorkPlan, actor, adopted_on: datetime.date, note: str = "") -> WorkPlan:
    """The committee adopted this version. An earlier adopted version is retired first
    (in the same transaction: the database allows one adopted plan per year)."""
    plan = lock(plan)
    refuse(workflows.adopt_refusal(plan))
    for earlier in WorkPlan.objects.select_for_update().filter(
        office=plan.office, year=plan.year, status=S.ADOPTED
    ):
        transition(
            earlier,
            workflow=PLAN_WORKFLOW,
            target=S.SUPERSEDED,
            actor=actor,
            note=_("第%(v)s稿通过后不再执行") % {"v": plan.version},
        )
    plan.adopted_on = adopted_on
    transition(
        plan,
        workflow=PLAN_WORKFLOW,
        target=S.ADOPTED,
        actor=actor,
        note=note,
        update_fields=["adopted_on"],
    )
    return plan


def current_plan(office, year: int) -> WorkPlan | None:
    """The plan in force: the adopted version, else the newest one."""
    plans = WorkPlan.objects.filter(office=office, year=year)
    return plans.filter(status=S.ADOPTED).first() or plans.order_by("-version").first()


# --- Work reports ---------------------------------------------------------------------


@service
def work_report_create(
    *, actor, office, year: int, half: int | None = None, title: str = "", **sections
) -> WorkReport:
    period = WorkReport.period_for(half)
    if WorkReport.objects.filter(office=office, year=year, period=period).exists():
        raise WorkflowError(_("该报告期的工作报告已存在。"))
    report = WorkReport.objects.create(
        office=office,
        year=year,
        period=period,
        title=title or WorkReport.title_for(year, half),
        created_by=actor,
        **sections,
    )
    record_creation(report, actor=actor)
    return report


SECTIONS = ("summary", "highlights", "problems", "next_steps")


@service
def work_report_update(*, report: WorkReport, actor, **sections) -> WorkReport:
    report = lock(report)
    if report.is_issued:
        raise WorkflowError(_("工作报告已报送，不能再修改。"))
    unknown = set(sections) - {*SECTIONS, "title"}
    if unknown:
        raise ValueError(f"not editable: {unknown}")
    for name, value in sections.items():
        setattr(report, name, value)
    report.save()
    return report


@service
def work_report_issue(
    *, report: WorkReport, actor, figures: dict, issued_on: datetime.date
) -> WorkReport:
    """Mark the report issued (报送) with ``figures`` frozen as they were that day: later
    corrections to the records do not change what the committee received. Called by
    ``reports.services.work_report_issue``, which compiles the figures and has the PDF
    rendered."""
    report = lock(report)
    report.figures = figures
    report.issued_on = issued_on
    report.issued_by = actor
    transition(
        report,
        workflow=REPORT_WORKFLOW,
        target=WorkReport.Status.ISSUED,
        actor=actor,
        update_fields=["figures", "issued_on", "issued_by"],
    )
    return report
