"""Who is acting: checks the activity services share."""

from django.utils.translation import gettext as _

from liaison.workflow import (
    WorkflowError,
)
from members.models import Member

from ..models import (
    Activity,
    Invitation,
)

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance


def _is_staff(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_staff", False))


def _acting_member(actor) -> Member | None:
    return getattr(actor, "member", None) if actor is not None else None


def _check_self(actor, member: Member) -> None:
    """A member acts for themselves only; staff may act for anyone."""
    if _is_staff(actor):
        return
    acting = _acting_member(actor)
    if acting is None or acting.pk != member.pk:
        raise WorkflowError(_("只能以本人名义办理。"))
