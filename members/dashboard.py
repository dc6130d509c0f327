"""The roster's panel on the admin index: how far the portal reaches the members."""

from django.utils.translation import gettext as _

from liaison.dashboard import Panel, register
from liaison.scoping import visible_offices

from .selectors import account_reach


@register
def reach_panel(request):
    """Per office: accounts active, invited but not activated, without one; SMS sent
    and failed this month; members not signed in for 90 days, for the office to call."""
    if not request.user.has_perm("members.view_member"):
        return None
    rows = account_reach(visible_offices(request.user))
    if not rows:
        return None
    return Panel(
        title=_("委员平台账号"),
        template="admin/members/reach_panel.html",
        # The oldest count shown: figures are kept, recounted every ten minutes.
        context={"rows": rows, "counted_at": min(row["counted_at"] for row in rows)},
        order=15,
    )
