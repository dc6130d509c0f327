"""The activity area's notifications. Each function writes outbox rows only (see
liaison.services) and is called inside the transaction that made the change, or by a
reminder sweep, so a message commits with what it is about.

An invitation or a reminder goes to many members, each greeted by name, and is written
in one statement (``notifications_queue``). Dedupe keys
name the occasion — the activity, the date, the decision — and the member's account is
appended, so each reminder reaches each member at most once per occasion."""

import zlib

from django.conf import settings
from django.urls import reverse

from liaison.models import Notification
from liaison.services import notifications_fulfilled, notifications_queue, notify_office_staff
from members.notifications import member_rows as member_notification_rows


def portal_path(activity) -> str:
    return reverse("portal:activity_detail", args=[activity.pk])


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def member_rows(
    members, *, kind: str, key: str, template: str, context: dict, link: str, office
) -> list[Notification]:
    """Unsaved outbox rows for ``members`` (``user`` selected), each by the member's
    preference (members/notifications.py)."""
    rendered: dict = {}
    rows: list[Notification] = []
    for member in members:
        rows += member_notification_rows(
            member,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=office,
            rendered=rendered,
        )
    return rows


def notify_members(members, *, kind, key, template, context, link, office) -> int:
    return notifications_queue(
        rows=member_rows(
            members,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=office,
        )
    )


def notify_staff(*, office, kind: str, key: str, template: str, context: dict, link: str) -> int:
    return len(
        notify_office_staff(
            office=office, kind=kind, key=key, template=template, context=context, link=link
        )
    )


def _activity_context(activity, **extra) -> dict:
    return {
        "activity": activity,
        "office": activity.office,
        "url": absolute(portal_path(activity)),
        **extra,
    }


def invitations_sent(activity, invitations) -> int:
    """The invitation, to each newly invited member of a published activity."""
    return notify_members(
        [i.member for i in invitations],
        kind="activity_invitation",
        key=f"activity-invite:{activity.pk}",
        template="briefings/invitation",
        context=_activity_context(activity),
        link=portal_path(activity),
        office=activity.office,
    )


def activity_cancelled(activity, invitations) -> int:
    return notify_members(
        [i.member for i in invitations],
        kind="activity_cancelled",
        key=f"activity-cancelled:{activity.pk}",
        template="briefings/cancelled",
        context=_activity_context(activity),
        link=portal_path(activity),
        office=activity.office,
    )


def activity_rescheduled(activity, invitations) -> int:
    """Time or venue changed after publication: once per new time and venue."""
    venue = zlib.crc32(activity.venue.encode())  # stable across processes, unlike hash()
    stamp = f"{activity.starts_at:%Y%m%d%H%M}-{activity.ends_at:%H%M}-{venue}"
    return notify_members(
        [i.member for i in invitations],
        kind="activity_rescheduled",
        key=f"activity-rescheduled:{activity.pk}:{stamp}",
        template="briefings/rescheduled",
        context=_activity_context(activity),
        link=portal_path(activity),
        office=activity.office,
    )


def leave_requested(invitation) -> int:
    activity = invitation.activity
    return notify_staff(
        office=activity.office,
        kind="activity_leave_requested",
        key=f"activity-leave-request:{invitation.pk}:{invitation.replied_at:%Y%m%d%H%M%S}",
        template="briefings/leave_requested",
        context={"activity": activity, "invitation": invitation, "member": invitation.member},
        link=reverse("admin:briefings_activity_change", args=[activity.pk]),
    )


def leave_decided(invitation) -> int:
    """The decision on a leave request, to the member (once per decision)."""
    activity = invitation.activity
    stamp = f"{invitation.leave_decided_at:%Y%m%d%H%M%S}"
    return notify_members(
        [invitation.member],
        kind="activity_leave_decided",
        key=f"activity-leave-decision:{invitation.pk}:{invitation.leave_status}:{stamp}",
        template="briefings/leave_decided",
        context=_activity_context(activity, invitation=invitation),
        link=portal_path(activity),
        office=activity.office,
    )


def opinion_became_proposal(opinion) -> int:
    proposal = opinion.proposal
    return notify_members(
        [opinion.member],
        kind="activity_opinion_proposal",
        key=f"activity-opinion-proposal:{opinion.pk}",
        template="briefings/opinion_proposal",
        context={
            "activity": opinion.activity,
            "opinion": opinion,
            "proposal": proposal,
            "url": absolute(reverse("portal:proposal_detail", args=[proposal.pk])),
        },
        link=reverse("portal:proposal_detail", args=[proposal.pk]),
        office=opinion.activity.office,
    )


def invitation_answered(invitation):
    """The member has replied (attending, or asking for leave): the invitation and the
    reminders to reply are answered."""
    notifications_fulfilled(
        member=invitation.member,
        kinds=("activity_invitation", "activity_reply_reminder"),
        link=portal_path(invitation.activity),
    )
