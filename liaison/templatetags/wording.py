"""The shared pieces of every message (WORDING.md): the greeting for the audience, the
sign-off, the note that tells a unit the link is genuine, and dates written the way
the office writes them. Used by templates/emails/ through ``{% load wording %}``; the
context pieces come from liaison.messages.message_context."""

import datetime

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison import messages

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


def _field(obj, name: str) -> str:
    """``obj.name`` or ``obj["name"]`` (an office may come as either), else ""."""
    if isinstance(obj, dict):
        return obj.get(name) or ""
    return getattr(obj, name, "") or ""


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
def plainday(value):
    """2026年5月8日 — a date inside brackets, or under a signature."""
    if not value:
        return ""
    day, _time = _split(value)
    if _chinese():
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


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
def signoff(context, dated=None):
    """The office's full name and phone number, and on a formal notice the date
    (``dated``: a date, or True for today)."""
    office = context.get("sign_office")
    lines = [_field(office, "name") or _("区政协委员联络工作办公室")]
    phone = _field(office, "phone")
    if phone:
        lines.append(_("联系电话：%(phone)s") % {"phone": phone})
    if dated:
        day = timezone.localdate() if dated is True else dated
        lines.append(plainday(day))
    return "\n".join(lines)


@register.simple_tag(takes_context=True)
def unit_link_notice(context):
    """Who sent the unit's (or an invited expert's) link, how long it works, and how to
    check it is genuine."""
    office = context.get("sign_office")
    name = _field(office, "name") or _("区政协委员联络工作办公室")
    phone = _field(office, "phone")
    values = {"office": name, "days": settings.UNIT_LINK_MAX_AGE_DAYS}
    if context.get("audience") == messages.EXPERT:
        text = (
            _(
                "本邮件由%(office)s发出。上面的链接专供您本人填写意见使用，自发出之日起%(days)s天内有效，"
                "打开即可填写，无需注册，请勿转发。"
            )
            % values
        )
    else:
        text = (
            _(
                "本邮件由%(office)s发出。上面的链接专供贵单位办理本件使用，自发出之日起%(days)s天内有效，"
                "打开即可办理，请勿转发。"
            )
            % values
        )
    if phone:
        text += _("如对本邮件的真实性有疑问，请致电%(phone)s核实。") % {"phone": phone}
    return text


@register.simple_tag(takes_context=True)
def link_line(context):
    """The page where the reader acts (or reads more), with a phone number for a member
    who cannot sign in. Nothing when the message has no page of its own (a digest lists
    a link per item)."""
    url = context.get("action_url") or ""
    if not url:
        return ""
    audience = context.get("audience")
    if audience == "member":
        line = _("委员服务平台：%(url)s") % {"url": url}
        phone = _field(context.get("sign_office"), "phone")
        if phone:
            line += "\n" + _("不便登录的，请致电%(phone)s，由工作人员代为办理。") % {"phone": phone}
        return line
    if audience == "unit":
        return _("办理链接：%(url)s") % {"url": url}
    if audience == messages.EXPERT:
        return _("填写意见：%(url)s") % {"url": url}
    if audience == "leader":
        return _("查阅页面：%(url)s") % {"url": url}
    return _("处理页面：%(url)s") % {"url": url}


@register.filter
def phrase(value, group):
    """The phrase a sentence needs for a coded value (liaison.messages.PHRASES): 到医院探望
    rather than the label 探望病患."""
    return messages.phrase(group, value)


@register.filter
def adoption_phrase(adoption):
    """被区政协采用, 由市政协转送有关部门研究 … for a public-opinion report's adoption."""
    level = messages.phrase("adoption_level", adoption.level)
    return messages.phrase("adoption", adoption.kind) % {"level": level}
