"""Who is acting: checks the activity services share."""

from django.utils.translation import gettext as _

from liaison.workflow import (
    WorkflowError,
)
from members.models import Member
from members.selectors import acting_member, actor_is_staff

from ..models import (
    Activity,
    Invitation,
)

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance


def _check_self(actor, member: Member) -> None:
    """A member acts for themselves only; staff may act for anyone."""
    if actor_is_staff(actor):
        return
    acting = acting_member(actor)
    if acting is None or acting.pk != member.pk:
        raise WorkflowError(_("只能以本人名义办理。"))
