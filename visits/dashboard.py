from django.db.models import Count, Q
from django.utils.translation import gettext as _

from liaison.dashboard import Panel, register
from liaison.models import today
from liaison.scoping import visible_offices

from . import coverage
from .models import Concern, Visit
from .selectors import half_year_period


@register
def visits_panel(request):
    """Coverage this half-year, concerns overdue and visits life events called for."""
    if not request.user.has_perm("visits.view_visit"):
        return None
    day = today()
    offices = list(visible_offices(request.user).order_by("code"))
    if not offices:
        return None
    rows = coverage.summary(offices, day, coverage.version(offices, day))
    concerns = Concern.objects.filter(office__in=offices).aggregate(
        open=Count("pk", filter=Q(status__in=Concern.OPEN_STATUSES)),
        overdue=Count("pk", filter=Concern.overdue_q(day)),
        to_feed_back=Count(
            "pk", filter=Q(status__in=(Concern.Status.RESOLVED, Concern.Status.UNRESOLVABLE))
        ),
    )
    pending = Visit.objects.filter(office__in=offices, status=Visit.Status.PENDING).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=day))
    )
    return Panel(
        title=_("%(half)s委员走访与意见建议") % {"half": half_year_period(day).label},
        template="admin/visits/panel.html",
        context={"rows": rows, "concerns": concerns, "pending": pending},
        order=20,
    )
