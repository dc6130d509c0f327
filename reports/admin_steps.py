"""Workflow steps reports adds in the admin to plans and work reports (see admin.py):
a PDF of either, and issuing a work report — its figures frozen, its PDF rendered and
issued to the chosen leaders. Each is a small form that calls a service."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from consultations.admin_steps import CONSULTATION_STEPS as BASE_CONSULTATION_STEPS
from consultations.models import Consultation
from liaison.admin_workflow import ConfirmForm, ReasonForm, Step
from liaison.limits import LimitedForm
from liaison.models import today
from liaison.widgets import PickList
from plans.models import WorkReport

from . import services
from .models import CommitteeReply, Document
from .selectors import leaders_for

R = WorkReport.Status


def _request_plan_pdf(plan, user, data):
    services.document_request(
        office=plan.office,
        kind=Document.Kind.PLAN,
        params={"year": plan.year, "plan": plan.pk},
        actor=user,
    )


PLAN_STEPS = {"pdf": Step(ConfirmForm, _request_plan_pdf)}


class IssueReportForm(LimitedForm):
    issued_on = forms.DateField(
        label=_("报送日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("报送领导"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=PickList,
        help_text=_("报告 PDF 生成后，所选领导会收到通知，并可在“报告文件”页面下载。"),
    )

    def __init__(self, *args, record, **kwargs):  # ``record``: the work report
        super().__init__(*args, **kwargs)
        leaders = leaders_for(record.office)
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
    "issue": Step(
        IssueReportForm,
        lambda r, u, d: services.work_report_issue(report=r, actor=u, **d),
        needs=("record",),
    ),
    "pdf": Step(ConfirmForm, _request_report_pdf),
}


class CloseYearForm(ConfirmForm):
    """Closing gives the grades; the form says what the members will see."""

    def __init__(self, *args, record, **kwargs):  # ``record``: the DutyYear
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _(
            "结束考核后，委员在“我的履职档案”、履职档案和积分排名中将看到%(year)s年度的等次。"
        ) % {"year": record.year}


DUTY_YEAR_STEPS = {
    "close": Step(
        CloseYearForm,
        lambda y, u, d: services.duty_year_close(duty_year=y, actor=u, note=d.get("note", "")),
        needs=("record",),
    ),
    "reopen": Step(
        ReasonForm,
        lambda y, u, d: services.duty_year_reopen(duty_year=y, actor=u, reason=d["reason"]),
    ),
}


class SubmitConsultationForm(IssueReportForm):
    """报送: the date, and the leaders the summary report is issued to."""

    submitted_on = forms.DateField(
        label=_("报送日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("说明（可选）"), required=False)
    field_order = ("submitted_on", "recipients", "note")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        del self.fields["issued_on"]
        self.fields["recipients"].help_text = _(
            "汇总报告 PDF 生成后，所选领导会收到通知，并可在“报告文件”页面下载。"
        )


def _request_consultation_pdf(consultation, user, data):
    services.document_request(
        office=consultation.office,
        kind=Document.Kind.CONSULTATION,
        params={"consultation": consultation.pk},
        actor=user,
        document_date=consultation.submitted_on or today(),
        refresh=consultation.status == Consultation.Status.COMPILED,
    )


CONSULTATION_STEPS = {
    **BASE_CONSULTATION_STEPS,
    "submit": Step(
        SubmitConsultationForm,
        lambda c, u, d: services.consultation_submit(consultation=c, actor=u, **d),
        needs=("record",),
    ),
    "pdf": Step(ConfirmForm, _request_consultation_pdf),
}


class IssueReplyForm(IssueReportForm):
    """发出: the date the reply goes out (its 成文日期), and the leaders it is issued to."""

    note = forms.CharField(label=_("说明（可选）"), required=False)
    field_order = ("issued_on", "recipients", "note")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        self.fields["issued_on"].label = _("发出日期")
        self.fields["recipients"].label = _("印发领导")
        self.fields["recipients"].help_text = _(
            "复函 PDF 生成后，所选领导会收到通知，并可在“报告文件”页面下载。"
        )


def _request_reply_pdf(reply: CommitteeReply, user, data):
    services.document_request(
        office=reply.office,
        kind=Document.Kind.REPLY,
        params={"reply": reply.pk},
        actor=user,
        refresh=True,
    )


REPLY_STEPS = {
    "issue": Step(
        IssueReplyForm,
        lambda r, u, d: services.committee_reply_issue(reply=r, actor=u, **d),
        needs=("record",),
    ),
    "pdf": Step(ConfirmForm, _request_reply_pdf),
}
