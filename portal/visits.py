"""The member's visits (走访), life events (重要事项) and concerns (意见建议) in the
portal.

Reads come from visits.selectors, scoped to the signed-in member: another member's id
in the URL is a 404, and staff-only visit notes are never read. Writes go through
visits.services; a refused move shows its message on the page."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison.actions import Actor
from liaison.limits import TEXT, LimitedForm
from liaison.models import today
from liaison.workflow import WorkflowError, history_for
from visits import services
from visits.actions import CONCERN_ACTIONS, concern_actions
from visits.models import Concern, ConcernCategory, LifeEvent, Visit
from visits.selectors import (
    member_concern_detail,
    member_concerns,
    member_life_events,
    member_visit_detail,
    member_visits,
)
from visits.workflows import CONCERN_WORKFLOW

from .actions import Handler, buttons, take
from .views import _page, member_required

RESULT_STATUSES = (Concern.Status.RESOLVED, Concern.Status.UNRESOLVABLE)


class ConcernForm(LimitedForm):
    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=200,
        help_text=gettext_lazy("一句话说明问题，例如“某某路口红绿灯时间过短”。"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("类别"),
        queryset=ConcernCategory.objects.filter(is_active=True),
        required=False,
    )
    content = forms.CharField(
        max_length=TEXT,
        label=gettext_lazy("具体情况和建议"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("提交"), css_class="w-100"))


class ConfirmForm(LimitedForm):
    satisfied = forms.TypedChoiceField(
        label=gettext_lazy("您对办理结果是否满意"),
        choices=(("1", gettext_lazy("满意")), ("0", gettext_lazy("不满意"))),
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择满意或不满意。")},
    )
    comments = forms.CharField(
        label=gettext_lazy("意见"),
        required=False,
        help_text=gettext_lazy("不满意的，请说明原因，我们将督促重新办理。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LifeEventForm(LimitedForm):
    kind = forms.ChoiceField(label=gettext_lazy("事项"), choices=LifeEvent.Kind.choices)
    occurred_on = forms.DateField(
        label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(
        label=gettext_lazy("地点"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("例如医院和病房、活动地点。"),
    )
    description = forms.CharField(
        label=gettext_lazy("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("告知联络处"), css_class="w-100"))


# --- Visits ---------------------------------------------------------------------------


@member_required
def visit_list(request):
    return _page(
        request,
        "portal/visits/list.html",
        visits=list(member_visits(request.member)),
        life_events=list(member_life_events(request.member)[:10]),
    )


@member_required
def visit_detail(request, pk):
    try:
        visit = member_visit_detail(request.member, pk)
    except Visit.DoesNotExist as error:
        raise Http404 from error
    return _page(request, "portal/visits/detail.html", visit=visit)


@member_required
def life_event_create(request):
    form = LifeEventForm(request.POST or None, initial={"occurred_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.life_event_record(
                actor=request.user, member=request.member, **form.cleaned_data
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已告知联络处，谢谢！工作人员会与您联系。"))
            return redirect("portal:visits")
    return _page(request, "portal/visits/life_event_form.html", form=form)


# --- Concerns -------------------------------------------------------------------------


def _concern_or_404(request, pk) -> Concern:
    try:
        return member_concern_detail(request.member, pk)
    except Concern.DoesNotExist as error:
        raise Http404 from error


@member_required
def concern_list(request):
    return _page(
        request, "portal/visits/concern_list.html", concerns=list(member_concerns(request.member))
    )


@member_required
def concern_create(request):
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.concern_create(
                actor=request.user,
                office=request.member.office,
                member=request.member,
                source=Concern.Source.PORTAL,
                **form.cleaned_data,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("意见建议已提交联络处，办理情况可在此查看。"))
            return redirect("portal:concern_detail", concern.pk)
    return _page(request, "portal/visits/concern_form.html", form=form)


def _confirmed(data) -> str:
    if data["satisfied"]:
        return _("感谢您的确认，该事项已办结。")
    return _("已转告承办单位重新办理，办理结果会再次反馈给您。")


# How the portal takes each member action of visits.actions on a concern.
CONCERN_HANDLERS = {
    "confirm": Handler(
        lambda request, c, d: services.concern_confirm(
            concern=c, actor=request.user, member=request.member, **d
        ),
        _confirmed,
        form=ConfirmForm,
        submit=gettext_lazy("提交评价"),
    ),
}


@member_required
def concern_detail(request, pk):
    concern = _concern_or_404(request, pk)
    # The unit's result reaches the member once staff have fed it back.
    show_result = bool(concern.result) and concern.fed_back_at is not None
    timeline = list(history_for(concern))
    for change in timeline:
        change.to_label = Concern.MEMBER_LABELS.get(
            change.to_status, CONCERN_WORKFLOW.label(change.to_status)
        )
        if change.to_status in RESULT_STATUSES and not show_result:
            change.note = ""
    return _page(
        request,
        "portal/visits/concern_detail.html",
        concern=concern,
        timeline=timeline,
        show_result=show_result,
        buttons=buttons(
            concern,
            concern_actions(concern, Actor.of_member(request.member)),
            CONCERN_HANDLERS,
            "portal:concern_act",
            request,
        ),
    )


@require_POST
@member_required
def concern_act(request, pk, name):
    return take(
        request,
        _concern_or_404(request, pk),
        table=CONCERN_ACTIONS,
        handlers=CONCERN_HANDLERS,
        name=name,
        back=reverse("portal:concern_detail", args=[pk]),
    )
