"""The allowed moves of the annual work plan and of work reports (DOMAIN.md "Annual
work plan": drafted, sent to the street party working committee for comments, revised,
adopted)."""

from django.utils.translation import gettext as _

from liaison.workflow import Workflow

from .models import WorkPlan, WorkReport

S = WorkPlan.Status

PLAN_WORKFLOW = Workflow(
    S,
    {
        S.DRAFT: (S.SUBMITTED,),
        # Comments are recorded while submitted; revising writes a new version and
        # retires this one. A plan the committee accepts as it stands is adopted.
        S.SUBMITTED: (S.SUPERSEDED, S.ADOPTED),
        # A revised version goes back for another round, or is adopted.
        S.REVISED: (S.SUBMITTED, S.ADOPTED),
        # An adopted plan amended mid-year stays in force until the new version is adopted.
        S.ADOPTED: (S.SUPERSEDED,),
    },
)

R = WorkReport.Status

REPORT_WORKFLOW = Workflow(R, {R.DRAFT: (R.ISSUED,)})


# --- Guards ----------------------------------------------------------------------------
# Each returns the sentence a refused person reads, or None; the services raise it
# (liaison.workflow.refuse) and plans/actions.py offers a button only when it is None.


def submit_refusal(plan: WorkPlan) -> str | None:
    if refusal := PLAN_WORKFLOW.refusal(plan.status, S.SUBMITTED):
        return refusal
    if not plan.items.exists():
        return _("计划还没有任何事项，不能报送。")
    return None


def adopt_refusal(plan: WorkPlan) -> str | None:
    if refusal := PLAN_WORKFLOW.refusal(plan.status, S.ADOPTED):
        return refusal
    if not plan.items.exists():
        return _("计划还没有任何事项，不能通过。")
    return None


def comment_refusal(plan: WorkPlan) -> str | None:
    if plan.status != S.SUBMITTED:
        return _("只有已报送党工委、尚未修改或通过的计划才能登记意见。")
    return None


def revise_refusal(plan: WorkPlan) -> str | None:
    """A submitted version is revised at once; an adopted one only while no other
    version of the year is being revised."""
    if plan.status not in (S.SUBMITTED, S.ADOPTED):
        return _("当前状态为“%(status)s”，不能生成修改稿。") % {"status": plan.get_status_display()}
    if (
        plan.status == S.ADOPTED
        and WorkPlan.objects.filter(
            office=plan.office_id, year=plan.year, status__in=WorkPlan.OPEN_STATUSES
        ).exists()
    ):
        return _("已有正在修改的版本，请在该版本上继续修改。")
    return None
