"""Reads of plans, reports and documents, scoped and joined for the pages that use them.

A committee leader reaches documents only through ``leader_issues``: exactly the
documents issued to them, once rendered; any other id is a 404."""

from django.db.models import QuerySet

from .models import Document, DocumentIssue, PlanComment, WorkPlan


def leader_issues(user) -> QuerySet[DocumentIssue]:
    return (
        DocumentIssue.objects.filter(recipient_id=user.pk, document__status=Document.Status.DONE)
        .select_related("document__office")
        .order_by("-issued_at", "-pk")
    )


def plan_versions(plan: WorkPlan) -> QuerySet[WorkPlan]:
    return WorkPlan.objects.filter(office_id=plan.office_id, year=plan.year).order_by("version")


def year_comments(plan: WorkPlan) -> QuerySet[PlanComment]:
    """Every comment on every version of the plan's year, oldest first."""
    return (
        PlanComment.objects.filter(plan__office_id=plan.office_id, plan__year=plan.year)
        .select_related("plan")
        .order_by("received_on", "pk")
    )
