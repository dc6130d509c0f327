"""How staff take each activity and opinion action in the admin: a small form that calls
a service (see liaison.admin_workflow). Which actions are offered, and under which
label, is ``briefings.actions``; the services check again under a row lock, so a stale
page gets a clear message, never a 500."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from liaison.admin_workflow import ConfirmForm, ReasonForm, Step
from liaison.limits import DOCUMENT, TEXT, LimitedForm
from liaison.models import HandlingUnit, today
from members.models import Member, Sector
from members.picking import PICK_ERRORS, SearchSelect, by_sector, member_picklist
from proposals.models import ProposalCategory
from visits.models import ConcernCategory

from . import services
from .models import Activity, Invitation
from .selectors import invitation_candidates

Att = Invitation.Attendance


class RecordForm(LimitedForm):
    """A step form that needs the record it acts on (an activity or an opinion)."""

    def __init__(self, *args, record, **kwargs):
        self.record = record
        super().__init__(*args, **kwargs)


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class RequestSendForm(LimitedForm):
    sent_on = forms.DateField(label=_("报送日期"), initial=today, widget=_date_input())
    recipient = forms.CharField(label=_("请示对象"), initial=_("街道党工委"), max_length=100)
    document = forms.FileField(
        label=_("请示文件（可选）"),
        required=False,
        help_text=_("PDF、Word 或图片，不超过 10 MB。"),
    )


class RequestAnswerForm(LimitedForm):
    outcome = forms.ChoiceField(
        label=_("批复结果"), choices=Activity.RequestOutcome.choices, widget=forms.RadioSelect
    )
    answered_on = forms.DateField(label=_("批复日期"), initial=today, widget=_date_input())
    answer = forms.CharField(
        label=_("批复意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InviteForm(RecordForm):
    """One list of the organising offices' serving members, by sector: start from all of
    them or from a role (常委, 界别召集人 …) or tick whole sectors, then adjust by
    search; the number chosen shows before sending. ``mode`` and ``sectors`` (all /
    by sector, without a list) remain for callers that invite without choosing names."""

    MODES = [("all", _("全体在任委员")), ("sectors", _("按界别邀请")), ("picked", _("指定委员"))]
    mode = forms.ChoiceField(
        label=_("邀请范围"), choices=MODES, required=False, widget=forms.HiddenInput
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("界别"),
        queryset=Sector.objects.filter(is_active=True),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("委员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("先点“全体在任委员”或某一职务，或勾选整个界别，再按姓名查找增减。"),
        widget=member_picklist(),
        error_messages=PICK_ERRORS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = invitation_candidates(self.record, mode="all")
        self.fields["members"].queryset = by_sector(candidates)
        self.fields["members"].widget.offices = sorted(self.record.organising_office_ids())

    def clean(self):
        data = super().clean()
        mode = data.get("mode") or "picked"
        data["mode"] = mode
        if mode == "sectors" and not data.get("sectors"):
            self.add_error("sectors", _("请选择至少一个界别。"))
        if mode == "picked" and not data.get("members"):
            self.add_error("members", _("请选择要邀请的委员。"))
        return data


def _invite(activity, actor, data):
    members = invitation_candidates(
        activity,
        mode=data["mode"],
        sectors=data.get("sectors") or (),
        members=data.get("members") or (),
    )
    services.activity_invite(activity=activity, actor=actor, members=members)


class PublishForm(RecordForm):
    override_reason = forms.CharField(
        label=_("未批复先行发布的理由"),
        required=False,
        help_text=_("重大活动尚未收到街道党工委批复时必填。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        activity = self.record
        if not activity.is_major or activity.request_answered:
            del self.fields["override_reason"]


class RescheduleForm(RecordForm):
    starts_at = forms.SplitDateTimeField(label=_("开始时间"), widget=AdminSplitDateTime)
    ends_at = forms.SplitDateTimeField(label=_("结束时间"), widget=AdminSplitDateTime)
    venue = forms.CharField(label=_("地点"), max_length=200)
    reason = forms.CharField(label=_("调整原因"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "venue"):
            self.fields[name].initial = getattr(self.record, name)


class LeaveDecisionForm(RecordForm):
    invitation = forms.ModelChoiceField(label=_("请假委员"), queryset=Invitation.objects.none())
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        choices=[("1", _("准假")), ("0", _("不准假"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["invitation"]
        field.queryset = self.record.invitations.filter(
            leave_status=Invitation.Leave.REQUESTED
        ).select_related("member")
        field.label_from_instance = lambda i: f"{i.member.name}：{i.leave_reason}"


def attendance_choice_label(invitation) -> str:
    return f"{invitation.member.name}（{invitation.get_attendance_display()}）"


class CorrectAttendanceForm(RecordForm):
    # A large activity's invitees are searched (ActivityAdmin.invitees_view), not listed.
    invitation = forms.ModelChoiceField(
        label=_("委员"), queryset=Invitation.objects.none(), widget=SearchSelect
    )
    state = forms.ChoiceField(
        label=_("更正为"),
        choices=[c for c in Att.choices if c[0]],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["invitation"]
        field.queryset = (
            self.record.invitations.exclude(attendance="")
            .select_related("member")
            .order_by("member__stroke_key")
        )
        field.label_from_instance = attendance_choice_label
        field.widget.search_url = reverse(
            "admin:briefings_activity_invitees", args=[self.record.pk]
        )


class MinutesForm(RecordForm):
    minutes = forms.CharField(
        max_length=DOCUMENT,
        label=_("会议纪要"),
        widget=forms.Textarea(attrs={"rows": 18, "cols": 90}),
        help_text=_("出勤情况和收集的意见建议会随纪要一并打印。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].initial = self.record.minutes


class OpinionRecordForm(RecordForm):
    member = forms.ModelChoiceField(
        label=_("提出委员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("领导或列席人员提出的可留空。"),
        widget=SearchSelect(search_url=reverse_lazy("admin:members_member_pick")),
    )
    title = forms.CharField(label=_("标题（可选）"), required=False, max_length=200)
    content = forms.CharField(
        max_length=TEXT, label=_("意见建议"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offices = sorted(self.record.organising_office_ids())
        self.fields["member"].queryset = Member.objects.filter(office_id__in=offices).order_by(
            "stroke_key"
        )
        self.fields["member"].widget.offices = offices


ACTIVITY_STEPS = {
    "request_send": Step(
        RequestSendForm,
        lambda a, u, d: services.activity_request_send(activity=a, actor=u, **d),
        files=True,
    ),
    "request_answer": Step(
        RequestAnswerForm,
        lambda a, u, d: services.activity_request_answer(activity=a, actor=u, **d),
    ),
    "invite": Step(InviteForm, _invite, needs=("record",)),
    "publish": Step(
        PublishForm,
        lambda a, u, d: services.activity_publish(activity=a, actor=u, **d),
        needs=("record",),
    ),
    "reschedule": Step(
        RescheduleForm,
        lambda a, u, d: services.activity_reschedule(activity=a, actor=u, **d),
        needs=("record",),
    ),
    "decide_leave": Step(
        LeaveDecisionForm,
        lambda a, u, d: services.leave_decide(actor=u, **d),
        needs=("record",),
    ),
    "close_attendance": Step(
        ConfirmForm, lambda a, u, d: services.attendance_close(activity=a, actor=u)
    ),
    "correct_attendance": Step(
        CorrectAttendanceForm,
        lambda a, u, d: services.attendance_correct(actor=u, **d),
        needs=("record",),
    ),
    "record_opinion": Step(
        OpinionRecordForm,
        lambda a, u, d: services.opinion_record(activity=a, actor=u, **d),
        needs=("record",),
    ),
    "write_minutes": Step(
        MinutesForm,
        lambda a, u, d: services.minutes_save(activity=a, actor=u, **d),
        needs=("record",),
    ),
    "cancel": Step(
        ReasonForm,
        lambda a, u, d: services.activity_cancel(activity=a, actor=u, reason=d["reason"]),
    ),
}


class ToProposalForm(RecordForm):
    title = forms.CharField(label=_("案由"), max_length=200)
    category = forms.ModelChoiceField(label=_("提案类别"), queryset=None)
    reasons = forms.CharField(
        max_length=TEXT, label=_("理由"), widget=forms.Textarea(attrs={"rows": 5})
    )
    suggestions = forms.CharField(
        max_length=TEXT,
        label=_("建议办法"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opinion = self.record
        self.fields["category"].queryset = ProposalCategory.objects.filter(is_active=True)
        self.fields["title"].initial = opinion.title or opinion.content[:60]
        self.fields["reasons"].initial = opinion.content
        self.fields["suggestions"].initial = opinion.content


class ToConcernForm(RecordForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(
        max_length=TEXT, label=_("内容"), widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ModelChoiceField(label=_("类别"), queryset=None, required=False)
    unit = forms.ModelChoiceField(
        label=_("交办街道部门"),
        queryset=None,
        required=False,
        help_text=_("属于街道职责的，选择承办部门即直接交办；留空则先转入意见建议待分类。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opinion = self.record
        office_id = opinion.member.office_id if opinion.member_id else opinion.activity.office_id
        self.fields["category"].queryset = ConcernCategory.objects.filter(is_active=True)
        self.fields["unit"].queryset = HandlingUnit.objects.filter(
            office_id=office_id,
            is_active=True,
            kind__in=(HandlingUnit.Kind.STREET_DEPARTMENT, HandlingUnit.Kind.COMMUNITY),
        )
        self.fields["title"].initial = opinion.title or opinion.content[:60]
        self.fields["content"].initial = opinion.content


OPINION_STEPS = {
    "to_concern": Step(
        ToConcernForm,
        lambda o, u, d: services.opinion_to_concern(opinion=o, actor=u, **d),
        needs=("record",),
    ),
    "to_proposal": Step(
        ToProposalForm,
        lambda o, u, d: services.opinion_to_proposal(opinion=o, actor=u, **d),
        needs=("record",),
    ),
    "note": Step(
        ConfirmForm, lambda o, u, d: services.opinion_note(opinion=o, actor=u, note=d["note"])
    ),
}
