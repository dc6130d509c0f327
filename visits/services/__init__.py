"""Writes for visits, life events and concerns.

Every concern move goes through ``liaison.workflow.transition`` on a locked row and
leaves a status-change row. Reminders are written to the outbox in the same
transaction. Handling units act without accounts, through signed links: their services
take ``actor_label`` (the unit's name) instead of a user.
"""

from .common import (
    check_members,
    check_visit_date,
)
from .concerns import (
    concern_acknowledge,
    concern_assign,
    concern_close,
    concern_confirm,
    concern_coordinate,
    concern_create,
    concern_escalate,
    concern_feed_back,
    concern_report_result,
    concern_triage,
    concern_update_progress,
)
from .visits import (
    life_event_record,
    refresh_visit_tallies,
    visit_cancel,
    visit_complete,
    visit_delete,
    visit_record,
    visit_set_members,
    visit_update,
)

__all__ = [
    "check_members",
    "check_visit_date",
    "concern_acknowledge",
    "concern_assign",
    "concern_close",
    "concern_confirm",
    "concern_coordinate",
    "concern_create",
    "concern_escalate",
    "concern_feed_back",
    "concern_report_result",
    "concern_triage",
    "concern_update_progress",
    "life_event_record",
    "refresh_visit_tallies",
    "visit_cancel",
    "visit_complete",
    "visit_delete",
    "visit_record",
    "visit_set_members",
    "visit_update",
]
