"""The shared pieces of every message (WORDING.md): the greeting for the audience, the
sign-off, the note that tells a unit the link is genuine, and dates written the way
the office writes them. Used by templates/emails/ through ``{% load wording %}``; the
context pieces come from liaison.messages.message_context."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

register = template.Library()

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _chinese() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")


def _split(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date(), value.strftime("%H:%M")
    return value, ""


@register.filter
def longdate(value, with_time=True):
    """2026年5月8日（星期五）14:30 — the date of a request or an occasion in prose."""
    if not value:
        return ""
    day, time = _split(value)
    if not with_time:
        time = ""
    if _chinese():
        text = f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS_ZH[day.weekday()]}）"
    else:
        text = f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"
        time = f", {time}" if time else ""
    return text + time


@register.filter
def longday(value):
    """The date alone, without the time of day."""
    return longdate(value, with_time=False)


@register.filter
def monthday(value):
    """5月8日 — in a subject line."""
    if not value:
        return ""
    day, _time = _split(value)
    if _chinese():
        return f"{day.month}月{day.day}日"
    return f"{day.day} {MONTHS_EN[day.month - 1]}"


@register.filter
def clock(value):
    """14:30 — the end of a range (14:30—16:30)."""
    return _split(value)[1] if value else ""


@register.simple_tag(takes_context=True)
def greeting(context):
    """尊敬的××委员： / ××（单位全称）： / ××同志： / ××："""
    name = context.get("recipient_name") or ""
    audience = context.get("audience")
    if audience == "member":
        return _("尊敬的%(name)s委员：") % {"name": name}
    if audience == "leader":
        return _("%(name)s同志：") % {"name": name}
    return _("%(name)s：") % {"name": name}


@register.simple_tag(takes_context=True)
def signoff(context, dated=False):
    """The office's full name and phone number (and the date, on a formal notice)."""
    office = context.get("sign_office")
    lines = [office.name if office is not None else _("区政协委员联络工作办公室")]
    phone = getattr(office, "phone", "")
    if phone:
        lines.append(_("联系电话：%(phone)s") % {"phone": phone})
    if dated:
        lines.append(longday(context.get("today") or timezone.localdate()))
    return "\n".join(lines)


@register.simple_tag(takes_context=True)
def unit_link_notice(context):
    """Who sent the unit's link, how long it works, and how to check it is genuine."""
    office = context.get("sign_office")
    name = office.name if office is not None else _("区政协委员联络工作办公室")
    phone = getattr(office, "phone", "")
    text = _(
        "本邮件由%(office)s发出。上面的链接专供贵单位办理本件使用，自发出之日起%(days)s天内有效，"
        "打开即可办理，请勿转发。"
    ) % {"office": name, "days": settings.UNIT_LINK_MAX_AGE_DAYS}
    if phone:
        text += _("如对本邮件的真实性有疑问，请致电%(phone)s核实。") % {"phone": phone}
    return text
