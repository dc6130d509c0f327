"""What office staff may do to an annual work plan now (see liaison.actions): the
transition table plus the guards plans/services.py raises. (Printing it is reports':
reports/actions.py extends this table.)"""

from django.utils.translation import gettext_lazy as _

from liaison.actions import PRIMARY, STAFF, Action, ActionTable, Actor, Rule, of_record

from . import workflows as w
from .models import WorkPlan

PLAN_ACTIONS = ActionTable(
    Rule(Action("submit", _("报送党工委"), PRIMARY, form=True), STAFF, of_record(w.submit_refusal)),
    Rule(Action("comment", _("登记党工委意见"), form=True), STAFF, of_record(w.comment_refusal)),
    Rule(Action("adopt", _("登记通过"), form=True), STAFF, of_record(w.adopt_refusal)),
    Rule(
        Action("revise", _("根据意见生成修改稿"), confirm=_("将复制本稿的事项生成新版本。")),
        STAFF,
        of_record(w.revise_refusal),
    ),
)


def plan_actions(plan: WorkPlan, actor: Actor) -> list[Action]:
    return PLAN_ACTIONS.available(plan, actor)
