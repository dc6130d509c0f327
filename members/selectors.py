"""Reads of the roster that more than one place uses, already joined for their pages.

The portal reaches members and their notifications only through these functions, so a
member can never see another member's record by changing an id in a URL.
"""

from django.db.models import Case, Exists, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from liaison.selectors import inbox, unread_inbox

from .models import AccountInvitation, Member


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


def roster_members(queryset=None, *, by_sector: bool = False):
    """The name list (名册): serving members in official order, by surname stroke count
    (按姓氏笔画为序), optionally grouped by sector in the sector list's own order. The
    admin's printable name list and the roster PDF read the same rows."""
    queryset = Member.objects.all() if queryset is None else queryset
    qs = queryset.filter(status=Member.Status.SERVING).select_related("sector", "affiliation")
    order = ["stroke_key", "member_no"]
    if by_sector:
        order = ["sector__position", "sector_id", *order]
    return qs.order_by(*order)


def mobile_taken(mobile: str, *, exclude_member_id: int | None = None) -> bool:
    """Whether another member already has this mobile number (members sign in with it,
    so the database keeps it unique among non-empty values)."""
    if not mobile:
        return False
    qs = Member.objects.filter(mobile=mobile)
    if exclude_member_id is not None:
        qs = qs.exclude(pk=exclude_member_id)
    return qs.exists()


# The portal's inbox is the shared one (liaison.selectors): staff read the same rows on
# the admin index.
portal_notifications = inbox
portal_unread_notifications = unread_inbox


class AccountState:
    """What staff see of a member's portal account (members/accounts.py)."""

    NONE = "none"
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"
    CHOICES = (
        (NONE, _("未开通")),
        (INVITED, _("已邀请")),
        (ACTIVE, _("已激活")),
        (DISABLED, _("已停用")),
    )


def with_account_state(queryset):
    """Members annotated with their account's state and their latest invitation (when,
    how, and how the message fared in the outbox): one query however many members."""
    latest = AccountInvitation.objects.filter(member=OuterRef("pk")).order_by("-created_at", "-pk")
    return queryset.annotate(
        invited_at=Subquery(latest.values("created_at")[:1]),
        invited_by=Subquery(latest.values("channel")[:1]),
        invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        invitation_delivery=Subquery(latest.values("notification__status")[:1]),
        invitation_pending=Exists(
            AccountInvitation.objects.filter(member=OuterRef("pk"), used_at=None, revoked_at=None)
        ),
        account_state=Case(
            When(user__isnull=True, then=Value(AccountState.NONE)),
            When(user__is_active=True, then=Value(AccountState.ACTIVE)),
            When(invitation_pending=True, then=Value(AccountState.INVITED)),
            default=Value(AccountState.DISABLED),
        ),
    )
