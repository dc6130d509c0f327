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

from .models import OpinionReport, Proposal
from .selectors import yearly_progress


@register
def yearly_targets(request):
    if not request.user.has_perm("proposals.view_proposal"):
        return None
    year = today().year
    offices = panel_offices(request)
    rows = yearly_progress(offices, year) if offices is not None else []
    if not rows:
        return None
    return Panel(
        title=panel_title(request, _("%(year)s 年提案与社情民意目标") % {"year": year}),
        template="admin/proposals/yearly_targets_panel.html",
        context={"rows": rows, "year": year},
        order=10,
    )


@todos
def proposal_todos(request, offices) -> list[Todo]:
    """Proposals to register and to assign, handling past its deadline, and public-
    opinion reports to edit, per office: two queries."""
    if not request.user.has_perm("proposals.change_proposal"):
        return []
    P, R = Proposal.Status, OpinionReport.Status
    counts = counts_by_office(
        Proposal.objects.filter(office__in=offices, status__in=Proposal.WAITING_STATUSES),
        # A column of proposal_todo_idx counted (not the id): read from the index alone.
        to_register=Count("status", filter=Q(status=P.SUBMITTED)),
        to_assign=Count("status", filter=Q(status=P.REGISTERED)),
        overdue=Count(
            "status", filter=Q(status__in=Proposal.HANDLING_STATUSES, due_date__lt=today())
        ),
    )
    reports = counts_by_office(
        OpinionReport.objects.filter(office__in=offices, status=R.SUBMITTED), n=Count("pk")
    )["n"]
    proposals = reverse("admin:proposals_proposal_changelist") + "?year=all&"
    reports_url = reverse("admin:proposals_opinionreport_changelist") + "?year=all&"
    return [
        Todo(_("办理逾期的提案"), counts["overdue"], proposals + "overdue=yes", urgent=True),
        Todo(_("待立案的提案"), counts["to_register"], proposals + "status__exact=submitted"),
        Todo(_("待交办的提案"), counts["to_assign"], proposals + "status__exact=registered"),
        Todo(_("待编辑的社情民意信息"), reports, reports_url + "status__exact=submitted"),
    ]
