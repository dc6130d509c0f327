"""Workflow steps staff take in the admin on plans, each a small form that calls a
service (liaison.admin_workflow draws them). The services check the move again under a
row lock, so a stale page gets a clear message, never a 500. (A plan's PDF and issuing
a work report are reports' steps: reports/admin_steps.py.)"""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.admin_workflow import ConfirmForm, Step
from liaison.limits import TEXT, LimitedForm
from liaison.models import today

from . import services
from .models import WorkPlan

S = WorkPlan.Status


def _date_field(label):
    return forms.DateField(
        label=label, initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )


class SubmitForm(LimitedForm):
    submitted_on = _date_field(_("报送日期"))
    submitted_to = forms.CharField(label=_("报送对象"), initial=_("街道党工委"), max_length=100)
    note = forms.CharField(label=_("说明（可选）"), required=False)


class CommentForm(LimitedForm):
    received_on = _date_field(_("收到日期"))
    commenter = forms.CharField(
        label=_("提出人"), max_length=100, help_text=_("例如：街道党工委书记 王建国")
    )
    content = forms.CharField(
        max_length=TEXT, label=_("意见内容"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AdoptForm(LimitedForm):
    adopted_on = _date_field(_("通过日期"))
    note = forms.CharField(label=_("说明（可选）"), required=False)


PLAN_STEPS = {
    "submit": Step(SubmitForm, lambda p, u, d: services.plan_submit(plan=p, actor=u, **d)),
    "comment": Step(
        CommentForm, lambda p, u, d: services.plan_comment_record(plan=p, actor=u, **d)
    ),
    "revise": Step(
        ConfirmForm, lambda p, u, d: services.plan_revise(plan=p, actor=u, note=d["note"])
    ),
    "adopt": Step(AdoptForm, lambda p, u, d: services.plan_adopt(plan=p, actor=u, **d)),
}
