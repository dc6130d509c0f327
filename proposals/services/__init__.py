"""Writes for proposals, public-opinion reports and research reports (one module per
aggregate, every service importable from here).

Every move goes through ``liaison.workflow.transition`` on a locked row, so two staff
acting on one proposal at once cannot both win, and every move leaves a status-change
row. Reminders are written to the outbox in the same transaction; points go through
``members.points``. Handling units act without accounts, through signed links: their
services take ``actor_label`` (the unit's name) instead of a user.
"""

from .drafting import (
    EDITABLE_FIELDS,
    cosign_respond,
    proposal_attach,
    proposal_create,
    proposal_invite_cosigners,
    proposal_join_cosigning,
    proposal_merge,
    proposal_open_cosigning,
    proposal_register,
    proposal_reject,
    proposal_return,
    proposal_save_draft,
    proposal_set_cosigners,
    proposal_submit,
    proposal_suggest_units,
    proposal_update_draft,
    proposal_withdraw,
)
from .followup import follow_up_close, follow_up_report
from .handling import (
    assignment_acknowledge,
    assignment_decide_return,
    assignment_give_opinion,
    assignment_request_return,
    feedback_give,
    proposal_assign,
    proposal_close_without_feedback,
    proposal_extend,
    proposal_mark_excellent,
    proposal_mark_key,
    proposal_set_disclosure,
    reply_record,
)
from .opinion_reports import (
    adoption_record,
    opinion_report_create,
    opinion_report_move,
    opinion_report_update,
)
from .research import (
    RESEARCH_POINTS,
    research_points_sync,
    research_reports_delete,
)

__all__ = [
    "EDITABLE_FIELDS",
    "RESEARCH_POINTS",
    "adoption_record",
    "assignment_acknowledge",
    "assignment_decide_return",
    "assignment_give_opinion",
    "assignment_request_return",
    "cosign_respond",
    "feedback_give",
    "follow_up_close",
    "follow_up_report",
    "opinion_report_create",
    "opinion_report_move",
    "opinion_report_update",
    "proposal_assign",
    "proposal_attach",
    "proposal_close_without_feedback",
    "proposal_create",
    "proposal_extend",
    "proposal_invite_cosigners",
    "proposal_join_cosigning",
    "proposal_mark_excellent",
    "proposal_mark_key",
    "proposal_merge",
    "proposal_open_cosigning",
    "proposal_register",
    "proposal_reject",
    "proposal_return",
    "proposal_save_draft",
    "proposal_set_cosigners",
    "proposal_set_disclosure",
    "proposal_submit",
    "proposal_suggest_units",
    "proposal_update_draft",
    "proposal_withdraw",
    "reply_record",
    "research_points_sync",
    "research_reports_delete",
]
