from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.dashboard import Todo, todos

from .selectors import office_consultation_counts


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
