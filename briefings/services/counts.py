"""The counts an activity keeps on its row (``Activity.invited_count`` …): recomputed
from its invitations and opinions, never added to by hand, so they cannot drift.

Every service that adds, removes or changes an invitation or an opinion calls
``refresh_activity_counts`` at its end, inside its transaction; so do the demo seed and
the opinion admin's delete. Members cannot be deleted while invited (``PROTECT``) and an
activity's invitations and opinions go only with the activity itself: no cascade leaves
a count behind, so no signal is needed."""

from collections.abc import Iterable

from liaison.counts import lock_rows, refresh_counts
from liaison.selectors import count_of

from ..models import Activity, Invitation, Opinion

I = Invitation  # noqa: E741


def _count(model, **filters):
    return count_of(model.objects.filter(**filters), "activity")


def count_expressions() -> dict:
    """The five counts as subqueries over one activity (``OuterRef("pk")``)."""
    return {
        "invited_count": _count(I),
        "attending_count": _count(I, reply=I.Reply.ATTENDING),
        "leave_count": _count(I, reply=I.Reply.LEAVE),
        "attended_count": _count(I, attendance=I.Attendance.ATTENDED),
        "opinion_count": _count(Opinion),
    }


def refresh_activity_counts(activity_ids: Iterable[int] | int) -> None:
    """Recompute the counts of these activities (liaison.counts.refresh_counts)."""
    refresh_counts(Activity, activity_ids, count_expressions())


def lock_activity_counts(activity_id: int) -> None:
    """Take the activity row's lock before an invitation's (services that lock an
    invitation and then refresh the counts): the same order as ``attendance_close``,
    which locks the activity and then its invitations, so neither waits on the other."""
    lock_rows(Activity, [activity_id])
