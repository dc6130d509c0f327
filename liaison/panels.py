"""The admin index's own panels: the staff member's messages (reminders with the portal
channel addressed to them — birthdays ahead, proposals waiting, targets behind), and the
kinds of text message the SMS gateway has no template for."""

from django.utils.translation import gettext as _

from .dashboard import Panel, register
from .selectors import inbox, sms_kinds_without_template, unread_inbox

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


@register
def sms_templates_missing(request):
    """Warns staff that some kinds of text message reach members only in the portal,
    because the SMS gateway has no template for them."""
    kinds = sms_kinds_without_template(request.user)
    if not kinds:
        return None
    return Panel(
        title=_("短信模板缺失：以下消息已改为站内消息"),
        template="admin/liaison/sms_templates_panel.html",
        context={"kinds": kinds},
        order=0,
    )
