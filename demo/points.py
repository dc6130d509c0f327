"""The demo's points ledger. Demo records are written by the thousand, so their points
are counted here in memory instead of one ``members.points.points_award`` call (and its
queries) each — but by the same rules: active rules only, at most each kind's yearly cap
(DOMAIN.md, "Member duty record and points"; a cap stops positive points, never
deductions), once per source."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from members.models import PointEntry, PointRule


class Ledger:
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
        if rule.yearly_cap is not None and points > 0:
            points = min(points, rule.yearly_cap - self.earned[key])
            if points <= 0:
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
