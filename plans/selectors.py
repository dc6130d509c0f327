"""Reads of plans and work reports, scoped and joined for the pages that use them."""

from django.db.models import QuerySet

from .models import PlanComment, WorkPlan


def plan_versions(plan: WorkPlan) -> QuerySet[WorkPlan]:
    return WorkPlan.objects.filter(office_id=plan.office_id, year=plan.year).order_by("version")


def year_comments(plan: WorkPlan) -> QuerySet[PlanComment]:
    """Every comment on every version of the plan's year, oldest first."""
    return (
        PlanComment.objects.filter(plan__office_id=plan.office_id, plan__year=plan.year)
        .select_related("plan")
        .order_by("received_on", "pk")
    )
