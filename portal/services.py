"""The portal's own small writes.

Marking a portal message read belongs with the notification outbox (liaison); until
the outbox has services of its own these live here. Views find the message through
members.selectors (scoped to the signed-in user) before calling them.
"""

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from liaison.models import Notification
from members.selectors import member_for_user, portal_unread_notifications


@transaction.atomic
def portal_notification_mark_read(*, notification: Notification, actor) -> Notification:
    if notification.recipient_id != actor.pk:
        # The views never get here (the selector already 404s); a safety net for callers.
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def portal_notifications_mark_all_read(*, actor) -> int:
    return portal_unread_notifications(actor).update(read_at=timezone.now())


def portal_sign_in_unlock(*, user) -> None:
    """Lift a sign-in lockout once the member has proved who they are by e-mail
    (password reset). Lockouts count per name typed, so clear every name the member
    signs in with: the account name, the member number and the mobile number."""
    names = {user.get_username()}
    member = member_for_user(user)
    if member is not None:
        names |= {member.member_no, member.mobile} - {""}
    for name in names:
        axes_reset(username=name)
