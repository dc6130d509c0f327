"""Reads of the roster that more than one place uses, already joined for their pages.

The portal reaches members and their notifications only through these functions, so a
member can never see another member's record by changing an id in a URL.
"""

import datetime
import re

from django.db.models import (
    Case,
    Count,
    Exists,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.models import Notification
from liaison.selectors import contains_text, inbox, of_offices, search_terms, unread_inbox

from .models import AccountInvitation, AccountReach, Member


def actor_is_staff(actor) -> bool:
    """Whether a service's actor acts as staff (the admin, a task run for staff)."""
    return bool(actor is not None and getattr(actor, "is_staff", False))


def acting_member(actor) -> Member | None:
    """The member a service's actor is, if any (a member in the portal)."""
    return getattr(actor, "member", None) if actor is not None else None


def member_for_user(user, *, unread: bool = False) -> Member | None:
    """The member record behind a signed-in account, or ``None`` for staff, leaders and
    anonymous visitors. Every portal page reads it: joined with what the page frame and
    the home page show (the office, the term), unordered (one account, one member).
    ``unread``: with the account's unread portal messages counted in the same query
    (``unread_count``, the menu's badge)."""
    if user is None or not user.is_authenticated:
        return None
    found = Member.objects.select_related("office", "term").filter(user_id=user.pk).order_by()
    if unread:
        # COUNT as a plain function, not an aggregate: no GROUP BY, one row.
        count = unread_inbox(user).order_by().annotate(n=Func("pk", function="COUNT"))
        found = found.annotate(unread_count=Subquery(count.values("n")))
    return next(iter(found[:1]), None)


def roster_members(queryset=None, *, by_sector: bool = False):
    """The name list (名册): serving members in official order, by surname stroke count
    (按姓氏笔画为序), optionally grouped by sector in the sector list's own order. The
    admin's printable name list and the roster PDF read the same rows."""
    queryset = Member.objects.all() if queryset is None else queryset
    qs = queryset.filter(status=Member.Status.SERVING).select_related("sector", "affiliation")
    order = ["stroke_key", "member_no"]
    if by_sector:
        order = ["sector__position", "sector_id", *order]
    return qs.order_by(*order)


def mobile_taken(mobile: str, *, exclude_member_id: int | None = None) -> bool:
    """Whether another member already has this mobile number (members sign in with it,
    so the database keeps it unique among non-empty values)."""
    if not mobile:
        return False
    qs = Member.objects.filter(mobile=mobile)
    if exclude_member_id is not None:
        qs = qs.exclude(pk=exclude_member_id)
    return qs.exists()


# The portal's inbox is the shared one (liaison.selectors): staff read the same rows on
# the admin index.
portal_notifications = inbox
portal_unread_notifications = unread_inbox


class AccountState:
    """What staff see of a member's portal account (members/accounts.py)."""

    NONE = "none"
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"
    CHOICES = (
        (NONE, _("未开通")),
        (INVITED, _("已邀请")),
        (ACTIVE, _("已激活")),
        (DISABLED, _("已停用")),
    )
    # Not a state: active members who have not signed in for DORMANT_DAYS, whom the
    # office calls (the roster's filter and the admin index's reach panel).
    DORMANT = "dormant"
    DORMANT_DAYS = 90


def dormant_since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=AccountState.DORMANT_DAYS)


def dormant(queryset):
    """Members with an active account who have not signed in for 90 days (or never)."""
    return queryset.filter(user__is_active=True).filter(
        Q(user__last_login__isnull=True) | Q(user__last_login__lt=dormant_since())
    )


def with_account_state(queryset):
    """Members annotated with their account's state and their latest invitation (when,
    how, and how the message fared in the outbox): one query however many members."""
    latest = AccountInvitation.objects.filter(member=OuterRef("pk")).order_by("-created_at", "-pk")
    return queryset.annotate(
        invited_at=Subquery(latest.values("created_at")[:1]),
        invited_by=Subquery(latest.values("channel")[:1]),
        invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        invitation_delivery=Subquery(latest.values("notification__status")[:1]),
        invitation_pending=Exists(
            AccountInvitation.objects.filter(member=OuterRef("pk"), used_at=None, revoked_at=None)
        ),
        account_state=Case(
            When(user__isnull=True, then=Value(AccountState.NONE)),
            When(user__is_active=True, then=Value(AccountState.ACTIVE)),
            When(invitation_pending=True, then=Value(AccountState.INVITED)),
            default=Value(AccountState.DISABLED),
        ),
    )


REACH_FIGURES = ("active", "invited", "without", "dormant", "sms_sent", "sms_failed")


def account_reach(offices) -> list[dict]:
    """Per office, how far the portal reaches its serving members (issue 13 item 5):
    accounts active, invited and not activated, none (or disabled), dormant; and the
    SMS the outbox sent and failed this month — with when they were counted. Read from
    the kept figures (AccountReach: one query however large the rosters); an office
    without them, or whose accounts changed since, is counted now."""
    offices = list(offices.order_by("name"))
    kept = {
        row.office_id: row for row in AccountReach.objects.filter(office__in=offices, stale=False)
    }
    missing = [office for office in offices if office.pk not in kept]
    if missing:
        kept.update({row.office_id: row for row in count_account_reach(missing)})
    return [
        {
            **{name: getattr(kept[office.pk], name) for name in REACH_FIGURES},
            "office": office,
            "counted_at": kept[office.pk].counted_at,
        }
        for office in offices
    ]


def count_account_reach(offices, *, now: datetime.datetime | None = None) -> list[AccountReach]:
    """Count ``offices``' AccountReach figures and keep them (three queries however
    many offices; the members counted are all the offices' serving members)."""
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    offices = list(offices)
    pending = AccountInvitation.objects.filter(member=OuterRef("pk"), used_at=None, revoked_at=None)
    inactive = Q(user__is_active=False)
    members = (
        Member.objects.filter(office__in=offices, status=Member.Status.SERVING)
        .annotate(invitation_pending=Exists(pending))
        .order_by()
        .values("office")
        .annotate(
            active=Count("pk", filter=Q(user__is_active=True)),
            invited=Count("pk", filter=inactive & Q(invitation_pending=True)),
            without=Count(
                "pk", filter=Q(user__isnull=True) | (inactive & Q(invitation_pending=False))
            ),
            dormant=Count(
                "pk",
                filter=Q(user__is_active=True)
                & (Q(user__last_login__isnull=True) | Q(user__last_login__lt=dormant_since())),
            ),
        )
    )
    sms = (
        Notification.objects.filter(
            office__in=offices, channel=Notification.Channel.SMS, created_at__gte=month_start
        )
        .order_by()
        .values("office")
        .annotate(
            sms_sent=Count("pk", filter=Q(status=Notification.Status.SENT)),
            sms_failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        )
    )
    figures = {office.pk: dict.fromkeys(REACH_FIGURES, 0) for office in offices}
    for row in [*members, *sms]:
        figures[row.pop("office")].update(row)
    rows = [
        AccountReach(office_id=pk, counted_at=now, stale=False, **counts)
        for pk, counts in figures.items()
    ]
    return AccountReach.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["office"],
        update_fields=[*REACH_FIGURES, "counted_at", "stale"],
    )


# Age bands of the statistics page: (youngest age, label); a member's age is the age
# they reach in the year counted.
AGE_BANDS = (
    (60, _("60岁及以上")),
    (50, _("50—59岁")),
    (40, _("40—49岁")),
    (0, _("40岁以下")),
)


def _grouped(queryset, field: str, order: list[str]) -> list[tuple[str, int]]:
    """(value of ``field``, how many rows) per value: one GROUP BY query."""
    return list(
        queryset.order_by()
        .values(field)
        .annotate(n=Count("id"))
        .order_by(*order)
        .values_list(field, "n")
    )


def member_breakdowns(office_ids, year: int) -> dict[str, list[tuple[str, int]]]:
    """The offices' serving members by sector (界别), political affiliation (政治面貌),
    sex and age band (the age reached in ``year``), and the whole roster by term (届次,
    every status): five grouped queries, whatever the number of members. ``office_ids``
    None counts every office."""
    roster = Member.objects.filter(of_offices(office_ids))
    serving = roster.filter(status=Member.Status.SERVING)
    sexes = dict(Member.Sex.choices)
    bands = Case(
        *(
            When(birth_date__year__lte=year - youngest, then=Value(str(label)))
            for youngest, label in AGE_BANDS
        ),
        default=Value(str(_("未填出生日期"))),
    )
    by_band = dict(
        serving.order_by().annotate(band=bands).values_list("band").annotate(n=Count("id"))
    )
    band_order = [str(label) for _, label in reversed(AGE_BANDS)] + [str(_("未填出生日期"))]
    return {
        "sector": _grouped(serving, "sector__name", ["sector__position", "sector__name"]),
        "affiliation": _grouped(
            serving, "affiliation__name", ["affiliation__position", "affiliation__name"]
        ),
        "sex": [(str(sexes.get(sex, sex)), n) for sex, n in _grouped(serving, "sex", ["sex"])],
        "age": [(band, by_band[band]) for band in band_order if by_band.get(band)],
        "term": _grouped(roster, "term__name", ["-term__start_year"]),
    }


def member_duty_claims(member):
    """The duties ``member`` reported, newest first."""
    from .models import DutyClaim

    return DutyClaim.objects.filter(member=member).order_by("-created_at", "-id")


# --- Roster search (the member changelist's search box and the member autocomplete) ---

# A term of digits (and the separators people type in phone numbers) is a phone number
# or the start of one: matched from the start, which an ordinary index serves. Any
# other term is a name or an employer, matched anywhere in it (Chinese names are
# searched by a single character: 王).
_NUMBER_TERM = re.compile(r"[0-9+\-]+")


SEARCH_INDEXED_CHARACTERS = ("name", "employer")


def search_members(queryset, text: str):
    """Members of ``queryset`` matching every whitespace-separated term of ``text``: a
    number term by the start of the mobile number, the office phone or the member
    number; any other term anywhere in the name or the employer, or by the start of the
    member number. On PostgreSQL each condition is served by an index, so a search
    costs the same at 500 members as at 50,000 (the same results on SQLite, scanned)."""
    for term in search_terms(text):
        if _NUMBER_TERM.fullmatch(term):
            match = (
                Q(mobile__startswith=term)
                | Q(office_phone__startswith=term)
                | Q(member_no__startswith=term)
            )
        else:
            match = Q(member_no__startswith=term.upper())
            for field in SEARCH_INDEXED_CHARACTERS:
                match |= contains_text(field, term)
        queryset = queryset.filter(match)
    return queryset


# --- The materials library (参阅资料) ----------------------------------------------------


def published_to(member) -> Q:
    """The materials published to ``member``: their office's, to everyone, to their
    term, or to their 界别; from the publication date on."""
    from liaison.models import today

    from .models import StudyMaterial

    A = StudyMaterial.Audience
    in_sector = StudyMaterial.sectors.through.objects.filter(
        studymaterial_id=OuterRef("pk"), sector_id=member.sector_id
    )
    return Q(office_id=member.office_id, published_on__lte=today()) & (
        Q(audience=A.ALL)
        | Q(audience=A.TERM, term_id=member.term_id)
        | (Q(audience=A.SECTORS) & Exists(in_sector))
    )


def member_study_materials(member):
    """The materials the member may read, newest first, each with whether they read it
    and handed in a reflection (``read_at``, ``reflected``): one query."""
    from .models import StudyMaterial, StudyRead, StudyReflection

    reads = StudyRead.objects.filter(material=OuterRef("pk"), member=member)
    return (
        StudyMaterial.objects.filter(published_to(member))
        .annotate(
            read_at=Subquery(reads.values("read_at")[:1]),
            reflected=Exists(
                StudyReflection.objects.filter(material=OuterRef("pk"), member=member)
            ),
        )
        .order_by("-published_on", "-id")
    )


def member_unread_materials(member):
    return member_study_materials(member).filter(read_at__isnull=True)
