import datetime

from django import template
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
