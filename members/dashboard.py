"""The roster's panel on the admin index: how far the portal reaches the members."""

from django.utils.translation import gettext as _

from liaison.dashboard import Panel, panel_offices, panel_title, register

from .selectors import account_reach


@register
def reach_panel(request):
    """Per office: accounts active, invited but not activated, without one; SMS sent
    and failed this month; members not signed in for 90 days, for the office to call."""
    if not request.user.has_perm("members.view_member"):
        return None
    offices = panel_offices(request)
    rows = account_reach(offices) if offices is not None else []
    if not rows:
        return None
    return Panel(
        title=panel_title(request, _("委员平台账号")),
        template="admin/members/reach_panel.html",
        # The oldest count shown: figures are kept, recounted every ten minutes.
        context={"rows": rows, "counted_at": min(row["counted_at"] for row in rows)},
        order=15,
    )
