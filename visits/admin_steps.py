"""How staff take each visit and concern action in the admin: a small form that calls a
service (liaison.admin_workflow). Which actions are offered, and under which label, is
``visits.actions``; the services check the move again under a row lock, so a stale page
gets a clear message, never a 500.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.admin_workflow import ConfirmForm, ReasonForm, Step
from liaison.limits import TEXT, LimitedForm
from liaison.models import HandlingUnit, today
from liaison.scoping import scope_queryset
from liaison.selectors import office_staff
from liaison.widgets import PickList
from members.models import Member

from . import services
from .forms import ResultForm, result_kwargs
from .models import Concern, ConcernCategory


def _leaders(text: str) -> list[tuple[str, str]]:
    """One leader per line, "name title" or "name，title"."""
    leaders = []
    for line in (text or "").splitlines():
        line = line.strip().replace("，", " ").replace(",", " ")
        if line:
            name, _sep, title = line.partition(" ")
            leaders.append((name, title.strip()))
    return leaders


# --- Visits ---------------------------------------------------------------------------


class CompleteVisitForm(LimitedForm):
    visited_on = forms.DateField(
        label=_("走访日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )
    team_users = forms.ModelMultipleChoiceField(
        label=_("走访工作人员"),
        queryset=None,
        required=False,
        widget=PickList,
    )
    leaders = forms.CharField(
        label=_("受邀领导"),
        required=False,
        help_text=_("每行一位：姓名 职务。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    place = forms.CharField(label=_("地点"), required=False)
    amount = forms.DecimalField(
        label=_("慰问金（元）"), required=False, min_value=0, decimal_places=2
    )
    gifts = forms.CharField(label=_("慰问品"), required=False)
    summary = forms.CharField(
        max_length=TEXT,
        label=_("走访情况（委员可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    staff_notes = forms.CharField(
        max_length=TEXT,
        label=_("内部备注（仅工作人员可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_users"].queryset = office_staff([record.office_id])
        self.fields["place"].initial = record.place

    def clean_leaders(self):
        return _leaders(self.cleaned_data["leaders"])


class OpinionForm(LimitedForm):
    member = forms.ModelChoiceField(
        label=_("反映委员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("多人共同反映的可留空。"),
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(
        max_length=TEXT, label=_("内容"), widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=ConcernCategory.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = record.members.all()
        if record.members.count() == 1:
            self.fields["member"].initial = record.members.get().pk


def _opinion(visit, user, data):
    services.concern_create(
        actor=user,
        office=visit.office,
        source=Concern.Source.VISIT,
        visit=visit,
        **data,
    )


VISIT_STEPS = {
    "complete": Step(
        CompleteVisitForm,
        lambda v, u, d: services.visit_complete(visit=v, actor=u, **d),
        needs=("record",),
    ),
    "opinion": Step(OpinionForm, _opinion, needs=("record",)),
    "cancel": Step(
        ReasonForm,
        lambda v, u, d: services.visit_cancel(visit=v, actor=u, reason=d["reason"]),
    ),
}


# --- Concerns -------------------------------------------------------------------------


def _units(record, user, *, within: bool):
    units = scope_queryset(HandlingUnit.objects.filter(is_active=True), user, "office", shared=True)
    units = units.filter(Q(office=record.office_id) | Q(office__isnull=True))
    kinds = (HandlingUnit.Kind.STREET_DEPARTMENT, HandlingUnit.Kind.COMMUNITY)
    return units.filter(kind__in=kinds) if within else units.exclude(kind__in=kinds)


class TriageForm(LimitedForm):
    scope = forms.ChoiceField(
        label=_("职责范围"), choices=Concern.Scope.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=ConcernCategory.objects.filter(is_active=True), required=False
    )
    note = forms.CharField(label=_("说明"), required=False)


class AssignForm(LimitedForm):
    unit = forms.ModelChoiceField(label=_("街道部门"), queryset=HandlingUnit.objects.none())
    due_date = forms.DateField(
        label=_("办理期限"),
        required=False,
        help_text=_("留空则按本联络处设置的工作日数计算（节假日顺延）。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("交办说明"), required=False)

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(record, user, within=True)


class EscalateForm(LimitedForm):
    unit = forms.ModelChoiceField(label=_("上级单位"), queryset=HandlingUnit.objects.none())
    coordination_notes = forms.CharField(
        max_length=TEXT, label=_("协调情况"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(
        label=_("期望办结日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(record, user, within=False)


class CoordinateForm(LimitedForm):
    notes = forms.CharField(
        max_length=TEXT, label=_("协调情况"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProgressForm(LimitedForm):
    progress = forms.CharField(
        max_length=TEXT, label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffResultForm(ResultForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].initial = today()


class VerdictForm(LimitedForm):
    satisfied = forms.TypedChoiceField(
        label=_("委员评价"),
        choices=(("1", _("满意")), ("0", _("不满意"))),
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("委员意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _unit_label(concern) -> str:
    return _("%(unit)s（工作人员代录）") % {"unit": concern.unit}


CONCERN_STEPS = {
    "triage": Step(TriageForm, lambda c, u, d: services.concern_triage(concern=c, actor=u, **d)),
    "assign": Step(
        AssignForm,
        lambda c, u, d: services.concern_assign(concern=c, actor=u, **d),
        needs=("record", "user"),
    ),
    "escalate": Step(
        EscalateForm,
        lambda c, u, d: services.concern_escalate(concern=c, actor=u, **d),
        needs=("record", "user"),
    ),
    "coordinate": Step(
        CoordinateForm, lambda c, u, d: services.concern_coordinate(concern=c, actor=u, **d)
    ),
    "unit_acknowledge": Step(
        ConfirmForm,
        lambda c, u, d: services.concern_acknowledge(
            concern=c, actor=u, actor_label=_unit_label(c)
        ),
    ),
    "unit_progress": Step(
        ProgressForm,
        lambda c, u, d: services.concern_update_progress(
            concern=c, actor=u, actor_label=_unit_label(c), **d
        ),
    ),
    "unit_result": Step(
        StaffResultForm,
        lambda c, u, d: services.concern_report_result(
            concern=c, actor=u, actor_label=_unit_label(c), **result_kwargs(d)
        ),
    ),
    "feed_back": Step(
        ConfirmForm, lambda c, u, d: services.concern_feed_back(concern=c, actor=u, **d)
    ),
    "confirm": Step(
        VerdictForm,
        lambda c, u, d: services.concern_confirm(concern=c, actor=u, member=c.member, **d),
    ),
    "close": Step(ConfirmForm, lambda c, u, d: services.concern_close(concern=c, actor=u, **d)),
}
