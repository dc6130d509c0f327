import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.dashboard import Panel, Todo, panel_offices, panel_title, register, todos
from liaison.models import today

from .selectors import consultation_numbers, office_consultation_counts


@register
def consultation_numbers_panel(request):
    """This year's consultations per office: how many were sent out, the members'
    answer rate and the adoption rate of the opinions decided (issue 18 item 5): three
    queries, whatever the number of offices."""
    if not request.user.has_perm("consultations.view_consultation"):
        return None
    offices = panel_offices(request)
    offices = list(offices[:50]) if offices is not None else []
    if not offices:
        return None
    year = today().year
    numbers = consultation_numbers(
        [o.pk for o in offices], datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    )
    return Panel(
        title=panel_title(request, _("%(year)s 年征求意见") % {"year": year}),
        template="admin/consultations/numbers_panel.html",
        context={
            "rows": [{"office": o, "n": numbers[o.pk]} for o in offices],
            "url": reverse("admin:consultations_consultation_changelist"),
        },
        order=30,
    )


@todos
def consultation_todos(request, offices) -> list[Todo]:
    """Consultations past their deadline still open, closed ones waiting for their
    summary, and submitted ones whose outcome is not fed back yet: one query."""
    if not request.user.has_perm("consultations.change_consultation"):
        return []
    counts = office_consultation_counts(offices)
    url = reverse("admin:consultations_consultation_changelist")
    return [
        Todo(
            _("已过截止日期待截止的征求意见"), counts["to_close"], f"{url}?status__exact=open", True
        ),
        Todo(_("待汇总的征求意见"), counts["to_compile"], f"{url}?status__exact=closed"),
        Todo(
            _("待反馈采纳情况的征求意见"), counts["to_feed_back"], f"{url}?status__exact=submitted"
        ),
    ]
