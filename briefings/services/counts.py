"""The counts an activity keeps on its row (``Activity.invited_count`` …): recomputed
from its invitations and opinions, never added to by hand, so they cannot drift.

Every service that adds, removes or changes an invitation or an opinion calls
``refresh_activity_counts`` at its end, inside its transaction; so do the demo seed and
the opinion admin's delete. Members cannot be deleted while invited (``PROTECT``) and an
activity's invitations and opinions go only with the activity itself: no cascade leaves
a count behind, so no signal is needed."""

from collections.abc import Iterable

from django.db import connection, transaction

from liaison.selectors import count_of

from ..models import Activity, Invitation, Opinion

I = Invitation  # noqa: E741
BATCH = 500


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
    """Recompute the counts of these activities with one UPDATE (per 500).

    Inside a transaction the rows are locked first (a separate statement): on
    PostgreSQL the UPDATE then reads, with a fresh snapshot, what a concurrent
    transaction that held the lock had committed (two members replying at once both
    count); an UPDATE alone would count with the snapshot it started from."""
    if isinstance(activity_ids, int):
        activity_ids = [activity_ids]
    ids = sorted({pk for pk in activity_ids if pk is not None})
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if connection.in_atomic_block and connection.features.has_select_for_update:
            list(
                Activity.objects.select_for_update(no_key=_no_key())
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        Activity.objects.filter(pk__in=chunk).update(**count_expressions())


def lock_activity_counts(activity_id: int) -> None:
    """Take the activity row's lock before an invitation's (services that lock an
    invitation and then refresh the counts): the same order as ``attendance_close``,
    which locks the activity and then its invitations, so neither waits on the other."""
    if connection.features.has_select_for_update and transaction.get_connection().in_atomic_block:
        list(
            Activity.objects.select_for_update(no_key=_no_key())
            .filter(pk=activity_id)
            .values_list("pk", flat=True)
        )


def _no_key() -> bool:
    return connection.features.has_select_for_no_key_update
