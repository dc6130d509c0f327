"""What each person may do to a consultation now (see liaison.actions): staff in the
admin, the member in the portal. The predicates are the transition table plus the
guards the services raise (consultations/workflows.py)."""

from django.utils.translation import gettext_lazy as _

from liaison.actions import (
    MEMBER,
    PRIMARY,
    SECONDARY,
    STAFF,
    Action,
    ActionTable,
    Actor,
    Rule,
    all_of,
    moves_to,
    of_record,
    requires,
)

from . import workflows as w
from .models import Consultation

S = Consultation.Status

CONSULTATION_ACTIONS = ActionTable(
    Rule(
        Action(
            "open",
            _("发出征求意见"),
            PRIMARY,
            confirm=_("发出后将通知全部征求对象，问题不能再修改。确定发出吗？"),
        ),
        STAFF,
        of_record(w.open_refusal),
    ),
    Rule(
        Action(
            "close",
            _("截止收集"),
            PRIMARY,
            confirm=_("截止后委员不能再提交或修改意见。确定截止吗？"),
        ),
        STAFF,
        moves_to(w.CONSULTATION_WORKFLOW, S.CLOSED),
    ),
    Rule(
        Action("record_answer", _("代录意见"), SECONDARY, form=True),
        STAFF,
        of_record(w.record_refusal),
    ),
    Rule(
        Action("invite_experts", _("邀请特邀专家"), SECONDARY),
        STAFF,
        all_of(
            of_record(w.answer_refusal),
            requires(
                lambda c, actor: c.experts.filter(invited_at__isnull=True).exists(),
                _("没有尚未邀请的特邀专家。"),
            ),
        ),
    ),
    Rule(
        # Marking opinions is done row by row on the compilation page; the step's own
        # page (by opinion number) is the fallback.
        Action("mark", _("标注意见"), SECONDARY, form=True),
        STAFF,
        of_record(w.mark_refusal),
    ),
    Rule(
        # Secondary: once compiled, rewriting the summary is not the next step (报送 is);
        # before that it is the only step, and the record page makes it the primary.
        Action("compile", _("撰写意见汇总"), SECONDARY, form=True),
        STAFF,
        moves_to(w.CONSULTATION_WORKFLOW, S.COMPILED),
    ),
    Rule(
        Action("submit", _("报送街道党工委"), PRIMARY, form=True),
        STAFF,
        moves_to(w.CONSULTATION_WORKFLOW, S.SUBMITTED),
    ),
    Rule(
        Action("feed_back", _("向委员反馈采纳情况"), PRIMARY, form=True),
        STAFF,
        of_record(w.feed_back_refusal),
    ),
    Rule(
        # Secondary for the same reason: once every opinion has its outcome, 反馈 is next.
        Action("outcome", _("登记决策结果和采纳情况"), SECONDARY, form=True),
        STAFF,
        of_record(w.outcome_refusal),
    ),
    # The member, in the portal: the answer form on the consultation's page.
    Rule(
        Action("answer", _("提交意见"), PRIMARY, form=True),
        MEMBER,
        all_of(
            requires(
                lambda c, actor: getattr(c, "is_recipient", False), _("本次征求意见未向您征求。")
            ),
            of_record(w.answer_refusal),
        ),
    ),
)


def consultation_actions(consultation: Consultation, actor: Actor) -> list[Action]:
    return CONSULTATION_ACTIONS.available(consultation, actor)
