"""Live figures for the plan's targets: each metric is counted from the records of the
area it measures, at the moment it is asked for (the progress page, the progress PDF);
the visit figures, which read every serving member's visits, are cached until a visit or
a member changes (``_visit_figures``).

``measure(office, year, items)`` reads each metric an item uses once, whatever the number
of items, so the progress page costs the same for a short plan and a long one.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F
from django.utils.translation import gettext as _

from briefings import selectors as briefing_selectors
from consultations.selectors import consultations_run
from liaison.models import today
from members.models import Member
from plans.models import PlanItem
from proposals.models import OpinionReport, ResearchReport
from proposals.selectors import counted_opinion_reports, counted_proposals
from visits import coverage
from visits.models import Concern, VisitTally

M = PlanItem.Metric


@dataclass(frozen=True)
class Reading:
    """A target against the data. ``value`` and ``goal`` are in the same unit: for
    "every member visited at least N times" both count members."""

    value: int
    goal: int
    detail: str = ""

    @property
    def met(self) -> bool:
        return self.value >= self.goal

    @property
    def percent(self) -> int:
        if not self.goal:
            return 100
        return min(100, round(100 * self.value / self.goal))


def _proposals(office, year, target):
    return Reading(counted_proposals().filter(office=office, year=year).count(), target)


def _opinion_reports(office, year, target):
    return Reading(counted_opinion_reports().filter(office=office, year=year).count(), target)


def _opinion_adopted(office, year, target):
    n = (
        OpinionReport.objects.filter(office=office, year=year, adoptions__isnull=False)
        .distinct()
        .count()
    )
    return Reading(n, target)


def _research_reports(office, year, target):
    return Reading(ResearchReport.objects.filter(office=office, year=year).count(), target)


def _serving_members(office) -> int:
    return Member.objects.filter(office=office, status=Member.Status.SERVING).count()


def held_activities(office, year: int):
    """Activities the office organised (alone or jointly) that took place in ``year``
    (the briefings app's own rule)."""
    return briefing_selectors.held_activities([office.pk], year)


def member_visit_counts(office, year: int) -> dict[int, int]:
    """Visits done in ``year`` per serving member of the office (走访慰问 人次): their
    visit tallies (visits.VisitTally, recounted by every write to a visit), one row per
    visited member rather than every visit."""
    return dict(
        VisitTally.objects.filter(
            member__office=office, member__status=Member.Status.SERVING, year=year
        ).values_list("member_id", F("first_half") + F("second_half"))
    )


def resolved_concerns(office, year: int):
    """Concerns settled with a result in ``year`` (not "cannot be solved", not reopened)."""
    return Concern.objects.filter(
        office=office, resolved_on__year=year, unresolvable_reason=""
    ).exclude(status__in=Concern.OPEN_STATUSES)


def _briefings(office, year, target):
    return Reading(held_activities(office, year).filter(kind__is_briefing=True).count(), target)


def _activities(office, year, target):
    return Reading(held_activities(office, year).count(), target)


def _visit_figures(office, year: int) -> tuple[int, dict[int, int]]:
    """The office's serving members, and how many of them were visited how many times
    in ``year`` ({visits: members}). Counting them reads every serving member's visits,
    so they are cached under the office's coverage stamp (visits.coverage), which a
    recorded visit and any change to a member renew: the progress page counts again
    only after one."""
    stamp = coverage.version([office], today())
    key = f"plan-visits:{office.pk}:{year}:{stamp.of(office.pk)}"
    figures = cache.get(key)
    if figures is None:
        by_count = Counter(member_visit_counts(office, year).values())
        figures = (_serving_members(office), dict(by_count))
        cache.set(key, figures, coverage.CACHE_SECONDS)
    return figures


def _visits(office, year, target):
    _serving, by_count = _visit_figures(office, year)
    return Reading(sum(n * members for n, members in by_count.items()), target)


def _visit_coverage(office, year, target):
    serving, by_count = _visit_figures(office, year)
    covered = sum(members for n, members in by_count.items() if n >= target)
    return Reading(
        covered,
        serving,
        _("%(covered)s / %(serving)s 位在任委员已走访 %(target)s 次以上")
        % {"covered": covered, "serving": serving, "target": target},
    )


def _concerns_resolved(office, year, target):
    return Reading(resolved_concerns(office, year).count(), target)


def _consultations(office, year, target):
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Reading(consultations_run([office.pk], start, end).count(), target)


METRICS = {
    M.PROPOSALS: _proposals,
    M.OPINION_REPORTS: _opinion_reports,
    M.OPINION_ADOPTED: _opinion_adopted,
    M.RESEARCH_REPORTS: _research_reports,
    M.BRIEFINGS: _briefings,
    M.ACTIVITIES: _activities,
    M.VISITS: _visits,
    M.VISIT_COVERAGE: _visit_coverage,
    M.CONCERNS_RESOLVED: _concerns_resolved,
    M.CONSULTATIONS: _consultations,
}


def measure(office, year: int, items) -> dict[int, Reading]:
    """A reading for every item with a metric, keyed by item id."""
    cache: dict[tuple, Reading] = {}
    readings = {}
    for item in items:
        if not item.metric or item.target is None:
            continue
        key = (item.metric, item.target)
        if key not in cache:
            cache[key] = METRICS[item.metric](office, year, item.target)
        readings[item.pk] = cache[key]
    return readings
