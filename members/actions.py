"""What staff may do to a duty a member reported (DutyClaim): approve it (points follow
the rules) or return it with the reason. The admin draws its buttons from this table."""

from django.utils.translation import gettext_lazy as _

from liaison.actions import DANGER, PRIMARY, STAFF, Action, ActionTable, Actor, Rule

from . import workflows
from .models import DutyClaim

CLAIM_ACTIONS = ActionTable(
    Rule(
        Action("approve", _("认定（按规则计分）"), PRIMARY, form=True),
        STAFF,
        lambda claim, actor: workflows.approve_refusal(claim),
    ),
    Rule(
        Action("return", _("退回"), DANGER, form=True),
        STAFF,
        lambda claim, actor: workflows.return_refusal(claim),
    ),
)


def claim_actions(claim: DutyClaim, actor: Actor) -> list[Action]:
    return CLAIM_ACTIONS.available(claim, actor)
