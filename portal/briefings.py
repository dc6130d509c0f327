"""The member's activities in the portal: upcoming and past invitations, a month
calendar, each activity's page (reply or ask for leave, materials, opinions), and the
page the sign-in QR code opens.

Reads come from briefings.selectors, scoped to the signed-in member: an activity they
were not invited to (outside their own office's published ones) is a 404. What the
member may do now is briefings.actions: the activity's page draws those buttons and
each posts to the activity's one action URL (``activity_act``), which calls the service;
a stale or refused click is told why and changes nothing."""

import calendar
import dataclasses
import datetime
from collections import defaultdict

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from briefings import services
from briefings.actions import ACTIVITY_ACTIONS, activity_actions, invitation_of
from briefings.models import Activity, Invitation
from briefings.selectors import (
    member_activities,
    member_activity_detail,
    member_month,
    member_past,
    member_upcoming,
)
from briefings.signin import token_refusal
from briefings.workflows import opinion_window
from liaison.actions import MEMBER, Actor
from liaison.limits import LimitedForm, month_param
from liaison.workflow import WorkflowError

from .actions import Handler, buttons, take
from .views import _page, member_required

PAST_SHOWN = 20
# The calendar's column heads, Monday first.
WEEKDAYS = [
    pgettext_lazy("星期", "一"),
    pgettext_lazy("星期", "二"),
    pgettext_lazy("星期", "三"),
    pgettext_lazy("星期", "四"),
    pgettext_lazy("星期", "五"),
    pgettext_lazy("星期", "六"),
    pgettext_lazy("星期", "日"),
]


class ReplyForm(LimitedForm):
    attending = forms.TypedChoiceField(
        label=gettext_lazy("是否参加"),
        choices=[("1", gettext_lazy("参加")), ("0", gettext_lazy("请假"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择参加或请假。")},
    )
    reason = forms.CharField(
        label=gettext_lazy("请假事由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpinionForm(LimitedForm):
    title = forms.CharField(label=gettext_lazy("标题（可选）"), required=False, max_length=200)
    # Not required here: an empty opinion is refused by the service, in its words.
    content = forms.CharField(
        label=gettext_lazy("意见建议"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class SignInForm(LimitedForm):
    """The code scanned, carried by the sign-in page's confirmation."""

    token = forms.CharField(widget=forms.HiddenInput)


def _activity_or_404(request, pk) -> Activity:
    try:
        return member_activity_detail(request.member, pk)
    except Activity.DoesNotExist as error:
        raise Http404 from error


@member_required
def activity_list(request):
    return _page(
        request,
        "portal/briefings/list.html",
        upcoming=list(member_upcoming(request.member)),
        past=list(member_past(request.member)[:PAST_SHOWN]),
    )


def _month(value: str, today: datetime.date) -> datetime.date:
    # month_param refuses years outside 1900–2100: the grid's next and previous months
    # would overflow datetime.date at year 9999.
    return month_param(value) or today.replace(day=1)


@member_required
def activity_calendar(request):
    """A month grid drawn on the server (no script): each day lists the member's
    activities; on a phone the list below the grid is what one reads."""
    today = timezone.localdate()
    first = _month(request.GET.get("month", ""), today)
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    before = (first - datetime.timedelta(days=1)).replace(day=1)
    invitations = list(member_month(request.member, first, after))
    by_day = defaultdict(list)
    for invitation in invitations:
        by_day[invitation.activity.date].append(invitation)
    weeks = [
        [
            {
                "date": day,
                "in_month": day.month == first.month,
                "is_today": day == today,
                "items": by_day.get(day, []),
            }
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return _page(
        request,
        "portal/briefings/calendar.html",
        month=first,
        weeks=weeks,
        invitations=invitations,
        previous=f"{before:%Y-%m}",
        next=f"{after:%Y-%m}",
        weekdays=WEEKDAYS,
    )


def _reply_success(data) -> str:
    if data["attending"]:
        return _("已回复参加，期待您的到来。")
    return _("请假申请已提交，联络处审批后会通知您。")


def _reply(request, activity, data):
    services.invitation_reply(activity=activity, member=request.member, actor=request.user, **data)


def _opinion(request, activity, data):
    services.opinion_submit(activity=activity, member=request.member, actor=request.user, **data)


def _sign_in(request, activity, data) -> bool:
    """True when this scan signed the member in (False: they already were)."""
    _invitation, signed_now = services.attendance_sign_in(
        activity=activity, member=request.member, actor=request.user, token=data["token"]
    )
    return signed_now


ACTIVITY_HANDLERS = {
    "reply": Handler(_reply, _reply_success, form=ReplyForm),
    "opinion": Handler(
        _opinion,
        gettext_lazy("感谢您的意见建议！联络处将梳理后转有关部门办理并向您反馈。"),
        form=OpinionForm,
    ),
    "sign_in": Handler(_sign_in, gettext_lazy("签到成功，欢迎参加！"), form=SignInForm),
}


@member_required
def activity_detail(request, pk):
    activity = _activity_or_404(request, pk)
    invitation = activity.my_invitation
    actions = [
        a
        for a in activity_actions(activity, Actor.of_member(request.member))
        if a.name != "sign_in"  # taken on the page the QR code opens
    ]
    by_name = {
        b.action.name: b
        for b in buttons(activity, actions, ACTIVITY_HANDLERS, "portal:activity_act", request)
    }
    if "reply" in by_name and not by_name["reply"].form.is_bound:
        # The form opens on the member's current answer (unless just refused: then on
        # what they sent, e.g. 请假 without its reason).
        by_name["reply"] = dataclasses.replace(
            by_name["reply"],
            form=ReplyForm(
                initial={
                    "attending": "0" if invitation.reply == Invitation.Reply.LEAVE else "1",
                    "reason": invitation.leave_reason,
                }
            ),
        )
    return _page(
        request,
        "portal/briefings/detail.html",
        activity=activity,
        invitation=invitation,
        reply_button=by_name.pop("reply", None),
        opinion_button=by_name.pop("opinion", None),
        buttons=list(by_name.values()),
        opinions_close=opinion_window(activity)[1],
    )


@require_POST
@member_required
def activity_act(request, pk, name):
    return take(
        request,
        _activity_or_404(request, pk),
        table=ACTIVITY_ACTIONS,
        handlers=ACTIVITY_HANDLERS,
        name=name,
        back=reverse("portal:activity_detail", args=[pk]),
    )


@member_required
def activity_material(request, pk, material_pk):
    """A meeting material, for invited members only."""
    activity = _activity_or_404(request, pk)
    if activity.my_invitation is None:
        raise Http404
    material = next((m for m in activity.materials.all() if m.pk == material_pk), None)
    if material is None:
        raise Http404
    extension = material.file.name.rsplit(".", 1)[-1] if "." in material.file.name else ""
    filename = f"{material.title}.{extension}" if extension else material.title
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=filename)


@member_required
def activity_sign_in(request, pk, token):
    """The page the QR code opens. GET shows what will happen; the member confirms with
    one tap (a POST, so a link preview cannot sign anyone in), and the answer is shown
    on the same page: the address is what was scanned, with the code in it."""
    # Only activities the member may open (invited, or their own office's): another
    # office's activity is 404 here as on its detail page.
    activity = get_object_or_404(
        member_activities(request.member).select_related("office", "kind"), pk=pk
    )
    error = None
    signed_now = False
    if request.method == "POST":
        try:
            signed_now = ACTIVITY_HANDLERS["sign_in"].run(request, activity, {"token": token})
        except WorkflowError as exc:
            error = str(exc)
    invitation = invitation_of(activity, request.member)
    signed_in = invitation is not None and invitation.attendance == Invitation.Attendance.ATTENDED
    if error is None and not signed_in:
        error = token_refusal(activity, token) or ACTIVITY_ACTIONS.refusal(
            activity, Actor.of_member(request.member), "sign_in"
        )
    return _page(
        request,
        "portal/briefings/sign_in.html",
        activity=activity,
        invitation=invitation,
        error=error,
        signed_now=signed_now,
        sign_in=None if error or signed_in else ACTIVITY_ACTIONS.action(MEMBER, "sign_in"),
    )
