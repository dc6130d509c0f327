"""Reads of the roster that more than one place uses, already joined for their pages.

The portal reaches members and their notifications only through these functions, so a
member can never see another member's record by changing an id in a URL.
"""

from django.db.models import QuerySet

from liaison.models import Notification

from .models import Member


def member_for_user(user) -> Member | None:
    """The member record behind a signed-in account, or ``None`` for staff, leaders and
    anonymous visitors. Joined with everything the portal's profile page shows."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Member.objects.select_related("office", "sector", "affiliation", "term")
        .filter(user_id=user.pk)
        .first()
    )


def mobile_taken(mobile: str, *, exclude_member_id: int | None = None) -> bool:
    """Whether another member already has this mobile number (members sign in with it,
    so the database keeps it unique among non-empty values)."""
    if not mobile:
        return False
    qs = Member.objects.filter(mobile=mobile)
    if exclude_member_id is not None:
        qs = qs.exclude(pk=exclude_member_id)
    return qs.exists()


def portal_notifications(user) -> QuerySet[Notification]:
    """The in-portal messages (channel ``portal``) addressed to this user, newest first.

    Portal messages need no gateway, so they show as soon as the outbox row exists,
    whatever its delivery status: a member still sees a reminder while Redis is down.
    """
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient_id=user.pk, channel=Notification.Channel.PORTAL
    ).order_by("-created_at", "-pk")


def portal_unread_notifications(user) -> QuerySet[Notification]:
    return portal_notifications(user).filter(read_at__isnull=True)
