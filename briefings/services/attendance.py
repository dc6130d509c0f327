"""Attendance: staff ticks, QR sign-in, corrections, closing the register (and the points
it earns)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.transactions import service
from liaison.workflow import (
    WorkflowError,
    lock,
    record_note,
    refuse,
    transition,
)
from members.models import Member
from members.points import points_award, points_revoke

from .. import workflows
from ..models import (
    ATTENDANCE_POINTS,
    Activity,
    Invitation,
)
from ..signin import token_refusal
from ..workflows import ACTIVITY_WORKFLOW
from .common import _check_self
from .counts import lock_activity_counts, refresh_activity_counts
from .invitations import _invitation_for

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance

# --- Attendance and sign-in -------------------------------------------------------------


def _set_attendance(invitation: Invitation, state: str, *, actor, method: str) -> None:
    """Write the attendance and move the points with it: revoke what the old state
    earned (or cost), award what the new one does."""
    old_kind = ATTENDANCE_POINTS.get(invitation.attendance)
    new_kind = ATTENDANCE_POINTS.get(state)
    if old_kind and old_kind != new_kind:
        points_revoke(member=invitation.member, kind=old_kind, source=invitation)
    invitation.attendance = state
    invitation.attendance_method = method
    invitation.attendance_at = timezone.now()
    invitation.attendance_by = actor if getattr(actor, "pk", None) else None
    invitation.save(
        update_fields=["attendance", "attendance_method", "attendance_at", "attendance_by"]
    )
    if new_kind:
        activity = invitation.activity
        points_award(
            member=invitation.member,
            kind=new_kind,
            occurred_on=activity.date,
            source=invitation,
            actor=actor if getattr(actor, "pk", None) else None,
            description=activity.title,
        )


def _lock_invitation(invitation: Invitation) -> Invitation:
    lock_activity_counts(invitation.activity_id)
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member", "activity__office")
        .get(pk=invitation.pk)
    )


def _state_label(state: str) -> str:
    return str(Att(state).label)


@service
def attendance_record(*, invitation: Invitation, actor, state: str = Att.ATTENDED) -> Invitation:
    """Staff record one invitee's attendance (the tablet sign-in page). Recording it a
    second time is refused: a change is a correction, with a reason."""
    invitation = _lock_invitation(invitation)
    activity = invitation.activity
    refuse(workflows.record_attendance_refusal(activity))
    if state not in (Att.ATTENDED, Att.LEAVE_APPROVED, Att.LEAVE_REFUSED, Att.ABSENT):
        raise WorkflowError(_("请选择出勤情况。"))
    if invitation.attendance:
        raise WorkflowError(
            _("%(name)s 的出勤已登记为“%(state)s”，不能重复登记。如需更正，请使用“更正出勤”。")
            % {"name": invitation.member.name, "state": invitation.get_attendance_display()}
        )
    if state == Att.LEAVE_APPROVED and invitation.leave_status != I.Leave.APPROVED:
        raise WorkflowError(_("%(name)s 没有获准的请假。") % {"name": invitation.member.name})
    if state == Att.LEAVE_REFUSED and invitation.leave_status != I.Leave.REFUSED:
        raise WorkflowError(_("%(name)s 没有被驳回的请假申请。") % {"name": invitation.member.name})
    _set_attendance(invitation, state, actor=actor, method=I.Method.STAFF)
    refresh_activity_counts(activity.pk)
    return invitation


@service
def attendance_sign_in(
    *, activity: Activity, member: Member, token: str, actor
) -> tuple[Invitation, bool]:
    """The member scanned the activity's QR code. Returns (invitation, newly signed in);
    scanning again is harmless."""
    _check_self(actor, member)
    activity = Activity.objects.select_related("office").get(pk=activity.pk)
    refuse(token_refusal(activity, token))
    invitation = _invitation_for(activity, member)
    if invitation is not None and invitation.attendance == Att.ATTENDED:
        return invitation, False
    refuse(workflows.sign_in_refusal(activity, invitation))
    _set_attendance(invitation, Att.ATTENDED, actor=actor, method=I.Method.QR)
    refresh_activity_counts(activity.pk)
    return invitation, True


@service
def attendance_correct(*, invitation: Invitation, actor, state: str, reason: str) -> Invitation:
    """更正出勤: change a recorded attendance, with a reason on the activity's timeline."""
    if not reason.strip():
        raise WorkflowError(_("请填写更正原因。"))
    if state not in (Att.ATTENDED, Att.LEAVE_APPROVED, Att.LEAVE_REFUSED, Att.ABSENT):
        raise WorkflowError(_("请选择出勤情况。"))
    invitation = _lock_invitation(invitation)
    activity = invitation.activity
    refuse(workflows.correct_attendance_refusal(activity))
    if not invitation.attendance:
        raise WorkflowError(
            _("%(name)s 的出勤尚未登记，请直接登记。") % {"name": invitation.member.name}
        )
    if invitation.attendance == state:
        raise WorkflowError(
            _("%(name)s 的出勤已是“%(state)s”，无需更正。")
            % {"name": invitation.member.name, "state": _state_label(state)}
        )
    old = invitation.get_attendance_display()
    _set_attendance(invitation, state, actor=actor, method=I.Method.STAFF)
    refresh_activity_counts(activity.pk)
    record_note(
        activity,
        actor=actor,
        note=_("更正 %(name)s 出勤：%(old)s → %(new)s。%(reason)s")
        % {
            "name": invitation.member.name,
            "old": old,
            "new": _state_label(state),
            "reason": reason,
        },
    )
    return invitation


@service
def attendance_close(*, activity: Activity, actor, expected: str | None = None) -> Activity:
    """完成考勤登记: everyone not signed in becomes leave approved, leave refused or absent
    without leave, points are written, and the activity counts as held."""
    activity = lock(activity)
    refuse(workflows.close_attendance_refusal(activity))
    for invitation in activity.invitations.filter(attendance="").select_related("member"):
        invitation.activity = activity
        state = {
            I.Leave.APPROVED: Att.LEAVE_APPROVED,
            I.Leave.REFUSED: Att.LEAVE_REFUSED,
        }.get(invitation.leave_status, Att.ABSENT)
        _set_attendance(invitation, state, actor=actor, method=I.Method.CLOSING)
    refresh_activity_counts(activity.pk)
    counts = dict.fromkeys(Att.values, 0)
    for state in activity.invitations.values_list("attendance", flat=True):
        counts[state] += 1
    activity.attendance_closed_at = timezone.now()
    transition(
        activity,
        workflow=ACTIVITY_WORKFLOW,
        target=A.HELD,
        actor=actor,
        expected=expected,
        note=_("出席 %(a)s 人，请假 %(l)s 人，请假未准 %(r)s 人，无故缺席 %(x)s 人")
        % {
            "a": counts[Att.ATTENDED],
            "l": counts[Att.LEAVE_APPROVED],
            "r": counts[Att.LEAVE_REFUSED],
            "x": counts[Att.ABSENT],
        },
        update_fields=["attendance_closed_at"],
    )
    return activity
