"""The allowed moves of activities and of the opinions collected at them."""

from liaison.workflow import Workflow

from .models import Activity, Opinion

A = Activity.Status

ACTIVITY_WORKFLOW = Workflow(
    A,
    {
        A.DRAFT: (A.PUBLISHED, A.CANCELLED),
        # PUBLISHED -> HELD when staff finish recording attendance.
        A.PUBLISHED: (A.HELD, A.CANCELLED),
    },
)

OS = Opinion.Status

OPINION_WORKFLOW = Workflow(
    OS,
    {
        OS.NEW: (OS.CONCERN, OS.PROPOSAL, OS.NOTED),
        OS.NOTED: (OS.CONCERN, OS.PROPOSAL),
    },
)
