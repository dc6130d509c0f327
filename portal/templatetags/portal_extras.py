import datetime
import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from reports.duty import COMPETENT, EXCELLENT, INCOMPETENT

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A lockout's cool-off (a timedelta) in whole minutes, for people to read."""
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 60)
    return value


@register.filter
def local_link(value: str) -> str:
    """Only links into this site (``/portal/...``) are rendered from a notification, so
    a bad row can never send a member to another host or run a ``javascript:`` URL."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return ""


# reports.duty names grades in Chinese (the committee's documents print them so); the
# member reads them in the page's language.
GRADE_LABELS = {EXCELLENT: _("优秀"), COMPETENT: _("称职"), INCOMPETENT: _("不称职")}


@register.filter
def grade_label(grade: str) -> str:
    return GRADE_LABELS.get(grade, grade)


# The portal's navigation, in the bar's order: (URL name, label, active only on the exact
# path). The last is the inbox, which carries the unread count.
NAV = (
    ("portal:dashboard", _("工作台"), True),
    ("portal:proposals", _("提案"), False),
    ("portal:opinions", _("社情民意"), False),
    ("portal:research", _("调研"), False),
    ("portal:activities", _("活动"), False),
    ("portal:visits", _("走访"), False),
    ("portal:concerns", _("意见建议"), False),
    ("portal:consultations", _("征求意见"), False),
    ("portal:study", _("学习"), False),
    ("portal:duty_record", _("履职档案"), False),
    ("portal:profile", _("个人信息"), False),
    ("portal:notifications", _("消息"), False),
)


@functools.cache
def _nav_urls(prefix: str) -> tuple[str, ...]:
    return tuple(reverse(name) for name, _label, _exact in NAV)


@register.simple_tag(takes_context=True)
def portal_nav(context) -> list[dict]:
    """The navigation bar's items for this request: link, label, whether it is the page
    (or, but for the home page, a page under it) shown. The links are reversed once per
    process and script prefix: every portal page draws the bar."""
    path = context["request"].path
    return [
        {
            "url": url,
            "label": label,
            "current": path == url,
            "active": path == url or (not exact and url in path),
        }
        for url, (_name, label, exact) in zip(_nav_urls(get_script_prefix()), NAV, strict=True)
    ]
