from django.utils.translation import gettext as _

from liaison.dashboard import Panel, register
from liaison.models import today
from liaison.scoping import visible_offices

from .selectors import yearly_progress


@register
def yearly_targets(request):
    if not request.user.has_perm("proposals.view_proposal"):
        return None
    year = today().year
    rows = yearly_progress(visible_offices(request.user), year)
    if not rows:
        return None
    return Panel(
        title=_("%(year)s 年提案与社情民意目标") % {"year": year},
        template="admin/proposals/yearly_targets_panel.html",
        context={"rows": rows, "year": year},
        order=10,
    )
