"""Services for the duty-points ledger (履职积分). Other apps award points only through
these functions: proposals, briefings and visits never write PointEntry themselves."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum

from liaison.transactions import service

from .models import Member, PointEntry, PointRule


def _source_ref(source) -> tuple[ContentType | None, int | None]:
    if source is None:
        return None, None
    return ContentType.objects.get_for_model(source), source.pk


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
        points = min(points, rule.yearly_cap - earned)
        if points <= 0:
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
