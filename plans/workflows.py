"""The allowed moves of the annual work plan and of work reports (DOMAIN.md "Annual
work plan": drafted, sent to the street party working committee for comments, revised,
adopted)."""

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
