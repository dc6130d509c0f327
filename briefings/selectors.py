"""Reads of activities, scoped and joined for the pages that use them.

Staff see the activities their offices organise, alone or jointly. A member sees, in
the portal, the activities they were invited to once published; a published activity of
their own office can be opened (to read it, not to reply); any other id is a 404."""

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from liaison.scoping import sees_all_offices, visible_office_ids
from members.models import Member

from .models import (
    Activity,
    ActivityConfig,
    AgendaItem,
    Invitation,
    InvitedLeader,
    Material,
    Opinion,
    half_year_bounds,
)

A = Activity.Status
VISIBLE_TO_MEMBERS = (A.PUBLISHED, A.HELD, A.CANCELLED)


def organised_by(office_ids) -> Q:
    """Activities the offices organise, as lead or joint organiser (``office_ids``: ids,
    or a subquery of them)."""
    if not isinstance(office_ids, QuerySet):
        office_ids = list(office_ids)
    joint = Activity.co_offices.through.objects.filter(
        activity_id=OuterRef("pk"), office_id__in=office_ids
    )
    return Q(office_id__in=office_ids) | Q(Exists(joint))


def staff_activities(user) -> QuerySet[Activity]:
    qs = Activity.objects.all()
    if sees_all_offices(user):
        return qs
    return qs.filter(organised_by(visible_office_ids(user)))


def _in_name_list_order(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return invitations.select_related("member__sector").order_by("member__stroke_key", "member_id")


def sign_in_sheet(
    activity: Activity, query: str = "", *, waiting_only: bool = False
) -> QuerySet[Invitation]:
    """The invitees of an activity in name-list order (按姓氏笔画) for the sign-in page;
    ``waiting_only``: those whose attendance is not recorded yet."""
    qs = _in_name_list_order(activity.invitations.all())
    if query:
        qs = qs.filter(Q(member__name__contains=query) | Q(member__mobile__endswith=query))
    if waiting_only:
        qs = qs.filter(attendance=Invitation.Attendance.UNRECORDED)
    return qs


def sign_in_counts(activity: Activity) -> dict[str, int]:
    I = Invitation  # noqa: E741
    return activity.invitations.aggregate(
        invited=Count("pk"),
        attended=Count("pk", filter=Q(attendance=I.Attendance.ATTENDED)),
        leave=Count("pk", filter=Q(reply=I.Reply.LEAVE)),
    )


def activity_minutes(activities: QuerySet[Activity], invitees=True) -> QuerySet[Activity]:
    """Activities with what their minutes (纪要) show: the counts, kind and office,
    leaders, agenda, the invitees in name-list order (unless ``invitees`` is False: the
    admin's print view reads a bounded list of names itself) and the opinions in the
    order they came. The admin's print view and the minutes PDF read the same rows."""
    prefetches = [
        "leaders",
        "agenda",
        Prefetch("opinions", Opinion.objects.select_related("member").order_by("created_at")),
    ]
    if invitees:
        prefetches.append(Prefetch("invitations", _in_name_list_order(Invitation.objects.all())))
    return activities.select_related("kind", "office").prefetch_related(*prefetches)


def invitation_candidates(
    activity: Activity, *, mode: str, sectors=(), members=()
) -> QuerySet[Member]:
    """Members to invite: all serving members of the organising offices, those of some
    sectors, or hand-picked ones (still limited to serving members of those offices)."""
    qs = Member.objects.filter(
        office_id__in=activity.organising_office_ids(), status=Member.Status.SERVING
    )
    if mode == "sectors":
        qs = qs.filter(sector__in=list(sectors))
    elif mode == "picked":
        qs = qs.filter(pk__in=[m.pk for m in members])
    return qs.order_by("stroke_key", "pk")


# --- The twice-a-year rule --------------------------------------------------------------

PLANNED, HELD, MISSING = "planned", "held", "missing"


def half_year_status(offices, year: int, *, now: datetime.datetime | None = None) -> list[dict]:
    """Each office's political briefings in each half of ``year``: held (took place),
    planned (on the calendar, not yet held) or missing. Two queries whatever the number
    of offices and activities."""
    now = now or timezone.now()
    offices = list(offices)
    ids = [o.pk for o in offices]
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    briefings = list(
        Activity.objects.filter(
            organised_by(ids),
            kind__is_briefing=True,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .exclude(status=A.CANCELLED)
        .prefetch_related("co_offices")
        .order_by("starts_at")
    )
    by_office_half: dict[tuple[int, int], list[Activity]] = defaultdict(list)
    for activity in briefings:
        for office_id in activity.organising_office_ids():
            by_office_half[(office_id, activity.half_year)].append(activity)
    configs = {c.office_id: c for c in ActivityConfig.objects.filter(office_id__in=ids)}
    today = timezone.localdate(now)
    rows = []
    for office in offices:
        config = configs.get(office.pk) or ActivityConfig(office=office)
        halves = []
        for half in (1, 2):
            found = by_office_half.get((office.pk, half), [])
            held = [
                a
                for a in found
                if a.status == A.HELD or (a.status == A.PUBLISHED and a.starts_at <= now)
            ]
            first, after = half_year_bounds(year, half)
            deadline = config.schedule_deadline(year, half)
            state = HELD if held else PLANNED if found else MISSING
            halves.append(
                {
                    "half": half,
                    "state": state,
                    "activities": found,
                    "deadline": deadline,
                    "overdue": state == MISSING and today >= deadline,
                    "is_past": today >= after,
                    "is_current": first <= today < after,
                }
            )
        rows.append({"office": office, "halves": halves})
    return rows


# --- The portal -------------------------------------------------------------------------


def member_invitations(member: Member) -> QuerySet[Invitation]:
    """The member's invitations to published (or since held or cancelled) activities."""
    return (
        Invitation.objects.filter(member=member, activity__status__in=VISIBLE_TO_MEMBERS)
        .select_related("activity__kind")
        .order_by("activity__starts_at", "activity_id")
    )


def member_upcoming(member: Member, *, now: datetime.datetime | None = None):
    """Invitations to activities not yet over, soonest first."""
    now = now or timezone.now()
    return member_invitations(member).filter(
        activity__ends_at__gte=now, activity__status=A.PUBLISHED
    )


def member_past(member: Member, *, now: datetime.datetime | None = None):
    now = now or timezone.now()
    return (
        member_invitations(member)
        .filter(Q(activity__ends_at__lt=now) | Q(activity__status=A.CANCELLED))
        .order_by("-activity__starts_at", "-activity_id")
    )


def member_month(member: Member, first: datetime.date, after: datetime.date):
    """Invitations to activities starting in [first, after): the calendar month."""
    return member_invitations(member).filter(
        activity__starts_at__gte=timezone.make_aware(
            datetime.datetime.combine(first, datetime.time())
        ),
        activity__starts_at__lt=timezone.make_aware(
            datetime.datetime.combine(after, datetime.time())
        ),
    )


def member_activities(member: Member) -> QuerySet[Activity]:
    """Activities the member may open: invited, or published by their own office."""
    invited = Invitation.objects.filter(activity=OuterRef("pk"), member=member)
    return Activity.objects.filter(status__in=VISIBLE_TO_MEMBERS).filter(
        Q(Exists(invited)) | (organised_by([member.office_id]) & ~Q(status=A.CANCELLED))
    )


def member_activity_detail(member: Member, pk: int) -> Activity:
    """One activity with everything its portal page shows, or Activity.DoesNotExist."""
    activity = (
        member_activities(member)
        .select_related("kind", "office")
        .prefetch_related(
            Prefetch("leaders", InvitedLeader.objects.order_by("position", "id")),
            Prefetch("agenda", AgendaItem.objects.order_by("position", "id")),
            Prefetch("materials", Material.objects.filter(shared_with_members=True)),
            Prefetch(
                "opinions",
                Opinion.objects.filter(member=member).order_by("-created_at"),
                to_attr="my_opinions",
            ),
            Prefetch(
                "invitations",
                Invitation.objects.filter(member=member),
                to_attr="my_invitations",
            ),
            "co_offices",
        )
        .get(pk=pk)
    )
    activity.my_invitation = activity.my_invitations[0] if activity.my_invitations else None
    return activity


def held_activities(office_ids, year: int) -> QuerySet[Activity]:
    """Activities the offices organised (alone or jointly) that took place in ``year``:
    held, or published and already started. ``office_ids`` None: every office's."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    offices = Q() if office_ids is None else organised_by(office_ids)
    return Activity.objects.filter(offices, starts_at__gte=start, starts_at__lt=end).filter(
        Q(status=A.HELD) | Q(status=A.PUBLISHED, starts_at__lte=timezone.now())
    )


def activities_by_month(office_ids, year: int) -> list[dict]:
    """Month by month (1–12) of ``year``: activities held, members invited to them and
    members who attended. One query grouped by month over the activities, summing the
    counts each keeps on its row (grouping the invitations themselves converted every
    invitation's date to a month: seconds at district scale)."""
    months = {
        row["month"]: row
        for row in held_activities(office_ids, year)
        .order_by()
        .annotate(month=ExtractMonth("starts_at"))
        .values("month")
        .annotate(
            activities=Count("id"),
            invited=Sum("invited_count"),
            attended=Sum("attended_count"),
        )
    }
    rows = []
    for month in range(1, 13):
        counts = months.get(month, {})
        invited, attended = counts.get("invited") or 0, counts.get("attended") or 0
        rows.append(
            {
                "month": month,
                "activities": counts.get("activities", 0),
                "invited": invited,
                "attended": attended,
                "rate": round(100 * attended / invited) if invited else None,
            }
        )
    return rows
