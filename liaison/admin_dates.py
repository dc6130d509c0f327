"""One way of writing dates in the admin: 2026-05-13 (and 2026-05-13 09:30), in every
changelist, inline table, read-only field, timeline and custom admin page. The portal and
printed documents keep the language's named formats (3月20日, 2026年3月20日).

Django writes a date cell through ``display_for_field`` / ``display_for_value``, which
localize it with the language's DATE_FORMAT. Those two are wrapped once, for the admin's
list rows and read-only fields only (``install``, from the admin's AppConfig); templates
use the ``admin_date`` filter (``{% load admin_dates %}``). Overdue is a mark beside the
date (``overdue_badge``), never a different way of writing it."""

import datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M"


def admin_date(value):
    """``value`` (a date or datetime) as the admin writes it; anything else unchanged."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(DATETIME)
    if isinstance(value, datetime.date):
        return value.strftime(DATE)
    return value


def overdue_badge():
    """The red 逾期 mark written after an overdue record's date or status."""
    return format_html('<span class="badge-overdue">{}</span>', _("逾期"))


def _dated(display):
    def wrapper(value, *args, **kwargs):
        if isinstance(value, datetime.date):
            return admin_date(value)
        return display(value, *args, **kwargs)

    wrapper.__wrapped__ = display
    return wrapper


def install():
    """Make the admin's list rows and read-only fields write dates as ``admin_date``."""
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    for module in (admin_list, helpers):
        for name in ("display_for_field", "display_for_value"):
            display = getattr(module, name, None)
            if display is not None and not hasattr(display, "__wrapped__"):
                setattr(module, name, _dated(display))
