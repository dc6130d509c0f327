"""Services for the duty-points ledger (履职积分). Other apps award points only through
these functions: proposals, briefings and visits never write PointEntry themselves."""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum

from liaison.transactions import service

from .models import Member, PointEntry, PointRule


def _source_ref(source) -> tuple[ContentType | None, int | None]:
    if source is None:
        return None, None
    return ContentType.objects.get_for_model(source), source.pk


def _within_cap(rule: PointRule, earned: int) -> int | None:
    """The points ``rule`` gives a member who already earned ``earned`` of its kind this
    year: cut to what the yearly cap leaves, None once nothing is left."""
    points = rule.points
    if rule.yearly_cap is not None and points > 0:
        points = min(points, rule.yearly_cap - earned)
        if points <= 0:
            return None
    return points


@service
def points_award(
    *,
    member: Member,
    kind: str,
    occurred_on: datetime.date,
    source=None,
    actor=None,
    description: str = "",
) -> PointEntry | None:
    """Award the points the rules table gives ``kind``, within its yearly cap.

    Returns None when nothing is written: the rule is inactive, the cap is reached, or
    this source already earned these points (awarding twice is harmless).
    """
    rule = PointRule.objects.filter(kind=kind, is_active=True).first()
    if rule is None:
        return None
    source_type, source_id = _source_ref(source)
    if (
        source is not None
        and PointEntry.objects.filter(
            member=member, kind=kind, source_type=source_type, source_id=source_id
        ).exists()
    ):
        return None
    points = rule.points
    year = occurred_on.year
    if rule.yearly_cap is not None and points > 0:
        # Lock the member's row so two awards at once cannot both slip under the cap.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        earned = (
            PointEntry.objects.filter(member=member, kind=kind, year=year).aggregate(
                total=Sum("points")
            )["total"]
            or 0
        )
        points = _within_cap(rule, earned)
        if points is None:
            return None
    try:
        with transaction.atomic():
            return PointEntry.objects.create(
                member=member,
                kind=kind,
                year=year,
                points=points,
                occurred_on=occurred_on,
                source_type=source_type,
                source_id=source_id,
                description=description[:200],
                created_by=actor,
            )
    except IntegrityError:
        return None  # a concurrent award for the same source won


@service
def points_revoke(*, member: Member, kind: str, source) -> int:
    """Remove the points a source earned (e.g. attendance corrected). Returns rows removed."""
    source_type, source_id = _source_ref(source)
    deleted, _ = PointEntry.objects.filter(
        member=member, kind=kind, source_type=source_type, source_id=source_id
    ).delete()
    return deleted


@service
def points_revoke_sources(*, kind: str, model, source_ids) -> int:
    """Remove the ``kind`` points every record of ``model`` in ``source_ids`` earned,
    whoever earned them (the records are being deleted). Returns rows removed."""
    deleted, _ = PointEntry.objects.filter(
        kind=kind,
        source_type=ContentType.objects.get_for_model(model),
        source_id__in=list(source_ids),
    ).delete()
    return deleted


def points_earned_from(*, kind: str, source):
    """The ``kind`` entries ``source`` earned, each with its member."""
    source_type, source_id = _source_ref(source)
    return PointEntry.objects.filter(
        kind=kind, source_type=source_type, source_id=source_id
    ).select_related("member")


def points_total(*, member: Member, year: int) -> int:
    return (
        PointEntry.objects.filter(member=member, year=year).aggregate(total=Sum("points"))["total"]
        or 0
    )


class PointsLedger:
    """Points for records written by the thousand (the demo, a bulk import): counted in
    memory and written in one go instead of one ``points_award`` (and its queries) per
    record, by the same rules — active rules only, at most each kind's yearly cap (a cap
    stops positive points, never deductions), once per source. Not for concurrent
    use: nothing else may award these members points while a ledger is open."""

    def __init__(self, offices):
        self.rules = {rule.kind: rule for rule in PointRule.objects.filter(is_active=True)}
        # What the offices' members already earned (an earlier area may have awarded the
        # same kind): (member id, kind, year) → points.
        self.earned: dict[tuple[int, str, int], int] = defaultdict(int)
        for row in (
            PointEntry.objects.filter(member__office__in=offices)
            .values("member", "kind", "year")
            .annotate(total=Sum("points"))
        ):
            self.earned[(row["member"], row["kind"], row["year"])] = row["total"]
        self.entries: list[PointEntry] = []
        self._sources: set[tuple[int, str, int, int]] = set()

    def award(
        self, *, member_id: int, kind: str, occurred_on: datetime.date, source, description=""
    ) -> PointEntry | None:
        """The entry the rules give ``kind`` for ``source`` (a saved record), or None."""
        rule = self.rules.get(kind)
        if rule is None or member_id is None:
            return None
        source_type = ContentType.objects.get_for_model(source)
        once = (member_id, kind, source_type.pk, source.pk)
        if once in self._sources:
            return None
        points, key = rule.points, (member_id, kind, occurred_on.year)
        points = _within_cap(rule, self.earned[key])
        if points is None:
            return None
        self._sources.add(once)
        self.earned[key] += points
        entry = PointEntry(
            member_id=member_id,
            kind=kind,
            year=occurred_on.year,
            points=points,
            occurred_on=occurred_on,
            source_type=source_type,
            source_id=source.pk,
            description=description[:200],
        )
        self.entries.append(entry)
        return entry

    def write(self) -> int:
        PointEntry.objects.bulk_create(self.entries, batch_size=2000)
        return len(self.entries)
