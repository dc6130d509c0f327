"""Invitations, members' replies and leave."""

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from liaison.transactions import service
from liaison.workflow import (
    WorkflowError,
    lock,
    record_note,
    refuse,
)
from members.models import Member

from .. import notifications, workflows
from ..models import (
    Activity,
    Invitation,
)
from .common import _check_self
from .counts import lock_activity_counts, refresh_activity_counts

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance

# --- Invitations and replies ------------------------------------------------------------


@service
def activity_invite(*, activity: Activity, actor, members) -> list[Invitation]:
    """Invite members (all serving, by sector or hand-picked: see
    selectors.invitation_candidates). Inviting someone twice is harmless. Once the
    activity is published, new invitees get their invitation at once."""
    activity = lock(activity)
    refuse(workflows.invite_refusal(activity))
    allowed = activity.organising_office_ids()
    members = list(members)
    for member in members:
        if not member.is_serving:
            raise WorkflowError(_("%(name)s 不是在任委员，不能邀请。") % {"name": member.name})
        if member.office_id not in allowed:
            raise WorkflowError(_("%(name)s 不属于主办联络处，不能邀请。") % {"name": member.name})
    existing = set(activity.invitations.values_list("member_id", flat=True))
    new_ids = list(dict.fromkeys(m.pk for m in members if m.pk not in existing))
    if not new_ids:
        return []
    rows = [Invitation(activity=activity, member_id=pk) for pk in new_ids]
    bulk_create_with_history(
        rows,
        Invitation,
        batch_size=500,
        default_user=actor if getattr(actor, "pk", None) else None,
    )
    created = list(
        Invitation.objects.filter(activity=activity, member_id__in=new_ids).select_related(
            "member__user"
        )
    )
    refresh_activity_counts(activity.pk)
    record_note(activity, actor=actor, note=_("邀请委员 %(n)s 人") % {"n": len(created)})
    if activity.status == A.PUBLISHED and not activity.has_started:
        notifications.invitations_sent(activity, created)
    return created


@service
def invitations_withdraw(*, activity: Activity, actor, invitations) -> int:
    """Take invitations back while the activity is still a draft; once it is published
    the members have been told, and a change of plan goes through the activity's steps."""
    activity = lock(activity)
    if activity.status != A.DRAFT:
        raise WorkflowError(_("活动已发布，委员已收到邀请，不能撤销邀请。"))
    rows = list(activity.invitations.filter(pk__in=[i.pk for i in invitations]))
    for row in rows:
        row.delete()  # one by one, so each leaves its history row
    if rows:
        refresh_activity_counts(activity.pk)
        record_note(activity, actor=actor, note=_("撤销邀请 %(n)s 人") % {"n": len(rows)})
    return len(rows)


def _invitation_for(activity: Activity, member: Member) -> Invitation | None:
    """The member's invitation, locked (None: not invited; the guards say so), after
    the activity's row (the counts are refreshed under that lock)."""
    lock_activity_counts(activity.pk)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member__user")
        .filter(activity=activity, member=member)
        .first()
    )
    if invitation is not None:
        invitation.activity = activity
    return invitation


@service
def invitation_reply(
    *, activity: Activity, member: Member, actor, attending: bool, reason: str = ""
) -> Invitation:
    """The member's reply: attend, or ask for leave with a reason (请假). They may change
    their mind until the activity starts."""
    _check_self(actor, member)
    activity = Activity.objects.select_related("office").get(pk=activity.pk)
    invitation = _invitation_for(activity, member)
    refuse(workflows.reply_refusal(activity, invitation))
    reason = reason.strip()
    if attending:
        if invitation.reply == I.Reply.ATTENDING:
            return invitation
        invitation.reply = I.Reply.ATTENDING
        invitation.leave_reason = ""
        invitation.leave_status = I.Leave.NONE
    else:
        if not reason:
            raise WorkflowError(_("请填写请假事由。"))
        if invitation.reply == I.Reply.LEAVE and invitation.leave_reason == reason:
            return invitation
        invitation.reply = I.Reply.LEAVE
        invitation.leave_reason = reason
        invitation.leave_status = I.Leave.REQUESTED
    invitation.leave_decided_at = None
    invitation.leave_decided_by = None
    invitation.leave_note = ""
    invitation.replied_at = timezone.now()
    invitation.save(
        update_fields=[
            "reply",
            "leave_reason",
            "leave_status",
            "leave_decided_at",
            "leave_decided_by",
            "leave_note",
            "replied_at",
        ]
    )
    refresh_activity_counts(activity.pk)
    notifications.invitation_answered(invitation)
    if not attending:
        notifications.leave_requested(invitation)
    return invitation


@service
def leave_decide(*, invitation: Invitation, actor, approve: bool, note: str = "") -> Invitation:
    """Staff approve or refuse a leave request; the member is told."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member__user", "activity__office")
        .get(pk=invitation.pk)
    )
    refuse(workflows.leave_decide_refusal(invitation, invitation.activity))
    invitation.leave_status = I.Leave.APPROVED if approve else I.Leave.REFUSED
    invitation.leave_decided_at = timezone.now()
    invitation.leave_decided_by = actor if getattr(actor, "pk", None) else None
    invitation.leave_note = note.strip()[:200]
    invitation.save(
        update_fields=["leave_status", "leave_decided_at", "leave_decided_by", "leave_note"]
    )
    notifications.leave_decided(invitation)
    return invitation
