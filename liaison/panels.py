"""The admin index's own panel: the staff member's messages (reminders with the portal
channel addressed to them — birthdays ahead, proposals waiting, targets behind)."""

from django.utils.translation import gettext as _

from .dashboard import Panel, register
from .selectors import inbox, unread_inbox

LATEST = 8


@register
def my_messages(request):
    unread = unread_inbox(request.user).count()
    latest = list(inbox(request.user)[:LATEST])
    if not latest:
        return None
    return Panel(
        title=_("我的消息（%(n)s 条未读）") % {"n": unread},
        template="admin/liaison/inbox_panel.html",
        context={"messages": latest, "unread": unread},
        order=1,
    )
