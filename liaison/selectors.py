"""Reads every app shares."""

import datetime

from django.contrib.auth.models import Permission
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains as ArrayContains
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal

from . import roles
from .models import HandlingUnit, Notification, User
from .scoping import scope_queryset
from .sms import NO_TEMPLATE


def of_offices(office_ids, field: str = "office") -> Q:
    """Rows of the offices named by id; ``None`` names every office and adds no
    condition (across a whole district, an ``IN`` of every office only makes the
    database walk the office index row by row instead of reading the table once)."""
    if office_ids is None:
        return Q()
    return Q(**{f"{field}_id__in": list(office_ids)})


def count_of(rows: QuerySet, link: str):
    """Annotation: how many of ``rows`` point at each row through ``link`` (a foreign
    key). A correlated subquery, so a list counts for the fifty rows it shows instead
    of grouping every row of the table (as ``Count`` over a join does) before its LIMIT:
    ``visits.annotate(concern_count=count_of(Concern.objects.all(), "visit"))``."""
    return Coalesce(
        Subquery(
            rows.filter(**{link: OuterRef("pk")})
            .order_by()
            .values(link)
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def users_in_roles(*names: str) -> QuerySet[User]:
    """Active accounts holding any of the roles ``names``. The roles' few holders are
    read first, from the group index (one query): joined in one query with the
    accounts, PostgreSQL guessed a quarter of every account held a staff role and read
    all 50,000 member accounts of a district to pick a handful."""
    holders = User.groups.through.objects.filter(group__name__in=names)
    return User.objects.filter(
        pk__in=list(holders.values_list("user_id", flat=True).distinct()), is_active=True
    )


def office_staff(office_ids) -> QuerySet[User]:
    """Active office staff of the given offices: the people reminders to "staff" go to."""
    return users_in_roles(roles.OFFICE_STAFF).filter(office_id__in=list(office_ids)).order_by("pk")


def district_staff(district_id=None) -> QuerySet[User]:
    """Active accounts that see many offices (liaison.view_all_offices through their role
    or on the account) and superusers: who is told about changes shared by the district.
    With ``district_id``, only those who see that district (bound to it, or to none)."""
    perms = Permission.objects.filter(
        codename="view_all_offices", content_type__app_label="liaison"
    )
    return (
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__permissions__in=perms) | Q(user_permissions__in=perms),
            is_active=True,
        )
        .filter(Q(district_id=None) | Q(district_id=district_id) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def inbox(user):
    """The in-system messages (channel ``portal``) addressed to this user, newest first:
    members read them in the portal, staff on the admin index.

    They show as soon as the outbox row exists, whatever its delivery status: a reminder
    is visible while Redis is down.
    """

    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient_id=user.pk, channel=Notification.Channel.PORTAL
    ).order_by("-created_at", "-pk")


def unread_inbox(user):
    return inbox(user).filter(read_at__isnull=True)


def on_days(field: str, start: datetime.date, end: datetime.date) -> Q:
    """``field`` (a date and time) falls on a day from ``start`` to ``end``, both
    included, in the site's time zone: as a range of instants, which an index on the
    field serves (``field__date__range`` converts every row's value first, so the
    database reads them all)."""
    zone = timezone.get_current_timezone()

    def midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), zone)

    bounds = Q()
    # An open end (date.min or date.max) has no midnight in every time zone.
    if start > datetime.date.min + datetime.timedelta(days=1):
        bounds &= Q(**{f"{field}__gte": midnight(start)})
    if end < datetime.date.max - datetime.timedelta(days=1):
        bounds &= Q(**{f"{field}__lt": midnight(end + datetime.timedelta(days=1))})
    return bounds


def units_by_kind(units: QuerySet[HandlingUnit]) -> QuerySet[HandlingUnit]:
    """Handling units in the order an office picks them: street departments, communities,
    district bodies, the CPPCC above, others; by name within each."""
    order = Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(HandlingUnit.Kind.values)),
        default=Value(len(HandlingUnit.Kind.values)),
    )
    return units.order_by(order, "name")


def sms_kinds_without_template(user, *, days: int = 30) -> list[dict]:
    """The kinds of text message the gateway had no template for in the last ``days``
    (sent to the portal instead, liaison.outbox), in the user's offices: ``kind``, how
    many (``n``) and the latest ``subject``, for the staff warning."""
    since = timezone.now() - datetime.timedelta(days=days)
    rows = scope_queryset(
        Notification.objects.filter(
            channel=Notification.Channel.SMS, error_code=NO_TEMPLATE, created_at__gte=since
        ),
        user,
    )
    latest = rows.filter(kind=OuterRef("kind")).order_by("-created_at").values("subject")[:1]
    return list(
        rows.values("kind").annotate(n=Count("pk"), subject=Subquery(latest)).order_by("kind")
    )


# --- The outbox list's search box ----------------------------------------------------


class _Characters(Func):
    """The field's characters, upper-cased, as an array. On PostgreSQL migrations index
    exactly this expression (GIN) — ``liaison.0011_outbox_list_indexes`` the outbox's
    subject, ``members.0012_member_search_indexes`` a member's name and employer — so
    "contains every character of the term" is an index lookup for a term of any length
    (pg_trgm extracts no trigram from ``%王%``). The SQL must stay identical to the
    indexes'."""

    template = "regexp_split_to_array(upper(%(expressions)s), '')"
    output_field = ArrayField(TextField())


def contains_text(field: str, term: str) -> Q:
    """``field`` contains ``term`` (any case): on PostgreSQL also "holds every character
    of it", the condition the character index above serves, so the database reads the
    index's matches and checks only those."""
    contains = Q(**{f"{field}__icontains": term})
    if connection.vendor == "postgresql":
        characters = Value(sorted(set(term.upper())), ArrayField(TextField()))
        contains &= Q(ArrayContains(_Characters(F(field)), characters))
    return contains


def search_terms(text: str) -> list[str]:
    """The terms of a search box's text, split as Django's admin splits them: spaces
    separate terms, and quotes keep a phrase with its spaces ("王 芳"). A quote left
    open (``"王``) is part of its term, not an error."""
    terms = []
    for term in smart_split(text):
        if term.startswith(('"', "'")) and term[0] == term[-1]:
            term = unescape_string_literal(term)
        if term:
            terms.append(term)
    return terms


def search_outbox(queryset: QuerySet, text: str) -> QuerySet:
    """Messages of ``queryset`` matching every whitespace-separated term of ``text``:
    anywhere in the subject, or at the start of the address (a phone number, an e-mail
    address) or of the occasion key (``consultation-open:2``). Each condition is served
    by an index on PostgreSQL, so a search reads the matches, not the outbox."""
    for term in search_terms(text):
        contains = contains_text("subject", term)
        queryset = queryset.filter(
            contains | Q(address__istartswith=term) | Q(dedupe_key__startswith=term)
        )
    return queryset
