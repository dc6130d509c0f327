"""Services for the duty-points ledger (履职积分). Other apps award points only through
these functions: proposals, briefings and visits never write PointEntry themselves."""

import datetime
import logging
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.scoping import visible_offices
from liaison.transactions import service
from liaison.workflow import WorkflowError

from .models import DutyYear, Member, PointEntry, PointRule

logger = logging.getLogger(__name__)


def _source_ref(source) -> tuple[ContentType | None, int | None]:
    if source is None:
        return None, None
    return ContentType.objects.get_for_model(source), source.pk


def _live():
    """Entries that count: revoked ones stay in the ledger but count nowhere."""
    return PointEntry.objects.filter(revoked_at__isnull=True)


def rule_for(kind: str, day: datetime.date) -> PointRule | None:
    """The active rule for ``kind`` in force on ``day`` (None: the kind earns nothing)."""
    return (
        PointRule.objects.filter(kind=kind, is_active=True, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


def _closed(office_id, year: int) -> bool:
    return DutyYear.objects.filter(
        office_id=office_id, year=year, status=DutyYear.Status.CLOSED
    ).exists()


def _skip_closed(member: Member, kind: str, year: int, source, verb: str) -> bool:
    """A closed assessment year is final (DOMAIN.md: grades are given once, after the
    year is closed): an automatic award or revocation dated in it is skipped, and the
    log says which one, so a late record never moves a circulated total. Staff reopen
    the year first when a change is really due."""
    if not _closed(member.office_id, year):
        return False
    logger.warning(
        "%s年度履职考核已结束，未%s积分：委员 %s（%s），%s，来源 %s",
        year,
        verb,
        member.pk,
        member,
        kind,
        f"{source._meta.label}#{source.pk}" if source is not None else "—",
    )
    return True


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

    Returns None when nothing is written: the rule is inactive, the cap is reached,
    this source already earned these points (awarding twice is harmless), or the
    office closed the year ``occurred_on`` falls in (logged).
    """
    rule = rule_for(kind, occurred_on)
    if rule is None:
        return None
    if _skip_closed(member, kind, occurred_on.year, source, "计入"):
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
            _live()
            .filter(member=member, kind=kind, year=year)
            .aggregate(total=Sum("points"))["total"]
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
    """Remove the points a source earned (e.g. attendance corrected). Returns rows
    removed; an entry of a year the office closed stays (logged)."""
    source_type, source_id = _source_ref(source)
    entries = PointEntry.objects.filter(
        member=member, kind=kind, source_type=source_type, source_id=source_id
    )
    for year in set(entries.values_list("year", flat=True)):
        if _skip_closed(member, kind, year, source, "撤销"):
            entries = entries.exclude(year=year)
    deleted, _ = entries.delete()
    return deleted


@service
def points_revoke_sources(*, kind: str, model, source_ids) -> int:
    """Remove the ``kind`` points every record of ``model`` in ``source_ids`` earned,
    whoever earned them (the records are being deleted). Returns rows removed. Entries
    of a year their member's office closed stay (logged): the year's totals are final."""
    entries = PointEntry.objects.filter(
        kind=kind,
        source_type=ContentType.objects.get_for_model(model),
        source_id__in=list(source_ids),
    )
    closed = DutyYear.objects.filter(status=DutyYear.Status.CLOSED)
    kept = entries.filter(
        year__in=closed.values("year"),
        member__office__in=closed.values("office"),
    ).select_related("member")
    keep = [
        entry.pk for entry in kept if _skip_closed(entry.member, kind, entry.year, None, "撤销")
    ]
    deleted, _ = entries.exclude(pk__in=keep).delete()
    return deleted


def points_earned_from(*, kind: str, source):
    """The ``kind`` entries ``source`` earned, each with its member."""
    source_type, source_id = _source_ref(source)
    return PointEntry.objects.filter(
        kind=kind, source_type=source_type, source_id=source_id
    ).select_related("member")


def points_total(*, member: Member, year: int) -> int:
    return _live().filter(member=member, year=year).aggregate(total=Sum("points"))["total"] or 0


class PointsLedger:
    """Points for records written by the thousand (the demo, a bulk import): counted in
    memory and written in one go instead of one ``points_award`` (and its queries) per
    record, by the same rules — active rules only, at most each kind's yearly cap (a cap
    stops positive points, never deductions), once per source. Not for concurrent
    use: nothing else may award these members points while a ledger is open."""

    def __init__(self, offices):
        self.rules: dict[str, list[PointRule]] = defaultdict(list)
        for rule in PointRule.objects.filter(is_active=True).order_by("-valid_from"):
            self.rules[rule.kind].append(rule)
        # What the offices' members already earned (an earlier area may have awarded the
        # same kind): (member id, kind, year) → points.
        self.earned: dict[tuple[int, str, int], int] = defaultdict(int)
        for row in (
            _live()
            .filter(member__office__in=offices)
            .values("member", "kind", "year")
            .annotate(total=Sum("points"))
        ):
            self.earned[(row["member"], row["kind"], row["year"])] = row["total"]
        self.entries: list[PointEntry] = []
        self._sources: set[tuple[int, str, int, int]] = set()
        # Closed years are final: nothing is written into them (see ``_skip_closed``).
        self.closed: set[tuple[int, int]] = set(
            DutyYear.objects.filter(office__in=offices, status=DutyYear.Status.CLOSED).values_list(
                "office_id", "year"
            )
        )
        self._offices: dict[int, int] = {}

    def award(
        self, *, member_id: int, kind: str, occurred_on: datetime.date, source, description=""
    ) -> PointEntry | None:
        """The entry the rules give ``kind`` for ``source`` (a saved record), or None."""
        rule = next((r for r in self.rules[kind] if r.applies_on(occurred_on)), None)
        if rule is None or member_id is None:
            return None
        if self.closed:
            if member_id not in self._offices:
                self._offices[member_id] = Member.objects.values_list("office_id", flat=True).get(
                    pk=member_id
                )
            if (self._offices[member_id], occurred_on.year) in self.closed:
                logger.warning(
                    "%s年度履职考核已结束，未计入积分：委员 %s，%s",
                    occurred_on.year,
                    member_id,
                    kind,
                )
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


# --- Staff's own hand on the ledger ---------------------------------------------------


def _earned(member, kind, year, *, since=None) -> int:
    entries = _live().filter(member=member, kind=kind, year=year)
    if since is not None:
        entries = entries.filter(occurred_on__gte=since)
    return entries.aggregate(total=Sum("points"))["total"] or 0


def _closed_year_refusal(member: Member, year: int) -> str | None:
    from .workflows import closed_year_refusal

    return closed_year_refusal(member.office_id, year)


def manual_entry_refusal(
    *, member: Member, kind: str, points: int, occurred_on: datetime.date, actor
) -> str | None:
    """Why staff may not add this entry by hand, or None."""
    if points == 0:
        return _("分值不能为 0。")
    if actor is not None and not visible_offices(actor).filter(pk=member.office_id).exists():
        return _("只能为本联络处的委员记录积分。")
    if refusal := _closed_year_refusal(member, occurred_on.year):
        return refusal
    rule = rule_for(kind, occurred_on)
    if rule is not None and rule.yearly_cap is not None and points > 0:
        earned = _earned(member, kind, occurred_on.year)
        left = rule.yearly_cap - earned
        if points > left:
            return _(
                "“%(kind)s”每年最多 %(cap)s 分，该委员%(year)s年已得 %(earned)s 分，"
                "本次最多还能记 %(left)s 分。"
            ) % {
                "kind": PointRule.Kind(kind).label,
                "cap": rule.yearly_cap,
                "year": occurred_on.year,
                "earned": earned,
                "left": max(left, 0),
            }
    return None


@service
def points_add_manual(
    *,
    member: Member,
    kind: str,
    points: int,
    occurred_on: datetime.date,
    reason: str,
    actor,
    evidence=None,
) -> PointEntry:
    """An entry staff add by hand (a duty no record of the system shows), with its reason
    and, where there is one, the evidence. Within the kind's yearly cap like any other."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError(_("请填写加分或扣分的事由。"))
    Member.objects.select_for_update().filter(pk=member.pk).first()
    refusal = manual_entry_refusal(
        member=member, kind=kind, points=points, occurred_on=occurred_on, actor=actor
    )
    if refusal:
        raise WorkflowError(refusal)
    entry = PointEntry(
        member=member,
        kind=kind,
        year=occurred_on.year,
        points=points,
        occurred_on=occurred_on,
        description=reason[:200],
        created_by=actor,
    )
    if evidence:
        entry.evidence = evidence
    entry.full_clean(exclude=["source_type"])
    entry.save()
    return entry


@service
def points_revoke_entry(*, entry: PointEntry, reason: str, actor) -> PointEntry:
    """Strike an entry out with the reason: it stays in the ledger, marked, and counts
    nowhere (the record that earned it may still be there; awarding it again is refused
    by the ledger's one-entry-per-source rule)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError(_("请填写撤销原因。"))
    entry = PointEntry.objects.select_for_update().select_related("member__office").get(pk=entry.pk)
    if entry.is_revoked:
        raise WorkflowError(
            _("该积分记录已于%(at)s撤销。") % {"at": f"{entry.revoked_at:%Y-%m-%d}"}
        )
    if refusal := _closed_year_refusal(entry.member, entry.year):
        raise WorkflowError(refusal)
    entry.revoked_at = timezone.now()
    entry.revoked_by = actor
    entry.revoke_reason = reason[:200]
    entry.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return entry


# --- The rules table ------------------------------------------------------------------


def rule_change_refusal(
    rule: PointRule, *, valid_from: datetime.date, yearly_cap: int | None
) -> str | None:
    """Why a change of ``rule`` from ``valid_from`` may not be made, or None."""
    if valid_from <= rule.valid_from:
        return _("新规则的生效日期须晚于现行规则的生效日期（%(day)s）。") % {
            "day": f"{rule.valid_from:%Y-%m-%d}"
        }
    if rule.valid_to is not None:
        return _("该规则已被后来的规则取代，请修改现行规则。")
    if yearly_cap is not None:
        over = (
            _live()
            .filter(kind=rule.kind, year=valid_from.year, occurred_on__gte=valid_from)
            .values("member")
            .annotate(total=Sum("points"))
            .filter(total__gt=yearly_cap)
            .count()
        )
        if over:
            return _(
                "生效日期之后已有 %(n)s 名委员的“%(kind)s”积分超过新的年度上限 %(cap)s 分，"
                "请调整生效日期或上限。"
            ) % {"n": over, "kind": rule.get_kind_display(), "cap": yearly_cap}
    return None


@service
def point_rule_change(
    *,
    rule: PointRule,
    points: int,
    yearly_cap: int | None,
    unit: str,
    valid_from: datetime.date,
    is_active: bool = True,
    actor=None,
) -> PointRule:
    """Change a rule from ``valid_from`` on: the current rule ends the day before and a
    new one starts. Entries already written keep their points; earlier years stay as they
    were counted."""
    rule = PointRule.objects.select_for_update().get(pk=rule.pk)
    if refusal := rule_change_refusal(rule, valid_from=valid_from, yearly_cap=yearly_cap):
        raise WorkflowError(refusal)
    rule.valid_to = valid_from - datetime.timedelta(days=1)
    rule.save(update_fields=["valid_to"])
    new = PointRule(
        kind=rule.kind,
        points=points,
        yearly_cap=yearly_cap,
        unit=unit,
        valid_from=valid_from,
        is_active=is_active,
    )
    new.full_clean()
    new.save()
    return new
