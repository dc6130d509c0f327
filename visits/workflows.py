"""The allowed moves of a concern (意见建议), DOMAIN.md "Visiting members": within the
street's duties it is assigned to a street department with a time limit; beyond them it
is escalated to a higher-level body; either way the result is fed back to the member,
who confirms it (satisfied closes, not satisfied reopens)."""

from liaison.workflow import Workflow

from .models import Concern, Visit

C = Concern.Status

CONCERN_WORKFLOW = Workflow(
    C,
    {
        C.NEW: (C.TRIAGED,),
        C.TRIAGED: (C.ASSIGNED, C.ESCALATED),
        # ASSIGNED -> ASSIGNED: staff hand the concern to another department.
        C.ASSIGNED: (C.ASSIGNED, C.ESCALATED, C.IN_PROGRESS, C.RESOLVED, C.UNRESOLVABLE),
        C.ESCALATED: (C.ESCALATED, C.ASSIGNED, C.IN_PROGRESS, C.RESOLVED, C.UNRESOLVABLE),
        C.IN_PROGRESS: (C.ASSIGNED, C.ESCALATED, C.RESOLVED, C.UNRESOLVABLE),
        # A concern nobody in particular raised has nobody to feed back to: staff close it.
        C.RESOLVED: (C.FED_BACK, C.CLOSED),
        C.UNRESOLVABLE: (C.FED_BACK, C.CLOSED),
        C.FED_BACK: (C.CLOSED, C.REOPENED),
        C.REOPENED: (C.ASSIGNED, C.ESCALATED, C.IN_PROGRESS, C.RESOLVED, C.UNRESOLVABLE),
    },
)

V = Visit.Status

# A visit is recorded as done, or created pending by a life event and then done or
# cancelled.
VISIT_WORKFLOW = Workflow(V, {V.PENDING: (V.DONE, V.CANCELLED)})
