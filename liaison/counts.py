"""Counts a row keeps of other rows (``liaison.models.KeptCountsMixin``): recomputed from
what they count with one UPDATE, never added to by hand, so they cannot drift. An app's
refresh function (``briefings.services.counts.refresh_activity_counts``,
``members.services.refresh_study_counts``) names the counts as subqueries over one row
(``OuterRef("pk")``) and calls ``refresh_counts``."""

from collections.abc import Iterable

from django.db import connection

BATCH = 500


def refresh_counts(model, ids: Iterable[int] | int, counts: dict) -> None:
    """Recompute ``counts`` (field → subquery) on these rows of ``model``, one UPDATE per
    500 rows.

    Inside a transaction the rows are locked first (a separate statement): on
    PostgreSQL the UPDATE then reads, with a fresh snapshot, what a concurrent
    transaction that held the lock had committed (two members replying at once both
    count); an UPDATE alone would count with the snapshot it started from."""
    if isinstance(ids, int):
        ids = [ids]
    ids = sorted({pk for pk in ids if pk is not None})
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        lock_rows(model, chunk)
        model.objects.filter(pk__in=chunk).update(**counts)


def lock_rows(model, ids: list[int]) -> None:
    """Lock these rows of ``model`` (in a transaction, on a database that locks), in
    the order of their keys; a key-share lock, which inserts referring to them do not
    wait for."""
    if connection.features.has_select_for_update and connection.in_atomic_block:
        list(
            model.objects.select_for_update(no_key=connection.features.has_select_for_no_key_update)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
