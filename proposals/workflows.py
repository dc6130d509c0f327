"""The allowed moves of proposals and public-opinion reports (DOMAIN.md)."""

from liaison.workflow import Workflow

from .models import OpinionReport, Proposal

P = Proposal.Status

PROPOSAL_WORKFLOW = Workflow(
    P,
    {
        P.DRAFT: (P.SUBMITTED, P.WITHDRAWN),
        P.SUBMITTED: (P.RETURNED, P.REGISTERED, P.NOT_REGISTERED, P.MERGED, P.WITHDRAWN),
        P.RETURNED: (P.SUBMITTED, P.WITHDRAWN),
        P.REGISTERED: (P.ASSIGNED,),
        # ASSIGNED -> ASSIGNED: the lead unit's return was accepted and a new unit took over.
        P.ASSIGNED: (P.ASSIGNED, P.ACKNOWLEDGED, P.REPLIED),
        P.ACKNOWLEDGED: (P.REPLIED,),
        P.REPLIED: (P.CLOSED, P.REHANDLING),
        P.REHANDLING: (P.REPLIED,),
    },
)

OS = OpinionReport.Status

OPINION_WORKFLOW = Workflow(
    OS,
    {
        OS.DRAFT: (OS.SUBMITTED,),
        OS.SUBMITTED: (OS.NOT_USED, OS.EDITED),
        OS.EDITED: (OS.APPROVED, OS.NOT_USED),
        OS.APPROVED: (OS.ISSUED,),
        OS.ISSUED: (OS.FORWARDED,),
    },
)
