"""How the admin takes the actions of members/actions.py: each a small form that calls a
service."""

from liaison.admin_workflow import ConfirmForm, ReasonForm, Step

from . import services

CLAIM_STEPS = {
    "approve": Step(
        ConfirmForm,
        lambda c, u, d: services.duty_claim_approve(claim=c, actor=u, note=d.get("note", "")),
    ),
    "return": Step(
        ReasonForm,
        lambda c, u, d: services.duty_claim_return(claim=c, actor=u, reason=d["reason"]),
    ),
}
