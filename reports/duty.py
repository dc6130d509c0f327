"""The duty record roll-up (履职档案 / 履职积分, DOMAIN.md): the points ledger summed per
member and year under the rules table, the yearly minimums (≥1 proposal, ≥1
public-opinion report, ≥3 activities) and the grade (优秀 / 称职 / 不称职), with the
minimums and thresholds from ``PlanConfig`` so staff can change them.

Points come only from ``members.PointEntry`` (written by each app through
``members.points``); counts for the minimums come from the records themselves
(proposals, opinion reports, activity attendance), so a yearly cap on points never hides
a proposal or an activity. Every function here runs a
fixed number of queries whatever the number of members.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from briefings.models import Invitation
from members.models import Member, PointEntry, PointRule
from plans.models import PlanConfig
from proposals.models import ProposalCosigner
from proposals.selectors import counted_opinion_reports, counted_proposals

EXCELLENT = "优秀"
COMPETENT = "称职"
INCOMPETENT = "不称职"
GRADES = (EXCELLENT, COMPETENT, INCOMPETENT)


@dataclass
class Minimum:
    label: str
    count: int
    required: int

    @property
    def met(self) -> bool:
        return self.count >= self.required


@dataclass
class Standing:
    """One member's year (or term) in figures."""

    member: Member
    total: int = 0
    points_by_kind: dict = field(default_factory=dict)  # kind -> (entries, points)
    proposals: int = 0
    opinion_reports: int = 0
    activities: int = 0
    minimums: list = field(default_factory=list)
    grade: str = ""
    rank: int = 0

    @property
    def minimums_met(self) -> bool:
        return all(m.met for m in self.minimums)

    @property
    def missed(self) -> list[Minimum]:
        return [m for m in self.minimums if not m.met]


def grade_for(total: int, minimums_met: bool, config: PlanConfig) -> str:
    if total >= config.grade_excellent:
        # A member who missed a yearly minimum is rated no higher than 称职.
        return EXCELLENT if minimums_met else COMPETENT
    if total >= config.grade_competent:
        return COMPETENT
    return INCOMPETENT


def _activity_counts(member_ids, years) -> dict[int, int]:
    """Activities attended (signed in, DOMAIN.md "Activities"), by the activity's year."""
    return dict(
        Invitation.objects.filter(
            member_id__in=member_ids,
            attendance=Invitation.Attendance.ATTENDED,
            activity__starts_at__year__in=years,
        )
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def standings(*, office, years: list[int], members=None) -> list[Standing]:
    """Standings of ``members`` (default: the office's serving members, in official
    stroke order) over ``years``, ranked by points. Six queries in all."""
    config = PlanConfig.for_office(office)
    if members is None:
        members = Member.objects.filter(office=office, status=Member.Status.SERVING)
    members = list(members.select_related("sector").order_by("stroke_key", "member_no"))
    ids = [m.pk for m in members]
    by_member = {m.pk: Standing(member=m) for m in members}

    for member_id, kind, entries, points in (
        PointEntry.objects.filter(member_id__in=ids, year__in=years)
        .values_list("member_id", "kind")
        .annotate(entries=Count("id"), points=Sum("points"))
        .order_by()
    ):
        standing = by_member[member_id]
        standing.points_by_kind[kind] = (entries, points)
        standing.total += points

    led = dict(
        counted_proposals()
        .filter(lead_member_id__in=ids, year__in=years)
        .values_list("lead_member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    cosigned = dict(
        ProposalCosigner.objects.filter(
            member_id__in=ids,
            status=ProposalCosigner.Status.CONFIRMED,
            proposal__in=counted_proposals().filter(year__in=years),
        )
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    reports = dict(
        counted_opinion_reports()
        .filter(member_id__in=ids, year__in=years)
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    activities = _activity_counts(ids, years)

    span = len(years)
    for standing in by_member.values():
        pk = standing.member.pk
        standing.proposals = led.get(pk, 0) + cosigned.get(pk, 0)
        standing.opinion_reports = reports.get(pk, 0)
        standing.activities = activities.get(pk, 0)
        standing.minimums = [
            Minimum(_("提案（件）"), standing.proposals, config.min_proposals * span),
            Minimum(
                _("社情民意信息（篇）"), standing.opinion_reports, config.min_opinion_reports * span
            ),
            Minimum(_("参加活动（次）"), standing.activities, config.min_activities * span),
        ]
        # The grade thresholds are yearly; over a term the yearly average is graded.
        standing.grade = grade_for(round(standing.total / span), standing.minimums_met, config)

    ranked = sorted(by_member.values(), key=lambda s: (-s.total, s.member.stroke_key))
    previous_total, rank = None, 0
    for position, standing in enumerate(ranked, start=1):
        if standing.total != previous_total:
            rank, previous_total = position, standing.total
        standing.rank = rank
    return ranked


def standing_for(member: Member, years: list[int]) -> Standing:
    """One member's standing; the rank is not computed (0)."""
    result = standings(
        office=member.office, years=years, members=Member.objects.filter(pk=member.pk)
    )
    standing = result[0]
    standing.rank = 0
    return standing


def grade_distribution(rows: list[Standing]) -> list[tuple[str, int]]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.grade] += 1
    return [(grade, counts[grade]) for grade in GRADES]


def rule_rows(standing: Standing) -> list[dict]:
    """The rules table with this member's entries and points; kinds with entries first."""
    rules = {r.kind: r for r in PointRule.objects.all()}
    rows = []
    for kind, label in PointRule.Kind.choices:
        entries, points = standing.points_by_kind.get(kind, (0, 0))
        rows.append({"label": label, "rule": rules.get(kind), "entries": entries, "points": points})
    rows.sort(key=lambda row: row["entries"] == 0)  # stable: the table's order otherwise
    return rows


def ledger(member: Member, years: list[int]):
    return (
        PointEntry.objects.filter(member=member, year__in=years)
        .order_by("occurred_on", "id")
        .only("kind", "points", "occurred_on", "description", "year")
    )


def term_years(term) -> list[int]:
    return list(range(term.start_year, term.end_year + 1))
