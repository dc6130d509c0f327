"""Workflow steps staff take in the admin on plans and work reports, each a small form
that calls a service (liaison.admin_workflow draws them). The services check the move
again under a row lock, so a stale page gets a clear message, never a 500."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from liaison.admin_workflow import ConfirmForm, LegacyStep, Step
from liaison.models import today

from . import services
from .models import Document, WorkPlan, WorkReport

S = WorkPlan.Status
R = WorkReport.Status


def _date_field(label):
    return forms.DateField(
        label=label, initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )


class SubmitForm(forms.Form):
    submitted_on = _date_field(_("报送日期"))
    submitted_to = forms.CharField(label=_("报送对象"), initial=_("街道党工委"), max_length=100)
    note = forms.CharField(label=_("说明（可选）"), required=False)


class CommentForm(forms.Form):
    received_on = _date_field(_("收到日期"))
    commenter = forms.CharField(
        label=_("提出人"), max_length=100, help_text=_("例如：街道党工委书记 王建国")
    )
    content = forms.CharField(label=_("意见内容"), widget=forms.Textarea(attrs={"rows": 4}))


class AdoptForm(forms.Form):
    adopted_on = _date_field(_("通过日期"))
    note = forms.CharField(label=_("说明（可选）"), required=False)


def _request_plan_pdf(plan, user, data):
    services.document_request(
        office=plan.office,
        kind=Document.Kind.PLAN,
        params={"year": plan.year, "plan": plan.pk},
        actor=user,
    )


PLAN_STEPS = {
    "submit": Step(SubmitForm, lambda p, u, d: services.plan_submit(plan=p, actor=u, **d)),
    "comment": Step(
        CommentForm, lambda p, u, d: services.plan_comment_record(plan=p, actor=u, **d)
    ),
    "revise": Step(
        ConfirmForm, lambda p, u, d: services.plan_revise(plan=p, actor=u, note=d["note"])
    ),
    "adopt": Step(AdoptForm, lambda p, u, d: services.plan_adopt(plan=p, actor=u, **d)),
    "pdf": Step(ConfirmForm, _request_plan_pdf),
}


class IssueReportForm(forms.Form):
    issued_on = _date_field(_("报送日期"))
    recipients = forms.ModelMultipleChoiceField(
        label=_("报送领导"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("报告 PDF 生成后，所选领导会收到通知，并可在“报告文件”页面下载。"),
    )

    def __init__(self, *args, record, **kwargs):  # ``record``: the work report
        super().__init__(*args, **kwargs)
        leaders = services.leaders_for(record.office)
        self.fields["recipients"].queryset = leaders
        self.fields["recipients"].initial = list(leaders.values_list("pk", flat=True))


def _request_report_pdf(report, user, data):
    services.document_request(
        office=report.office,
        kind=Document.Kind.WORK_REPORT,
        params={"year": report.year, "half": report.half},
        actor=user,
        refresh=not report.is_issued,
    )


REPORT_STEPS = {
    "issue": LegacyStep(
        _("报送（冻结数据并生成 PDF）"),
        IssueReportForm,
        lambda r, u, d: services.work_report_issue(report=r, actor=u, **d),
        (R.DRAFT,),
        needs=("record",),
    ),
    "pdf": LegacyStep(
        _("生成 PDF"),
        ConfirmForm,
        _request_report_pdf,
        tuple(R.values),
    ),
}
