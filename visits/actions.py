"""What each person may do to a visit or a concern now (see liaison.actions). The admin,
the portal and the unit page render their buttons from here; the predicates are the
transition tables plus the guards the services raise (visits/workflows.py)."""

from django.utils.translation import gettext_lazy as _

from liaison.actions import (
    DANGER,
    MEMBER,
    PRIMARY,
    STAFF,
    UNIT,
    Action,
    ActionTable,
    Actor,
    Rule,
    all_of,
    moves_to,
    of_record,
)

from . import workflows as w
from .models import Concern, Visit

C = Concern.Status
V = Visit.Status


# --- Visits ----------------------------------------------------------------------------
# Staff record visits; the member reads them in the portal and has nothing to do to
# one (a visit a member asks for starts as a life event), and no unit is involved.

VISIT_ACTIONS = ActionTable(
    Rule(
        Action("complete", _("登记走访情况"), PRIMARY, form=True),
        STAFF,
        moves_to(w.VISIT_WORKFLOW, V.DONE),
    ),
    Rule(
        Action("opinion", _("记录意见建议"), form=True),
        STAFF,
        of_record(w.visit_opinion_refusal),
    ),
    Rule(
        Action("cancel", _("取消走访"), DANGER, form=True),
        STAFF,
        moves_to(w.VISIT_WORKFLOW, V.CANCELLED),
    ),
)


def visit_actions(visit: Visit, actor: Actor) -> list[Action]:
    return VISIT_ACTIONS.available(visit, actor)


# --- Concerns --------------------------------------------------------------------------


def _unacknowledged(concern, actor):
    # 签收 moves the concern into 办理中; acknowledging twice is harmless, so the
    # service lets it pass, but the button is offered only until then.
    if concern.status == C.IN_PROGRESS:
        return str(_("已签收。"))
    return None


def _handling(concern, actor):
    """With a unit: staff act for whichever unit has it, a unit only for itself."""
    return w.handling_refusal(concern, actor.unit)


CONCERN_ACTIONS = ActionTable(
    # Office staff, in the admin.
    Rule(
        Action("triage", _("分类"), PRIMARY, form=True),
        STAFF,
        moves_to(w.CONCERN_WORKFLOW, C.TRIAGED),
    ),
    Rule(Action("assign", _("交办街道部门"), form=True), STAFF, of_record(w.assign_refusal)),
    Rule(Action("escalate", _("上报协调"), form=True), STAFF, of_record(w.escalate_refusal)),
    Rule(Action("unit_result", _("代录办理结果"), PRIMARY, form=True), STAFF, _handling),
    Rule(
        Action("unit_acknowledge", _("代单位签收"), confirm=_("确定代承办单位签收吗？")),
        STAFF,
        all_of(_handling, _unacknowledged),
    ),
    Rule(Action("unit_progress", _("代录办理进展"), form=True), STAFF, _handling),
    Rule(
        Action("coordinate", _("记录协调情况"), form=True),
        STAFF,
        of_record(w.coordinate_refusal),
    ),
    Rule(
        Action("feed_back", _("反馈委员"), PRIMARY, form=True),
        STAFF,
        of_record(w.feed_back_refusal),
    ),
    Rule(
        Action("confirm", _("录入委员评价"), PRIMARY, form=True),
        STAFF,
        # Staff key in the member's verdict given by phone or in person.
        lambda c, actor: w.confirm_refusal(c, c.member_id),
    ),
    Rule(Action("close", _("办结"), form=True), STAFF, of_record(w.close_refusal)),
    # The member, in the portal.
    Rule(
        Action("confirm", _("确认办理结果"), PRIMARY, form=True),
        MEMBER,
        lambda c, actor: w.confirm_refusal(c, actor.member.pk if actor.member else None),
    ),
    # The unit the concern is with, on the page its signed link opens.
    Rule(Action("acknowledge", _("签收")), UNIT, all_of(_handling, _unacknowledged)),
    Rule(Action("progress", _("提交进展"), form=True), UNIT, _handling),
    Rule(Action("result", _("提交办理结果"), PRIMARY, form=True), UNIT, _handling),
)


def concern_actions(concern: Concern, actor: Actor) -> list[Action]:
    return CONCERN_ACTIONS.available(concern, actor)
