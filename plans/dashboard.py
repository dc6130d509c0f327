from django.utils.translation import gettext as _

from liaison.dashboard import Panel, panel_offices, panel_title, register
from liaison.models import today

from .models import WorkPlan


@register
def plans_panel(request):
    """The year's plan for each office (and next year's once drafted)."""
    if not request.user.has_perm("plans.view_workplan"):
        return None
    year = today().year
    offices = panel_offices(request)
    offices = list(offices[:50]) if offices is not None else []
    if not offices:
        return None
    plans = {}
    for plan in WorkPlan.objects.filter(office__in=offices, year__in=[year, year + 1]).order_by(
        "version"
    ):
        plans[(plan.office_id, plan.year)] = plan  # the newest version wins
    rows = [
        {"office": o, "current": plans.get((o.pk, year)), "next": plans.get((o.pk, year + 1))}
        for o in offices
    ]
    return Panel(
        title=panel_title(request, _("年度工作计划")),
        template="admin/plans/plans_panel.html",
        context={"rows": rows, "year": year, "next_year": year + 1},
        order=20,
    )
