"""Reads of visits, life events and concerns, scoped and joined for the pages that use
them.

The portal reaches this area only through the ``member_*`` functions: a member sees the
visits they received (never the staff-only notes), their own life events and the
concerns they raised; any other id is a 404.

Coverage ("every serving member visited at least twice a year", configurable per
office) is counted in the database: one annotated query for an office's roster, one
grouped query for the district, however many members there are.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from liaison.models import Office
from members.models import Member

from .models import Concern, LifeEvent, Visit, VisitConfig, VisitMember, VisitTeamMember

DONE = Visit.Status.DONE

# --- Periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str


def year_period(day: datetime.date) -> Period:
    return Period(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), f"{day.year}年")


def half_year_period(day: datetime.date) -> Period:
    if day.month <= 6:
        return Period(
            datetime.date(day.year, 1, 1), datetime.date(day.year, 6, 30), f"{day.year}年上半年"
        )
    return Period(
        datetime.date(day.year, 7, 1), datetime.date(day.year, 12, 31), f"{day.year}年下半年"
    )


# --- Portal ---------------------------------------------------------------------------


def member_visits(member: Member) -> QuerySet[Visit]:
    """Visits the member received, newest first. Staff-only notes are not even read."""
    return (
        Visit.objects.filter(
            Exists(VisitMember.objects.filter(visit=OuterRef("pk"), member=member)),
            status=DONE,
        )
        .defer("staff_notes", "cancel_reason")
        .prefetch_related(
            Prefetch(
                "team",
                VisitTeamMember.objects.select_related("user").only(
                    "id",
                    "visit_id",
                    "name",
                    "title",
                    "is_leader",
                    "user__full_name",
                    "user__username",
                ),
            )
        )
        .order_by("-visited_on", "-pk")
    )


def member_visit_detail(member: Member, pk: int) -> Visit:
    return (
        member_visits(member)
        .prefetch_related(
            Prefetch(
                "concerns",
                Concern.objects.filter(member=member).only(
                    "id", "visit_id", "title", "status", "created_at"
                ),
            )
        )
        .get(pk=pk)
    )


def member_life_events(member: Member) -> QuerySet[LifeEvent]:
    return (
        LifeEvent.objects.filter(member=member)
        .select_related("visit")
        .defer("visit__staff_notes")
        .order_by("-occurred_on", "-pk")
    )


def member_concerns(member: Member) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(member=member)
        .select_related("unit", "category")
        .order_by("-created_at", "-pk")
    )


def member_concern_detail(member: Member, pk: int) -> Concern:
    return member_concerns(member).select_related("visit").defer("visit__staff_notes").get(pk=pk)


def member_dashboard_summary(member: Member, today: datetime.date) -> dict:
    """What the dashboard's "我的走访" card shows, in one query."""
    period = year_period(today)
    links = VisitMember.objects.filter(member=OuterRef("pk"), visit__status=DONE)
    row = (
        Member.objects.filter(pk=member.pk)
        .annotate(
            visits_this_year=Coalesce(
                Subquery(
                    links.filter(visit__visited_on__range=(period.start, period.end))
                    .values("member")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            last_visited_on=Subquery(
                links.order_by("-visit__visited_on").values("visit__visited_on")[:1]
            ),
            open_concerns=Coalesce(
                Subquery(
                    Concern.objects.filter(member=OuterRef("pk"))
                    .exclude(status=Concern.Status.CLOSED)
                    .values("member")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            to_confirm=Coalesce(
                Subquery(
                    Concern.objects.filter(member=OuterRef("pk"), status=Concern.Status.FED_BACK)
                    .values("member")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .values("visits_this_year", "last_visited_on", "open_concerns", "to_confirm")
        .get()
    )
    return row


# --- Staff: coverage ------------------------------------------------------------------


def _target():
    """Each office's yearly visit target; offices that never saved a config use the
    model default."""
    default = VisitConfig._meta.get_field("visits_per_year").default
    return Coalesce(
        Subquery(
            VisitConfig.objects.filter(office=OuterRef("office_id")).values("visits_per_year")[:1]
        ),
        Value(default),
    )


def _done_in(period: Period) -> Q:
    return Q(
        visit_links__visit__status=DONE,
        visit_links__visit__visited_on__range=(period.start, period.end),
    )


def coverage_members(offices, today: datetime.date) -> QuerySet[Member]:
    """Serving members of ``offices`` with their visit counts this year and half-year,
    the date of their last visit, and their office's yearly target — for the coverage
    page, sorted with the least visited first.

    The counts are one LEFT JOIN grouped by member, not a subquery per member: the join
    keeps its plan when the planner's statistics are stale (right after an import or the
    demo seed), where correlated subqueries took minutes on PostgreSQL."""
    year, half = year_period(today), half_year_period(today)
    return (
        Member.objects.filter(office__in=offices, status=Member.Status.SERVING)
        .select_related("office", "sector")
        .only("id", "name", "member_no", "mobile", "office__name", "sector__name", "stroke_key")
        .annotate(
            visits_year=Count("visit_links", filter=_done_in(year)),
            visits_half=Count("visit_links", filter=_done_in(half)),
            last_visited_on=Max(
                "visit_links__visit__visited_on",
                filter=Q(visit_links__visit__status=DONE),
            ),
            target=_target(),
        )
        .order_by("visits_half", "visits_year", "office_id", "stroke_key", "pk")
    )


@dataclass
class CoverageRow:
    office: Office
    target: int
    serving: int = 0
    visited_half: int = 0
    not_visited_half: int = 0
    not_visited_year: int = 0
    below_target: int = 0

    @property
    def rate(self) -> int:
        """Share of serving members visited this half-year, in per cent."""
        return round(100 * self.visited_half / self.serving) if self.serving else 0


def _visited(offices, period: Period) -> QuerySet[Member]:
    """Serving members of ``offices`` with a visit done in ``period`` (a semi-join)."""
    return Member.objects.filter(
        office__in=offices,
        status=Member.Status.SERVING,
        pk__in=VisitMember.objects.filter(
            visit__status=DONE, visit__visited_on__range=(period.start, period.end)
        ).values("member_id"),
    )


def _per_office(qs) -> dict[int, int]:
    return dict(qs.order_by().values_list("office_id").annotate(n=Count("pk")))


def coverage_by_office(offices, today: datetime.date) -> list[CoverageRow]:
    """Per office: serving members, how many were visited this half-year, how many
    still need a visit this half-year or this year, and how many are below the yearly
    target. Grouped counts in the database: a few queries whatever the roster's size
    (one more per distinct yearly target, which is one in practice)."""
    offices = list(offices)
    year, half = year_period(today), half_year_period(today)
    default = VisitConfig._meta.get_field("visits_per_year").default
    targets = {office.pk: default for office in offices}
    targets.update(
        VisitConfig.objects.filter(office__in=offices).values_list("office_id", "visits_per_year")
    )
    serving = _per_office(Member.objects.filter(office__in=offices, status=Member.Status.SERVING))
    visited_half = _per_office(_visited(offices, half))
    visited_year = _per_office(_visited(offices, year))
    reached: dict[int, int] = {}
    for target in set(targets.values()):
        ids = [pk for pk, t in targets.items() if t == target]
        reached.update(
            _per_office(
                Member.objects.filter(
                    office__in=ids,
                    status=Member.Status.SERVING,
                    pk__in=VisitMember.objects.filter(
                        visit__status=DONE,
                        visit__visited_on__range=(year.start, year.end),
                    )
                    .values("member_id")
                    .annotate(n=Count("pk"))
                    .filter(n__gte=target)
                    .values("member_id"),
                )
            )
            if target > 0
            else {pk: serving.get(pk, 0) for pk in ids}
        )
    rows = []
    for office in offices:
        total = serving.get(office.pk, 0)
        rows.append(
            CoverageRow(
                office=office,
                target=targets[office.pk],
                serving=total,
                visited_half=visited_half.get(office.pk, 0),
                not_visited_half=total - visited_half.get(office.pk, 0),
                not_visited_year=total - visited_year.get(office.pk, 0),
                below_target=total - reached.get(office.pk, 0),
            )
        )
    return rows
