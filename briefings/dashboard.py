from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.dashboard import (
    Panel,
    Todo,
    counts_by_office,
    panel_offices,
    panel_title,
    register,
    todos,
)
from liaison.models import today

from .models import Activity, ActivityKind, Invitation
from .selectors import half_year_status, organised_by


@register
def briefings_twice_a_year(request):
    """Political briefings are held twice a year (DOMAIN.md): each office's status for
    both halves of this year — held, planned, or missing (red once the office's date
    for scheduling it has passed)."""
    if not request.user.has_perm("briefings.view_activity"):
        return None
    year = today().year
    offices = panel_offices(request)
    rows = half_year_status(offices, year) if offices is not None else []
    if not rows:
        return None
    return Panel(
        title=panel_title(request, _("%(year)s 年政情通报会（每半年至少一次）") % {"year": year}),
        template="admin/briefings/half_year_panel.html",
        context={
            "rows": rows,
            "year": year,
            "kind": ActivityKind.objects.filter(is_briefing=True, is_active=True).first(),
        },
        order=20,
    )


@todos
def activity_todos(request, offices) -> list[Todo]:
    """Leave requests waiting for a decision: one query."""
    if not request.user.has_perm("briefings.change_invitation"):
        return []
    activities = Activity.objects.filter(organised_by([o.pk for o in offices])).values("pk")
    leave = counts_by_office(
        Invitation.objects.filter(activity__in=activities, leave_status=Invitation.Leave.REQUESTED),
        "activity__office",
        n=Count("pk"),
    )["n"]
    url = reverse("admin:briefings_invitation_changelist") + "?leave_status__exact=requested"
    return [Todo(_("待审批的请假"), leave, url, office_param="activity__office__id__exact")]
