"""The duty record roll-up (履职档案 / 履职积分, DOMAIN.md): the points ledger summed per
member and year under the rules table, on top of the office's base (基础分); the yearly
minimums (≥1 proposal, ≥1 public-opinion report, ≥3 activities) and the grade (优秀 /
称职 / 不称职), with the base, minimums and thresholds from ``PlanConfig`` so staff can
change them.

A grade is given once, after staff close the year (``members.models.DutyYear``); before
that every standing carries points and progress against the minimums and an empty grade,
so no page or document can show one by mistake.

Points come only from ``members.PointEntry`` (written by each app through
``members.points``); counts for the minimums come from the records themselves
(proposals, opinion reports, activity attendance, speeches, study) and only from
records that count (a merely submitted opinion report does not), so a yearly cap on
points never hides a proposal or an activity. Study (学习) is the study sessions
attended (activities of a kind marked ``is_study``) plus the reflections (学习体会)
handed in on the office's materials; materials read are shown beside it. Every
function here runs a fixed number of queries whatever the number of members or ledger
entries.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from briefings.models import Invitation, Speech
from members.models import DutyYear, Member, PointEntry, PointRule, StudyRead, StudyReflection
from plans.models import PlanConfig
from proposals.models import OpinionReport, ProposalCosigner
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
    """One member's year (or term) in figures. ``grade`` is empty until the year is
    closed (``graded``)."""

    member: Member
    base: int = 0
    total: int = 0  # base + points
    points_by_kind: dict = field(default_factory=dict)  # kind -> (entries, points)
    proposals: int = 0
    opinion_reports: int = 0
    activities: int = 0
    speeches: int = 0
    study_sessions: int = 0
    materials_read: int = 0
    reflections: int = 0
    minimums: list = field(default_factory=list)
    graded: bool = False
    grade: str = ""
    below_threshold: bool = False
    rank: int = 0

    @property
    def points(self) -> int:
        """Points earned by duties, without the base."""
        return self.total - self.base

    @property
    def study(self) -> int:
        """What counts towards the yearly study minimum."""
        return self.study_sessions + self.reflections

    @property
    def minimums_met(self) -> bool:
        return all(m.met for m in self.minimums)

    @property
    def missed(self) -> list[Minimum]:
        return [m for m in self.minimums if not m.met]

    @property
    def missed_labels(self) -> str:
        return "、".join(m.label for m in self.missed)


def grade_for(total: int, minimums_met: bool, config: PlanConfig) -> str:
    if not minimums_met and config.missed_minimum_fails:
        return INCOMPETENT
    if total >= config.grade_excellent:
        # A member who missed a yearly minimum is rated no higher than 称职.
        return EXCELLENT if minimums_met else COMPETENT
    if total >= config.grade_competent:
        return COMPETENT
    return INCOMPETENT


def minimum_terms(config: PlanConfig) -> str:
    """The yearly minimums in a sentence: 提案1件、社情民意1篇、参加活动3次、学习2次."""
    terms = [
        text % {"n": n}
        for n, text in (
            (config.min_proposals, _("提案%(n)s件")),
            (config.min_opinion_reports, _("社情民意%(n)s篇")),
            (config.min_activities, _("参加活动%(n)s次")),
            (config.min_study, _("学习%(n)s次")),
        )
        if n
    ]
    return "、".join(terms) or _("无")


def closed_years(office, years) -> set[int]:
    """Which of ``years`` the office has closed (one query)."""
    return set(
        DutyYear.objects.filter(
            office=office, year__in=list(years), status=DutyYear.Status.CLOSED
        ).values_list("year", flat=True)
    )


def is_graded(office, years) -> bool:
    """Grades are shown for a period only once every year in it is closed."""
    return set(years) <= closed_years(office, years)


def graded_on(office, years) -> datetime.date | None:
    """The day the grades of ``years`` were given (the last of them closed), or None
    while any is open: a graded ranking or duty record carries that date."""
    closed = list(
        DutyYear.objects.filter(
            office=office, year__in=list(years), status=DutyYear.Status.CLOSED
        ).values_list("closed_at", flat=True)
    )
    if len(closed) < len(set(years)) or None in closed:
        return None
    return timezone.localdate(max(closed))


def grading_stamp(office, years) -> str:
    """What a document of ``years`` depends on beyond its parameters: when each year was
    closed (a ranking asked for before and after closing is a different document)."""
    return ";".join(
        f"{year}:{closed_at.isoformat()}"
        for year, closed_at in DutyYear.objects.filter(
            office=office, year__in=list(years), status=DutyYear.Status.CLOSED
        )
        .order_by("year")
        .values_list("year", "closed_at")
    )


def minimum_opinion_reports():
    """Opinion reports that count towards a member's minimum: taken up by the office
    (edited or further). A report merely submitted, or not used, does not count yet."""
    return counted_opinion_reports().exclude(status=OpinionReport.Status.SUBMITTED)


def _tallies(ids, years) -> dict[tuple[str, int, str], tuple[int, int]]:
    """Everything ``standings`` counts for members ``ids`` over ``years``, in one query
    (each count a part of a UNION ALL): {(what, member id, point kind): (rows, points)}.
    ``what``: "points" (per kind: entries and their points), "led" and "cosigned"
    proposals, opinion "reports", "activities" attended (points: the study sessions
    among them), "speeches", materials "read", "reflections". Activities count by the
    activity's year (DOMAIN.md "Activities")."""

    def part(what, queryset, member="member_id", kind=None, points=None):
        return (
            queryset.order_by()
            .values(member)
            .annotate(
                what=Value(what),
                kind_=Value("") if kind is None else kind,
                n=Count("id"),
                points_=Value(0) if points is None else points,
            )
            .values_list("what", member, "kind_", "n", "points_")
        )

    parts = [
        part(
            "points",
            PointEntry.objects.filter(member_id__in=ids, year__in=years, revoked_at__isnull=True),
            kind=F("kind"),
            points=Sum("points"),
        ),
        part(
            "led",
            counted_proposals().filter(lead_member_id__in=ids, year__in=years),
            member="lead_member_id",
        ),
        part(
            "cosigned",
            ProposalCosigner.objects.filter(
                member_id__in=ids,
                status=ProposalCosigner.Status.CONFIRMED,
                proposal__in=counted_proposals().filter(year__in=years),
            ),
        ),
        part("reports", minimum_opinion_reports().filter(member_id__in=ids, year__in=years)),
        part(
            "activities",
            Invitation.objects.filter(
                member_id__in=ids,
                attendance=Invitation.Attendance.ATTENDED,
                activity__starts_at__year__in=years,
            ),
            points=Count("id", filter=Q(activity__kind__is_study=True)),
        ),
        part("speeches", Speech.objects.filter(member_id__in=ids, delivered_on__year__in=years)),
        part("read", StudyRead.objects.filter(member_id__in=ids, read_at__year__in=years)),
        part(
            "reflections",
            StudyReflection.objects.filter(member_id__in=ids, submitted_at__year__in=years),
        ),
    ]
    rows = parts[0].union(*parts[1:], all=True)
    return {(what, member, kind): (n, points) for what, member, kind, n, points in rows}


def standings(*, office, years: list[int], members=None, with_grade=True) -> list[Standing]:
    """Standings of ``members`` (default: the office's serving members, in official
    stroke order; a queryset, or a list of members already read with their sector)
    over ``years``, ranked by points; graded only when every year is closed. Four
    queries in all, one fewer ``with_grade=False`` (progress only, as on the member's
    home page) and one fewer for a list: the figures are one (``_tallies``)."""
    config = PlanConfig.for_office(office)
    graded = with_grade and is_graded(office, years)
    if members is None:
        members = Member.objects.filter(office=office, status=Member.Status.SERVING)
    if not isinstance(members, list):  # a list: the members already read, in order
        members = list(members.select_related("sector").order_by("stroke_key", "member_no"))
    ids = [m.pk for m in members]
    by_member = {m.pk: Standing(member=m) for m in members}

    tallies = _tallies(ids, years)
    counted = defaultdict(dict)  # what -> {member id: n}
    for (what, member_id, kind), (n, points) in tallies.items():
        if what == "points":
            standing = by_member[member_id]
            standing.points_by_kind[kind] = (n, points)
            standing.total += points
        elif what == "activities":
            counted[what][member_id] = (n, points)
        else:
            counted[what][member_id] = n
    led, cosigned, reports = counted["led"], counted["cosigned"], counted["reports"]
    activities, speeches = counted["activities"], counted["speeches"]
    reads, reflections = counted["read"], counted["reflections"]

    span = len(years)
    base = config.base_points * span
    for standing in by_member.values():
        pk = standing.member.pk
        standing.base = base
        standing.total += base
        standing.proposals = led.get(pk, 0) + cosigned.get(pk, 0)
        standing.opinion_reports = reports.get(pk, 0)
        standing.activities, standing.study_sessions = activities.get(pk, (0, 0))
        standing.speeches = speeches.get(pk, 0)
        standing.materials_read = reads.get(pk, 0)
        standing.reflections = reflections.get(pk, 0)
        standing.minimums = [
            Minimum(_("提案（件）"), standing.proposals, config.min_proposals * span),
            Minimum(
                _("社情民意信息（篇）"), standing.opinion_reports, config.min_opinion_reports * span
            ),
            Minimum(_("参加活动（次）"), standing.activities, config.min_activities * span),
            Minimum(_("学习（次）"), standing.study, config.min_study * span),
        ]
        # A minimum the office set to 0 is no minimum: not listed, never missed.
        standing.minimums = [m for m in standing.minimums if m.required]
        # The grade thresholds are yearly; over a term the yearly average is graded.
        average = round(standing.total / span)
        standing.below_threshold = average < config.grade_competent
        standing.graded = graded
        if graded:
            standing.grade = grade_for(average, standing.minimums_met, config)

    ranked = sorted(by_member.values(), key=lambda s: (-s.total, s.member.stroke_key))
    previous_total, rank = None, 0
    for position, standing in enumerate(ranked, start=1):
        if standing.total != previous_total:
            rank, previous_total = position, standing.total
        standing.rank = rank
    return ranked


def standing_for(member: Member, years: list[int], with_grade=True) -> Standing:
    """One member's standing; the rank is not computed (0)."""
    result = standings(office=member.office, years=years, members=[member], with_grade=with_grade)
    standing = result[0]
    standing.rank = 0
    return standing


def grade_distribution(rows: list[Standing]) -> list[tuple[str, int]]:
    """How many members got each grade (a closed year)."""
    counts = defaultdict(int)
    for row in rows:
        counts[row.grade] += 1
    return [(grade, counts[grade]) for grade in GRADES]


def progress_distribution(rows: list[Standing]) -> list[tuple[str, int]]:
    """Before the year is closed: how many members have met every minimum so far."""
    met = sum(1 for row in rows if row.minimums_met)
    return [(_("已达到全部最低要求"), met), (_("尚未达到"), len(rows) - met)]


def rule_rows(standing: Standing, years: list[int] | None = None) -> list[dict]:
    """The rules table (as it stood at the end of the last of ``years``) with this
    member's entries and points; kinds with entries first."""
    rules = {}
    end = datetime.date(max(years), 12, 31) if years else None
    for rule in PointRule.objects.order_by("valid_from"):
        if end is None or rule.valid_from <= end:
            rules[rule.kind] = rule
    rows = []
    for kind, label in PointRule.Kind.choices:
        entries, points = standing.points_by_kind.get(kind, (0, 0))
        rows.append({"label": label, "rule": rules.get(kind), "entries": entries, "points": points})
    rows.sort(key=lambda row: row["entries"] == 0)  # stable: the table's order otherwise
    return rows


def ledger(member: Member, years: list[int]):
    return (
        PointEntry.objects.filter(member=member, year__in=years)
        .select_related("source_type")
        .order_by("occurred_on", "id")
        .only(
            "kind",
            "points",
            "occurred_on",
            "description",
            "year",
            "source_type",
            "source_id",
            "revoked_at",
            "revoke_reason",
        )
    )


def speeches_and_study(member: Member, years: list[int]) -> dict:
    """The member's speeches, the materials they read and the reflections they handed
    in over ``years`` (three queries), for the duty record page and document."""
    reflections = list(
        StudyReflection.objects.filter(member=member, submitted_at__year__in=years)
        .select_related("material")
        .order_by("submitted_at", "id")
    )
    return {
        "speeches": list(
            Speech.objects.filter(member=member, delivered_on__year__in=years)
            .select_related("activity")
            .order_by("delivered_on", "id")
        ),
        "reads": list(
            StudyRead.objects.filter(member=member, read_at__year__in=years)
            .select_related("material")
            .order_by("read_at", "id")
        ),
        "reflections": reflections,
        "reflected": {r.material_id for r in reflections},
    }


def term_years(term) -> list[int]:
    return list(range(term.start_year, term.end_year + 1))
