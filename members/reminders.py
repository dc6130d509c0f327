"""Birthday reminders (DOMAIN.md: staff attend members' major events, a birthday among
them): a greeting to the member on the day, and a heads-up to the office's staff
``Office.birthday_heads_up_days`` days before, so a visit or a call can be arranged.

Queueing only writes outbox rows (``liaison.services``); the outbox sweep sends them.
Each row's dedupe key names the occasion (member, year, recipient, channel), so running
the sweep again the same day — or again after a failure — writes nothing new.

Which channels greet the member: a portal message when the member has an account
(the portal keeps it), plus ONE direct message — the one the member chose for birthday
greetings (by default a text message: members mostly read on their phones, DOMAIN.md;
members/notifications.py). Sending a greeting by every channel at once would feel like
a mass mailing, not a greeting. A member with no account, mobile or e-mail gets nothing.

A birthday on 29 February is celebrated on 28 February in a common year.
"""

import calendar
import datetime
import operator
from functools import reduce

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from liaison import messages
from liaison.models import Notification, Office, User
from liaison.selectors import office_staff
from liaison.services import (
    Message,
    notification_render,
    notifications_queue,
    user_notifications_build,
)

from .models import Member
from .notifications import member_channels

Channel = Notification.Channel

GREETING_KIND = "birthday_greeting"
HEADS_UP_KIND = "birthday_heads_up"
HEADS_UP_CHANNELS = (Channel.EMAIL, Channel.PORTAL)


def birthday_in(birth_date: datetime.date, year: int) -> datetime.date:
    """The day the birthday is celebrated in ``year`` (29 Feb -> 28 Feb in a common
    year)."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 2, 28)
    return birth_date.replace(year=year)


def _born_on(days: list[datetime.date]) -> Q:
    """Members whose birthday is celebrated on one of ``days``, matched by month and
    day in the database."""
    conditions = []
    for day in days:
        conditions.append(Q(birth_date__month=day.month, birth_date__day=day.day))
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            conditions.append(Q(birth_date__month=2, birth_date__day=29))
    return reduce(operator.or_, conditions)


def _serving_members():
    return Member.objects.filter(
        status=Member.Status.SERVING, birth_date__isnull=False
    ).select_related("office", "user", "sector")


def _absolute(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _greeting_rows(member: Member, birthday: datetime.date) -> list[Notification]:
    context = {"member": member, "office": member.office, "birthday": birthday}
    rows = []
    for channel, address in member_channels(member, GREETING_KIND):
        message = notification_render(
            template=GREETING_KIND,
            context=context,
            channel=channel,
            recipient_name=member.name,
            office=member.office,
            link=reverse("portal:dashboard"),
        )
        sms_params = {"name": member.name}
        if channel == Channel.SMS:
            text, sms_params = messages.sms_render(
                GREETING_KIND, context, name=member.name, office=member.office
            )
            message = Message(subject=message.subject, body=text)
        rows.append(
            Notification(
                office=member.office,
                recipient=member.user if member.user_id else None,
                channel=channel,
                address=address,
                kind=GREETING_KIND,
                dedupe_key=f"birthday-greeting:{member.pk}:{birthday.year}:{channel}",
                subject=message.subject,
                body=message.body,
                link=reverse("portal:dashboard") if channel == Channel.PORTAL else "",
                sms_params=sms_params if channel == Channel.SMS else {},
            )
        )
    return rows


def _heads_up_members(today: datetime.date):
    """Members whose birthday falls within their office's heads-up window
    (today, today + N days], with the day it falls on.

    The whole window, not just day N: if a sweep was missed (Redis or the worker down
    that morning), the next one still warns staff of every birthday not yet past, and
    the dedupe keys keep those who were already warned from being warned twice.
    """
    lead_times = sorted(set(Office.objects.values_list("birthday_heads_up_days", flat=True)) - {0})
    if not lead_times:
        return []
    condition = reduce(
        operator.or_,
        (
            Q(office__birthday_heads_up_days=days)
            & _born_on([today + datetime.timedelta(days=n) for n in range(1, days + 1)])
            for days in lead_times
        ),
    )
    found = []
    for member in _serving_members().filter(condition):
        horizon = today + datetime.timedelta(days=member.office.birthday_heads_up_days)
        for year in (today.year, today.year + 1):
            birthday = birthday_in(member.birth_date, year)
            if today < birthday <= horizon:
                found.append((member, birthday))
                break
    return found


def _office_staff(office_ids: set[int]) -> dict[int, list[User]]:
    staff: dict[int, list[User]] = {office_id: [] for office_id in office_ids}
    if not office_ids:
        return staff
    for user in office_staff(office_ids):
        staff[user.office_id].append(user)
    return staff


def _heads_up_rows(
    member: Member, birthday: datetime.date, today: datetime.date, staff: list[User]
) -> list[Notification]:
    context = {
        "member": member,
        "office": member.office,
        "birthday": birthday,
        "days_left": (birthday - today).days,
        "age": birthday.year - member.birth_date.year,
        "link_url": _absolute(reverse("admin:members_member_change", args=[member.pk])),
    }
    rendered = {}  # the same text for every staff member of the office
    rows = []
    for user in staff:
        rows += user_notifications_build(
            user=user,
            kind=HEADS_UP_KIND,
            key=f"birthday-heads-up:{member.pk}:{birthday.year}",
            template=HEADS_UP_KIND,
            context=context,
            channels=HEADS_UP_CHANNELS,
            link=reverse("admin:members_member_change", args=[member.pk]),
            office=member.office,
            rendered=rendered,
        )
    return rows


def birthday_reminders_queue(today: datetime.date) -> int:
    """Queue today's birthday greetings and the staff heads-up for birthdays coming
    within each office's lead time. Returns how many notifications were new.

    A fixed number of queries whatever the size of the roster: members are matched by
    month and day in the database, staff are read once for all offices, and the rows
    are inserted in bulk.
    """
    rows = []
    for member in _serving_members().filter(_born_on([today])):
        rows += _greeting_rows(member, today)

    heads_up = _heads_up_members(today)
    staff = _office_staff({member.office_id for member, _ in heads_up})
    for member, birthday in heads_up:
        rows += _heads_up_rows(member, birthday, today, staff[member.office_id])

    return notifications_queue(rows=rows)
