"""The member's activities in the portal: upcoming and past invitations, a month
calendar, each activity's page (reply or ask for leave, materials, opinions), and the
page the sign-in QR code opens.

Reads come from briefings.selectors, scoped to the signed-in member: an activity they
were not invited to (outside their own office's published ones) is a 404. Writes go
through briefings.services; a refusal shows its message and changes nothing."""

import calendar
import datetime
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from briefings import services
from briefings.models import Activity, ActivityConfig, Invitation
from briefings.selectors import (
    member_activities,
    member_activity_detail,
    member_month,
    member_past,
    member_upcoming,
)
from briefings.signin import sign_in_check
from liaison.workflow import WorkflowError

from .views import _page, member_required

PAST_SHOWN = 20


class ReplyForm(forms.Form):
    attending = forms.TypedChoiceField(
        label=gettext_lazy("是否参加"),
        choices=[("1", gettext_lazy("参加")), ("0", gettext_lazy("请假"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("请假事由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpinionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题（可选）"), required=False, max_length=200)
    content = forms.CharField(
        label=gettext_lazy("意见建议"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


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
    try:
        year, month = (int(p) for p in value.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


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
        weekdays=["一", "二", "三", "四", "五", "六", "日"],
    )


@member_required
def activity_detail(request, pk):
    activity = _activity_or_404(request, pk)
    invitation = activity.my_invitation
    now = timezone.now()
    is_open = activity.status == Activity.Status.PUBLISHED
    config = ActivityConfig.for_office(activity.office)
    opinions_close = activity.ends_at + datetime.timedelta(days=config.opinion_days)
    can_give_opinion = (
        invitation is not None
        and activity.status in (Activity.Status.PUBLISHED, Activity.Status.HELD)
        and activity.starts_at <= now <= opinions_close
    )
    reply_form = None
    if invitation is not None and is_open and now < activity.starts_at:
        reply_form = ReplyForm(
            initial={
                "attending": "0" if invitation.reply == Invitation.Reply.LEAVE else "1",
                "reason": invitation.leave_reason,
            }
        )
    return _page(
        request,
        "portal/briefings/detail.html",
        activity=activity,
        invitation=invitation,
        reply_form=reply_form,
        opinion_form=OpinionForm() if can_give_opinion else None,
        opinions_close=opinions_close,
    )


def _back(pk):
    return redirect("portal:activity_detail", pk)


@require_POST
@member_required
def activity_reply(request, pk):
    activity = _activity_or_404(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择参加或请假。"))
        return _back(pk)
    attending = form.cleaned_data["attending"]
    try:
        services.invitation_reply(
            activity=activity,
            member=request.member,
            actor=request.user,
            attending=attending,
            reason=form.cleaned_data["reason"],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已回复参加，期待您的到来。")
            if attending
            else _("请假申请已提交，联络处审批后会通知您。"),
        )
    return _back(pk)


@require_POST
@member_required
def activity_opinion(request, pk):
    activity = _activity_or_404(request, pk)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写意见建议的内容。"))
        return _back(pk)
    try:
        services.opinion_submit(
            activity=activity, member=request.member, actor=request.user, **form.cleaned_data
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("感谢您的意见建议！联络处将梳理后转有关部门办理并向您反馈。"))
    return _back(pk)


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
    one tap (a POST, so a link preview cannot sign anyone in)."""
    # Only activities the member may open (invited, or their own office's): another
    # office's activity is 404 here as on its detail page.
    activity = get_object_or_404(
        member_activities(request.member).select_related("office", "kind"), pk=pk
    )
    error = None
    invitation = None
    signed_now = False
    if request.method == "POST":
        try:
            invitation, signed_now = services.attendance_sign_in(
                activity=activity, member=request.member, actor=request.user, token=token
            )
        except WorkflowError as exc:
            error = str(exc)
    else:
        try:
            sign_in_check(activity, token)
            invitation = Invitation.objects.filter(activity=activity, member=request.member).first()
            if invitation is None:
                error = _("您不在本次活动的邀请名单中。如需参加，请与联络处联系。")
        except WorkflowError as exc:
            error = str(exc)
    return _page(
        request,
        "portal/briefings/sign_in.html",
        activity=activity,
        invitation=invitation,
        error=error,
        signed_now=signed_now,
        token=token,
    )
