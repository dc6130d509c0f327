from django.db.models import Count, Q
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

from . import coverage
from .models import Concern, Visit
from .selectors import half_year_period


def _concern_counts(request, offices, day) -> dict:
    """Concerns waiting per office ({name: {office id: n}}): new (to triage), open,
    overdue at their unit, to report back to the member. One query for the to-dos and
    the panel alike (kept on the request for the same offices), through the partial
    index of concerns still waiting (concern_todo_idx), not the closed thousands."""
    key = tuple(o.pk for o in offices)
    kept = getattr(request, "_concern_counts", {})
    if key not in kept:
        C = Concern.Status
        kept[key] = counts_by_office(
            Concern.objects.filter(office__in=key, status__in=Concern.WAITING_STATUSES),
            # A column of concern_todo_idx counted (not the id): read from the index alone.
            new=Count("status", filter=Q(status__in=(C.NEW, C.TRIAGED))),
            open=Count("status", filter=Q(status__in=Concern.OPEN_STATUSES)),
            overdue=Count("status", filter=Concern.overdue_q(day)),
            to_feed_back=Count("status", filter=Q(status__in=(C.RESOLVED, C.UNRESOLVABLE))),
        )
        request._concern_counts = kept
    return kept[key]


@register
def visits_panel(request):
    """Coverage this half-year, concerns overdue and visits life events called for."""
    if not request.user.has_perm("visits.view_visit"):
        return None
    day = today()
    offices = panel_offices(request)
    offices = list(offices.order_by("code")) if offices is not None else []
    if not offices:
        return None
    rows = coverage.summary(offices, day, coverage.version(offices, day))
    by_office = _concern_counts(request, offices, day)
    concerns = {name: sum(counts.values()) for name, counts in by_office.items()}
    pending = Visit.objects.filter(office__in=offices, status=Visit.Status.PENDING).aggregate(
        total=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=day))
    )
    return Panel(
        title=panel_title(
            request, _("%(half)s委员走访与意见建议") % {"half": half_year_period(day).label}
        ),
        template="admin/visits/panel.html",
        context={"rows": rows, "concerns": concerns, "pending": pending},
        order=20,
    )


@todos
def visit_todos(request, offices) -> list[Todo]:
    """Concerns to triage, overdue at their unit, to report back to the member; visits
    due, per office: two queries (the first shared with the panel)."""
    if not request.user.has_perm("visits.change_concern"):
        return []
    day = today()
    concerns = _concern_counts(request, offices, day)
    visits_due = counts_by_office(
        Visit.objects.filter(office__in=offices, status=Visit.Status.PENDING, due_date__lt=day),
        n=Count("pk"),
    )["n"]
    concern_list = reverse("admin:visits_concern_changelist") + "?year=all&"
    return [
        Todo(_("逾期未办结的意见建议"), concerns["overdue"], concern_list + "overdue=yes", True),
        Todo(
            _("逾期未走访"),
            visits_due,
            reverse("admin:visits_visit_changelist") + "?year=all&overdue=yes",
            True,
        ),
        Todo(_("待分类交办的意见建议"), concerns["new"], concern_list + "status__in=new,triaged"),
        Todo(
            _("待向委员反馈的意见建议"),
            concerns["to_feed_back"],
            concern_list + "status__in=resolved,unresolvable",
        ),
    ]
