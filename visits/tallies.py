"""Visit tallies: each member's done visits per year and half-year (``VisitTally``).

Derived data, kept so coverage is read one row per member instead of counted from
every visit on each request. ``refresh`` recounts the given members from their visits;
the visit services and the admin call it after every change that can move a count
(record, complete, redate, cancel, delete, members added or removed). ``repair`` —
nightly, and at the end of the demo seed — recounts every row that drifted, so a
write that bypassed the services (a bulk load, a manual SQL fix) is corrected within a
day; the rows it corrected are logged.

The functions take the models as arguments where a migration needs them (historical
models), and default to the current ones.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import ExtractYear

from liaison.models import Office
from members.models import Member

from .models import CoverageStamp, VisitMember, VisitTally

logger = logging.getLogger(__name__)

# Members recounted per statement (SQLite limits the parameters of one statement).
CHUNK = 500


def bump_stamps(office_ids: Iterable[int] | None = None) -> None:
    """Mark these offices' coverage (every office's, with None) as changed, so the
    cached coverage figures are computed afresh."""
    if office_ids is None:
        office_ids = Office.objects.values_list("pk", flat=True)
    ids = sorted(set(office_ids))
    CoverageStamp.objects.bulk_create(
        [CoverageStamp(office_id=pk) for pk in ids], ignore_conflicts=True
    )
    CoverageStamp.objects.filter(office_id__in=ids).update(version=F("version") + 1)


def counted(visit_member_model, member_ids: Iterable[int] | None = None):
    """(member_id, year, first_half, second_half, last_visited_on) from the visits
    themselves, one row per member and year with a done visit."""
    links = visit_member_model.objects.filter(visit__status="done", visit__visited_on__isnull=False)
    if member_ids is not None:
        links = links.filter(member_id__in=list(member_ids))
    return (
        links.values("member_id", year=ExtractYear("visit__visited_on"))
        .annotate(
            first_half=Count("pk", filter=Q(visit__visited_on__month__lte=6)),
            second_half=Count("pk", filter=Q(visit__visited_on__month__gt=6)),
            last_visited_on=Max("visit__visited_on"),
        )
        .order_by()
        .values_list("member_id", "year", "first_half", "second_half", "last_visited_on")
    )


def _rows(tally_model, values) -> list:
    return [
        tally_model(
            member_id=member_id,
            year=year,
            first_half=first,
            second_half=second,
            last_visited_on=last,
        )
        for member_id, year, first, second, last in values
    ]


def refresh(member_ids: Iterable[int]) -> None:
    """Recount these members' tallies from their visits. Their member rows are locked
    first (in id order), so two transactions recounting the same member run one after
    the other and the second sees the first's visits."""
    ids = sorted(set(member_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            offices = Member.objects.select_for_update().filter(pk__in=chunk)
            office_ids = set(offices.values_list("office_id", flat=True))
            VisitTally.objects.filter(member_id__in=chunk).delete()
            VisitTally.objects.bulk_create(_rows(VisitTally, counted(VisitMember, chunk)))
            bump_stamps(office_ids)


def rebuild(visit_member_model=None, tally_model=None) -> int:
    """Recount every tally at once (a migration, or a database nothing else writes to).
    Returns the number of rows."""
    current = visit_member_model is None  # not a migration's historical models
    if current:
        visit_member_model, tally_model = VisitMember, VisitTally
    with transaction.atomic():
        tally_model.objects.all().delete()
        rows = tally_model.objects.bulk_create(
            _rows(tally_model, counted(visit_member_model)), batch_size=1000
        )
        if current:
            bump_stamps()
    return len(rows)


def stale_member_ids() -> set[int]:
    """Members whose stored tallies differ from a recount of their visits."""
    stored = set(
        VisitTally.objects.values_list(
            "member_id", "year", "first_half", "second_half", "last_visited_on"
        )
    )
    actual = set(counted(VisitMember))
    return {row[0] for row in stored ^ actual}


def repair() -> int:
    """Recount the members whose tallies drifted; returns how many there were."""
    stale = stale_member_ids()
    if stale:
        logger.warning("visit tallies: recounting %d member(s) that drifted", len(stale))
        refresh(stale)
    return len(stale)
