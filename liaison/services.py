"""Writes to what every app shares: queueing notifications in the outbox, the
working-day calendar (whose changes move the deadlines counted over it), and setting up
an office with its first staff accounts (``manage.py setup_office``).

Queueing a notification only writes a row; it never talks to Redis or a mail server, so
it is safe inside any request or workflow transaction (call it inside the transaction
that changes the state, so the reminder commits or rolls back with it). The
``deliver_notifications`` task, run by beat every 30 seconds, sends the rows.

At most one notification per occasion: ``dedupe_key`` is unique in the database, and a
second attempt to queue the same key is silently dropped — also when two processes try
at the same moment.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template import Context, engines
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import workdays
from .messages import message_context, person_name
from .models import CalendarDay, Notification
from .selectors import district_staff, office_staff, unread_inbox
from .sms import IMMEDIATE_KINDS, release_time
from .transactions import service
from .unit_links import unit_link_url

Channel = Notification.Channel
Status = Notification.Status

_SUBJECT_MAX = Notification._meta.get_field("subject").max_length
_DEDUPE_MAX = Notification._meta.get_field("dedupe_key").max_length


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def notification_render(
    *,
    template: str,
    context: dict,
    channel: str = Channel.EMAIL,
    recipient_name: str = "",
    office=None,
    link: str = "",
    language: str | None = None,
) -> Message:
    """Render ``templates/emails/<template>.txt``: the first non-empty line is the
    subject, the rest the body. A text message uses ``<template>_sms.txt`` when there is
    one (a text message must be short).

    Rendered in the site's language (Simplified Chinese) whatever language the caller
    has active (``language`` overrides it: the English preview), without HTML escaping
    (this is plain text, not a page). The template also gets the pieces every message
    shares (liaison.messages.message_context): the greeting's name, the signing office
    and the absolute address of ``link``.
    """
    engine = engines["django"]
    names = [f"emails/{template}.txt"]
    if channel == Channel.SMS:
        names.insert(0, f"emails/{template}_sms.txt")
    tmpl = engine.engine.select_template(names)
    context = message_context(
        context, template=template, recipient_name=recipient_name, office=office, link=link
    )
    with translation.override(language or settings.LANGUAGE_CODE):
        text = tmpl.render(Context(context, autoescape=False))
    lines = text.strip().splitlines()
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    return Message(subject=subject[:_SUBJECT_MAX], body=body)


def notification_render_once(
    rendered: dict, template: str, context: dict, channel: str, **pieces
) -> Message:
    """``notification_render`` through ``rendered``, a cache by channel and greeting
    for the same text going to many people (``pieces``: recipient_name, office, link)."""
    key = (channel, pieces.get("recipient_name", ""))
    if key not in rendered:
        rendered[key] = notification_render(
            template=template, context=context, channel=channel, **pieces
        )
    return rendered[key]


def _prepare(row: Notification, now) -> Notification:
    if row.channel == Channel.PORTAL:
        # The portal's notification list reads the row itself: it is delivered once it
        # exists.
        row.status = Status.SENT
        row.sent_at = now
    elif not row.address:
        row.status = Status.SKIPPED
    elif row.channel == Channel.SMS and row.kind not in IMMEDIATE_KINDS:
        # Queued in the quiet hours: due in the morning.
        row.next_attempt_at = release_time(max(row.next_attempt_at or now, now))
    row.subject = row.subject[:_SUBJECT_MAX]
    if len(row.dedupe_key) > _DEDUPE_MAX:
        raise ValueError(f"dedupe_key longer than {_DEDUPE_MAX} characters: {row.dedupe_key}")
    return row


def notification_queue(
    *,
    channel: str,
    kind: str,
    dedupe_key: str,
    subject: str,
    body: str,
    recipient=None,
    address: str = "",
    link: str = "",
    office=None,
    sms_params: dict | None = None,
) -> Notification | None:
    """Write one notification to the outbox. Returns None if ``dedupe_key`` is
    already there (the reminder for this occasion exists). ``sms_params`` fill the SMS
    gateway's template for this kind (liaison/sms.py) besides the subject and link.

    Portal notifications are delivered at once (status sent). An e-mail or text
    message without an address is kept with status skipped (staff see in the admin who
    could not be reached) and never sent.
    """
    return notification_insert(
        row=Notification(
            channel=channel,
            kind=kind,
            dedupe_key=dedupe_key,
            subject=subject,
            body=body,
            recipient=recipient,
            address=address,
            link=link,
            office=office,
            sms_params=sms_params or {},
        )
    )


def notification_insert(*, row: Notification) -> Notification | None:
    """Write one unsaved outbox row, as ``notification_queue``; returns None if its
    dedupe key is already there."""
    row = _prepare(row, timezone.now())
    try:
        # A savepoint, so that losing the race on the unique key leaves the caller's
        # transaction usable (PostgreSQL aborts a transaction on any error otherwise).
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=row.dedupe_key).exists():
            return None
        raise
    return row


def notifications_queue(*, rows: Iterable[Notification]) -> int:
    """Write many unsaved notifications in one statement, skipping every dedupe key that
    is already there. Returns how many were new. Used by the sweeps that create
    reminders for many people at once (birthdays), so their cost does not grow with
    the number of queries.
    """
    now = timezone.now()
    rows = [_prepare(row, now) for row in rows]
    if not rows:
        return 0
    keys = {row.dedupe_key for row in rows}
    existing = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = [row for row in rows if row.dedupe_key not in existing]
    # ignore_conflicts (ON CONFLICT DO NOTHING) covers a concurrent sweep inserting the
    # same keys between the read above and this insert.
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def user_address(user, channel: str) -> str:
    """Where a user receives ``channel``: e-mail from the account; a mobile number from
    the account, else from the member record linked to it."""
    if channel == Channel.EMAIL:
        return user.email or ""
    if channel == Channel.SMS:
        if user.phone:
            return user.phone
        member = getattr(user, "member", None)  # the reverse one-to-one, if any
        return getattr(member, "mobile", "") or ""
    return ""


def user_notifications_build(
    *,
    user,
    kind: str,
    key: str,
    template: str,
    context: dict,
    channels: Sequence[str],
    link: str = "",
    office=None,
    rendered: dict[str, Message] | None = None,
) -> list[Notification]:
    """Unsaved outbox rows for one user, one per channel, with dedupe keys
    ``<key>:u<user id>:<channel>``. ``rendered`` caches messages by channel when the
    same text goes to many users."""
    rendered = {} if rendered is None else rendered
    rows = []
    for channel in channels:
        message = notification_render_once(
            rendered,
            template,
            context,
            channel,
            recipient_name=person_name(user),
            office=office if office is not None else getattr(user, "office", None),
            link=link,
        )
        rows.append(
            Notification(
                channel=channel,
                kind=kind,
                dedupe_key=f"{key}:u{user.pk}:{channel}",
                subject=message.subject,
                body=message.body,
                recipient=user,
                address=user_address(user, channel),
                link=link,
                office=office if office is not None else getattr(user, "office", None),
            )
        )
    return rows


def notify_user(
    *,
    user,
    kind: str,
    key: str,
    template: str,
    context: dict,
    channels: Sequence[str] = (Channel.EMAIL, Channel.PORTAL),
    link: str = "",
    office=None,
) -> list[Notification]:
    """Queue one notification per channel for ``user``; returns the rows that were new.

    ``key`` names the occasion (e.g. ``proposal-replied:42``); the user's id and the
    channel are appended. A channel the user has no address for (no e-mail, no mobile)
    is written with status skipped, so staff can see who could not be reached.
    """
    rows = user_notifications_build(
        user=user,
        kind=kind,
        key=key,
        template=template,
        context=context,
        channels=channels,
        link=link,
        office=office,
    )
    return notifications_insert(rows)


def notifications_insert(rows: Iterable[Notification]) -> list[Notification]:
    """Write unsaved rows one by one (``notification_insert``); returns the new ones."""
    return [row for row in rows if notification_insert(row=row) is not None]


@service
def notification_mark_read(*, notification: Notification, actor) -> Notification:
    if notification.recipient_id != actor.pk:
        # Views find the row through liaison.selectors.inbox (scoped to the user) first;
        # this is the safety net for other callers.

        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_fulfilled(*, member, kinds: Sequence[str], link: str) -> int:
    """The member has done what the portal messages of ``kinds`` about ``link`` asked
    (rated the reply, answered the invitation …): mark them read, so the inbox does not
    keep asking. Called by the service that did it, inside its transaction; each area's
    ``notifications.py`` names the kinds its action fulfils."""
    if member is None or not member.user_id:
        return 0
    return Notification.objects.filter(
        recipient_id=member.user_id,
        channel=Channel.PORTAL,
        kind__in=kinds,
        link=link,
        read_at__isnull=True,
    ).update(read_at=timezone.now())


@service
def user_set_large_text(*, user, on: bool) -> None:
    """The portal's large-text mode (适老化), remembered on the account."""
    get_user_model().objects.filter(pk=user.pk).update(large_text=on)
    user.large_text = on


@service
def notifications_mark_all_read(*, actor) -> int:

    return unread_inbox(actor).update(read_at=timezone.now())


def notify_office_staff(
    *, office, kind: str, key: str, template: str, context: dict, link: str = ""
) -> list[Notification]:
    """Queue a notification (e-mail and in-system) to each of the office's staff."""

    rows = []
    for user in office_staff([office.pk]):
        rows += notify_user(
            user=user,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=office,
        )
    return rows


def notify_unit(
    *,
    record,
    url_name: str,
    kind: str,
    key: str,
    template: str,
    context: dict | None = None,
    office=None,
) -> Notification | None:
    """E-mail a handling unit (which has no account) about ``record`` — anything with a
    ``unit`` — with a fresh signed link to the page named ``url_name``. The template
    gets ``unit`` and ``link`` besides ``context``."""

    unit = record.unit
    link = unit_link_url(record, url_name)
    message = notification_render(
        template=template,
        context={**(context or {}), "unit": unit, "link": link},
        recipient_name=unit.name,
        office=office or unit.office,
        link=link,
    )
    return notification_queue(
        channel=Channel.EMAIL,
        kind=kind,
        dedupe_key=key,
        subject=message.subject,
        body=message.body,
        address=unit.email,
        link=link,
        office=office or unit.office,
    )


UNIT_CONTACT_FIELDS = ("email", "phone")


def notify_unit_contact_changed(*, unit, actor, before: dict) -> list[Notification]:
    """Tell district staff that a handling unit's contact e-mail or phone changed.

    Reminders carry signed links to the unit's records to that address, so a changed
    address is something the district checks (the history row keeps the old value).
    ``before`` holds the old values of ``UNIT_CONTACT_FIELDS``; nothing is queued when
    none of them changed. One occasion per history row of the unit.
    """
    changed = [f for f in UNIT_CONTACT_FIELDS if before.get(f, "") != getattr(unit, f)]
    if not changed:
        return []
    version = unit.history.order_by("-history_id").values_list("history_id", flat=True).first()
    context = {
        "unit": unit,
        "actor": actor,
        "office": unit.office,
        "changes": [
            (unit._meta.get_field(f).verbose_name, before.get(f, ""), getattr(unit, f))
            for f in changed
        ],
    }
    rows = []
    district = unit.district_id or (unit.office.district_id if unit.office_id else None)
    for user in district_staff(district):
        rows += notify_user(
            user=user,
            kind="unit_contact_changed",
            key=f"unit-contact:{unit.pk}:{version}",
            template="unit_contact_changed",
            context=context,
            office=unit.office,
        )
    return rows


def _calendar_reason(days: Iterable[CalendarDay]) -> str:
    """How the history rows name a change: "2027年春节", "2027年春节调休上班"."""
    names = dict.fromkeys(f"{d.date.year}年{d.name or f'{d.date:%m-%d}'}" for d in days)
    return "、".join(names)


@service
def calendar_day_save(
    *, actor, day: CalendarDay, previous_date: datetime.date | None = None
) -> int:
    """Save a holiday or make-up working day staff entered or corrected, and move the
    open deadlines counted over it (the old date too, when the date itself changed).
    Returns how many deadlines moved."""
    day.save()
    days = {day.date} | ({previous_date} if previous_date else set())
    change = workdays.CalendarChange(
        days=frozenset(days), reason=_calendar_reason([day]), actor=actor
    )
    return workdays.deadlines_recompute(change)


@service
def calendar_days_delete(*, actor, days: Iterable[CalendarDay]) -> int:
    """Delete calendar days (they become ordinary weekdays or weekends again) and move
    the open deadlines counted over them."""
    days = list(days)
    for day in days:
        day.delete()
    change = workdays.CalendarChange(
        days=frozenset(d.date for d in days),
        reason=_("删除%(days)s") % {"days": _calendar_reason(days)},
        actor=actor,
    )
    return workdays.deadlines_recompute(change)


@dataclass(frozen=True)
class CalendarRefresh:
    added: int
    corrected: int
    moved: int


@service
def calendar_refresh(*, actor=None) -> CalendarRefresh:
    """Bring in the installed chinese-calendar's days the database lacks, and correct
    days whose holiday/working flag differs from the package's (it follows the State
    Council's notices); names staff typed are kept. Days only staff entered stay."""
    existing = {d.date: d for d in CalendarDay.objects.all()}
    added, corrected = [], []
    for date, working, name in workdays.package_calendar_days():
        row = existing.get(date)
        if row is None:
            added.append(CalendarDay(date=date, is_working_day=working, name=name))
        elif row.is_working_day != working:
            row.is_working_day = working
            corrected.append(row)
    for row in [*added, *corrected]:
        row.save()
    changed = [*added, *corrected]
    if not changed:
        return CalendarRefresh(added=0, corrected=0, moved=0)
    years = "、".join(sorted({str(d.date.year) for d in changed}))
    change = workdays.CalendarChange(
        days=frozenset(d.date for d in changed),
        reason=_("%(years)s年节假日数据更新，chinesecalendar %(version)s")
        % {"years": years, "version": version("chinesecalendar")},
        actor=actor,
    )
    moved = workdays.deadlines_recompute(change)
    return CalendarRefresh(added=len(added), corrected=len(corrected), moved=moved)


@dataclass(frozen=True)
class Account:
    """A staff account to set up: ``role`` is liaison.roles.OFFICE_STAFF (bound to the
    office) or DISTRICT_STAFF (every office); ``password`` None keeps an existing one."""

    username: str
    full_name: str
    role: str
    email: str = ""
    password: str | None = None


@service
def office_set_up(
    *, code: str, name: str, street: str, district: str, accounts: Sequence[Account]
) -> tuple[object, list[tuple[Account, bool]]]:
    """The office with this code (created, or its name, street and district brought up
    to date) and its staff accounts in their roles. An account that exists keeps its
    password; each is put in its role's group. Returns the office and, per account,
    whether it was created. Running it again changes nothing."""
    from django.contrib.auth.models import Group

    from . import roles
    from .models import District, Office, User

    district_row = District.objects.get_or_create(name=district)[0] if district else None
    office, _created = Office.objects.update_or_create(
        code=code, defaults={"name": name, "street": street, "district": district_row}
    )
    office.full_clean()
    results = []
    for account in accounts:
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if created:
            user = User(username=account.username)
            user.set_password(account.password)
        user.full_name = account.full_name or user.full_name
        user.email = account.email or user.email
        user.is_staff = True
        user.office = office if account.role == roles.OFFICE_STAFF else None
        user.full_clean()
        user.save()
        user.groups.add(Group.objects.get(name=account.role))
        results.append((account, created))
    return office, results
