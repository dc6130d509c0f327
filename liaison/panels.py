"""The admin index's own panels: the staff member's messages (reminders with the portal
channel addressed to them — birthdays ahead, proposals waiting, targets behind), and the
warning that a year's holiday schedule is missing from the working-day calendar, and the
kinds of text message the SMS gateway has no template for."""

from django.utils.translation import gettext as _

from . import workdays
from .dashboard import (
    Panel,
    district_groups,
    expanded_district,
    register,
    todos_for,
    todos_per_office,
)
from .models import today
from .scoping import sees_all_offices, shows_districts, visible_offices
from .selectors import inbox, sms_kinds_without_template, unread_inbox

LATEST = 8


@register
def my_messages(request):
    unread = unread_inbox(request.user).count()
    latest = list(inbox(request.user)[:LATEST])
    if not latest:
        return None
    return Panel(
        title=_("我的消息（%(n)s 条未读）") % {"n": unread},
        template="admin/liaison/inbox_panel.html",
        context={"messages": latest, "unread": unread},
        order=1,
    )


@register
def calendar_missing(request):
    """Next year's holidays are not in the calendar yet: deadlines counted into that year
    are provisional until staff enter the State Council's schedule."""
    year = workdays.missing_schedule_year(today())
    if year is None:
        return None
    return Panel(
        title=_("%(year)s年节假日安排尚未录入") % {"year": year},
        template="admin/liaison/calendar_panel.html",
        context={
            "year": year,
            "can_enter": request.user.has_perm("liaison.add_calendarday")
            and sees_all_offices(request.user),
        },
        order=0,
    )


@register
def sms_templates_missing(request):
    """Warns staff that some kinds of text message reach members only in the portal,
    because the SMS gateway has no template for them."""
    kinds = sms_kinds_without_template(request.user)
    if not kinds:
        return None
    return Panel(
        title=_("短信模板缺失：以下消息已改为站内消息"),
        template="admin/liaison/sms_templates_panel.html",
        context={"kinds": kinds},
        order=0,
    )


@register
def my_todos(request):
    """What waits for office staff, from every area (liaison.dashboard.todos): to
    register, to assign, overdue, leave to approve, concerns to triage, visits due."""
    if not request.user.is_staff:
        return None
    offices = list(visible_offices(request.user).select_related("district").order_by("code"))
    if not offices:
        return None
    todos = todos_for(request, offices)
    context = {"todos": todos}
    if len(offices) > 1:  # district staff: the same per office, in one table
        context["per_office"] = todos_per_office(todos, offices)
        if shows_districts(request):  # the city's: a row per district, its offices below
            context["districts"] = district_groups(
                context["per_office"],
                lambda row: [count for count, _url in row["cells"]],
                expanded=expanded_district(request),
            )
    return Panel(
        title=_("待办事项"),
        template="admin/liaison/todos_panel.html",
        context=context,
        order=-1,
        wide=len(offices) > 1,
    )
