"""The moves of an office's assessment year (DutyYear): open while the year's records
come in, closed once staff give the grades, reopened with a reason when a record comes
in late (DOMAIN.md "Member duty record and points")."""

from django.utils.translation import gettext as _

from liaison.models import today
from liaison.workflow import Workflow
from members.models import DutyYear

from .models import CommitteeReply

Y = DutyYear.Status

DUTY_YEAR_WORKFLOW = Workflow(Y, {Y.OPEN: (Y.CLOSED,), Y.CLOSED: (Y.OPEN,)})

# A reply to the committee is written, then sent (发出) once: what went out stays.
REPLY_WORKFLOW = Workflow(
    CommitteeReply.Status, {CommitteeReply.Status.DRAFT: (CommitteeReply.Status.ISSUED,)}
)


# --- Guards: the sentence a refused person reads, or None -------------------------------


def close_refusal(duty_year: DutyYear) -> str | None:
    if refusal := DUTY_YEAR_WORKFLOW.refusal(duty_year.status, Y.CLOSED):
        return refusal
    if duty_year.year > today().year:
        return _("%(year)s年度尚未开始，不能结束考核。") % {"year": duty_year.year}
    return None


def reopen_refusal(duty_year: DutyYear) -> str | None:
    return DUTY_YEAR_WORKFLOW.refusal(duty_year.status, Y.OPEN)


def reply_issue_refusal(reply: CommitteeReply) -> str | None:
    if refusal := REPLY_WORKFLOW.refusal(reply.status, CommitteeReply.Status.ISSUED):
        return refusal
    if not reply.body.strip():
        return _("复函正文尚未填写，不能发出。")
    return None
