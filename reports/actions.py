"""What reports adds to the annual work plan's actions (plans/actions.py): any version
can be printed as a PDF. The plan's admin (reports/admin.py) draws its buttons from
this table."""

from django.utils.translation import gettext_lazy as _

from liaison.actions import STAFF, Action, ActionTable, Actor, Rule
from plans import actions as plans_actions
from plans.models import WorkPlan

PLAN_ACTIONS = ActionTable(
    *plans_actions.PLAN_ACTIONS.rules,
    # Any version can be printed: the draft for discussion, the adopted plan to file.
    Rule(Action("pdf", _("生成 PDF")), STAFF, lambda plan, actor: None),
)


def plan_actions(plan: WorkPlan, actor: Actor) -> list[Action]:
    return PLAN_ACTIONS.available(plan, actor)
