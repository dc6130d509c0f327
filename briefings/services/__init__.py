"""Writes for activities: scheduling, the request for instructions (请示), invitations and
replies, leave, attendance and sign-in, opinions collected, minutes.

Moves of an activity go through ``liaison.workflow.transition`` on a locked row and
leave a timeline row; attendance changes lock the invitation row, so a QR sign-in and a
tick on the staff tablet at the same moment cannot both write. Points go through
``members.points`` with the invitation as their source, so a corrected attendance
revokes exactly what it earned. Notifications are written to the outbox in the same
transaction. A refusal raises ``WorkflowError`` with a sentence the page shows as is.
"""

from .attendance import (
    attendance_close,
    attendance_correct,
    attendance_record,
    attendance_sign_in,
)
from .counts import refresh_activity_counts
from .invitations import (
    activity_invite,
    invitation_reply,
    invitations_withdraw,
    leave_decide,
)
from .opinion_followup import (
    opinion_note,
    opinion_to_concern,
    opinion_to_proposal,
)
from .opinions import (
    opinion_record,
    opinion_submit,
)
from .scheduling import (
    activity_cancel,
    activity_create,
    activity_publish,
    activity_request_answer,
    activity_request_send,
    activity_reschedule,
    minutes_save,
)
from .speeches import (
    agenda_speaker_arrange,
    speech_record,
    speech_update,
    speeches_delete,
)

__all__ = [
    "activity_cancel",
    "activity_create",
    "activity_invite",
    "activity_publish",
    "activity_request_answer",
    "activity_request_send",
    "activity_reschedule",
    "agenda_speaker_arrange",
    "attendance_close",
    "attendance_correct",
    "attendance_record",
    "attendance_sign_in",
    "invitation_reply",
    "invitations_withdraw",
    "leave_decide",
    "minutes_save",
    "opinion_note",
    "opinion_record",
    "opinion_submit",
    "opinion_to_concern",
    "opinion_to_proposal",
    "refresh_activity_counts",
    "speech_record",
    "speech_update",
    "speeches_delete",
]
