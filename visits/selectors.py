"""Reads of visits, life events and concerns, scoped and joined for the pages that use
them.

The portal reaches this area only through the ``member_*`` functions: a member sees the
visits they received (never the staff-only notes), their own life events and the
concerns they raised; any other id is a 404.

Coverage ("every serving member visited at least twice a year", configurable per
office) is read from the visit tallies (``visits.tallies``: one row per member and
year, kept by the services): one joined query for an office's roster, one grouped
query for the district, whatever the number of visits.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from liaison.models import Office
from liaison.selectors import of_offices, search_terms
from members.models import Member
from members.selectors import search_members

from .models import (
    Concern,
    LifeEvent,
    Visit,
    VisitConfig,
    VisitMember,
    VisitTally,
    VisitTeamMember,
)

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


def member_concerns_to_confirm(member: Member) -> QuerySet[Concern]:
    """The member's concerns fed back to them, waiting for them to confirm the result."""
    return member_concerns(member).filter(status=Concern.Status.FED_BACK)


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


def coverage_targets(offices) -> dict[int, int]:
    """Each office's yearly visit target; offices that never saved a config use the
    model default."""
    default = VisitConfig._meta.get_field("visits_per_year").default
    targets = {office.pk: default for office in offices}
    targets.update(
        VisitConfig.objects.filter(office__in=offices).values_list("office_id", "visits_per_year")
    )
    return targets


def _with_tallies(
    members: QuerySet[Member], today: datetime.date, targets: dict[int, int]
) -> QuerySet[Member]:
    """Annotate this year's and this half-year's done visits (this year's tally row,
    joined) and the office's yearly target (a constant per office, not a join)."""
    half = "tally__first_half" if today.month <= 6 else "tally__second_half"
    if len(set(targets.values())) <= 1:
        default = VisitConfig._meta.get_field("visits_per_year").default
        target = Value(next(iter(targets.values()), default))
    else:
        target = Case(
            *(When(office_id=pk, then=Value(t)) for pk, t in targets.items()),
            output_field=IntegerField(),
        )
    return members.annotate(
        tally=FilteredRelation("visit_tallies", condition=Q(visit_tallies__year=today.year)),
        visits_year=Coalesce(F("tally__first_half") + F("tally__second_half"), Value(0)),
        visits_half=Coalesce(F(half), Value(0)),
        target=target,
    )


def coverage_members(
    offices, today: datetime.date, targets: dict[int, int] | None = None
) -> QuerySet[Member]:
    """Serving members of ``offices`` with their visits this year and half-year and
    their office's yearly target — for the coverage page and the reminders, the least
    visited first. Read from the tallies, so it costs a join per member, not a count of
    visits; ``for_display`` adds the office and last visit date to the rows shown."""
    offices = list(offices)
    if targets is None:
        targets = coverage_targets(offices)
    members = Member.objects.filter(office__in=offices, status=Member.Status.SERVING)
    return (
        _with_tallies(members, today, targets)
        .select_related("sector")
        .only("id", "office_id", "name", "member_no", "mobile", "sector__name", "stroke_key")
        .order_by("visits_half", "visits_year", "office_id", "stroke_key", "pk")
    )


def for_display(members: list[Member], offices) -> list[Member]:
    """Give a page of coverage rows their office (from ``offices``, no query) and
    ``last_visited_on`` (the last done visit ever, None if never): one query for the
    page, not the roster."""
    by_pk = {office.pk: office for office in offices}
    last = dict(
        VisitTally.objects.filter(member__in=members)
        .values("member_id")
        .annotate(last=Max("last_visited_on"))
        .values_list("member_id", "last")
    )
    for member in members:
        member.office = by_pk[member.office_id]
        member.last_visited_on = last.get(member.pk)
    return members


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


def coverage_by_office(offices, today: datetime.date) -> list[CoverageRow]:
    """Per office: serving members, how many were visited this half-year, how many
    still need a visit this half-year or this year, and how many are below the yearly
    target. One grouped query over the offices' serving members and their tallies."""
    offices = list(offices)
    targets = coverage_targets(offices)
    members = Member.objects.filter(office__in=offices, status=Member.Status.SERVING)
    counts = {
        row["office_id"]: row
        for row in _with_tallies(members, today, targets)
        .order_by()
        .values("office_id")
        .annotate(
            serving=Count("pk"),
            visited_half=Count("pk", filter=Q(visits_half__gt=0)),
            visited_year=Count("pk", filter=Q(visits_year__gt=0)),
            reached=Count("pk", filter=Q(visits_year__gte=F("target"))),
        )
    }
    rows = []
    for office in offices:
        count = counts.get(office.pk, {})
        total = count.get("serving", 0)
        rows.append(
            CoverageRow(
                office=office,
                target=targets[office.pk],
                serving=total,
                visited_half=count.get("visited_half", 0),
                not_visited_half=total - count.get("visited_half", 0),
                not_visited_year=total - count.get("visited_year", 0),
                below_target=total - count.get("reached", 0),
            )
        )
    return rows


# --- Statistics -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernCategoryRow:
    category: str
    collected: int
    # With a due date that has come: handled (resolved_on set) or still with a unit
    # past its due date.
    due: int
    on_time: int

    @property
    def on_time_rate(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def concern_breakdown(office_ids, year: int, day: datetime.date) -> list[ConcernCategoryRow]:
    """The offices' concerns collected in ``year`` by category, with how many of those
    whose due date has come were handled on time (办结日期 not after 办理期限): one
    grouped query. ``office_ids`` None counts every office."""
    due = Q(due_date__isnull=False) & (Q(resolved_on__isnull=False) | Concern.overdue_q(day))
    rows = (
        Concern.objects.filter(of_offices(office_ids), created_at__year=year)
        .values("category__name")
        .annotate(
            collected=Count("id"),
            due=Count("id", filter=due),
            on_time=Count("id", filter=Q(resolved_on__lte=F("due_date"))),
        )
        .order_by("category__position", "category__name")
    )
    return [
        ConcernCategoryRow(
            category=row["category__name"] or gettext("未分类"),
            collected=row["collected"],
            due=row["due"],
            on_time=row["on_time"],
        )
        for row in rows
    ]


def search_visits(queryset: QuerySet[Visit], text: str, members: QuerySet[Member]):
    """Visits of ``queryset`` matching every whitespace-separated term of ``text``: a
    visited member found by the member search among ``members`` (name, number, phone:
    members.selectors.search_members), or the term in the place or the summary. The
    members are a subquery of visit ids: joined through the member links, a visit
    would come once per visited member, and the list would read DISTINCT rows of every
    visit of the district to drop the repeats (issue 16)."""
    for term in search_terms(text):
        visited = VisitMember.objects.filter(member__in=search_members(members, term))
        queryset = queryset.filter(
            Q(pk__in=visited.values("visit_id"))
            | Q(place__icontains=term)
            | Q(summary__icontains=term)
        )
    return queryset
