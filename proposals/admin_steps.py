"""How staff take each proposal and opinion-report action in the admin: a small form
that calls a service. Which actions are offered, and under which label, is
``proposals.actions``; the services check the move again under a row lock, so a stale
page gets a clear message, never a 500.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.admin_workflow import ConfirmForm, ReasonForm, Step
from liaison.limits import TEXT, LimitedForm
from liaison.models import HandlingUnit, today
from liaison.scoping import scope_queryset
from liaison.selectors import units_by_kind
from liaison.widgets import PickList, grouped_choices

from . import services
from .actions import units_that_may
from .forms import ReplyForm
from .models import Adoption, Assignment, Feedback, FollowUp, OpinionReport, Proposal
from .workflows import REGISTERED_OR_LATER

P = Proposal.Status
OS = OpinionReport.Status


class RejectForm(LimitedForm):
    ground = forms.ChoiceField(
        label=_("不予立案理由"), choices=Proposal.NotRegisteredGround.choices
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    convert = forms.BooleanField(label=_("转为社情民意信息（保留原文）"), required=False)


class MergeForm(LimitedForm):
    into = forms.ModelChoiceField(label=_("并入提案"), queryset=Proposal.objects.none())
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Proposal.objects.filter(office=record.office, year=record.year)
            .exclude(pk=record.pk)
            .filter(status__in=[P.SUBMITTED, *REGISTERED_OR_LATER])
            .exclude(status=P.CLOSED)
        )


def _units_for(proposal, user):
    units = scope_queryset(HandlingUnit.objects.filter(is_active=True), user, "office", shared=True)
    return units.filter(Q(office=proposal.office_id) | Q(office__isnull=True))


class AssignForm(LimitedForm):
    lead_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=HandlingUnit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("会办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=PickList,
    )
    due_date = forms.DateField(
        label=_("办理期限"),
        required=False,
        help_text=_("留空则为交办后三个月。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = _units_for(record, user)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        # Street departments, then communities, then district bodies …, each a group.
        grouped = grouped_choices(units_by_kind(units), lambda u: u.get_kind_display())
        self.fields["lead_unit"].widget.choices = [("", "---------"), *grouped]
        self.fields["co_units"].widget.choices = grouped
        self.notices = self._preselect_suggestion(record, units)

    def _preselect_suggestion(self, record, units) -> list[tuple[str, str]]:
        """The proposer's suggested units (issue 20), preselected when still on the list,
        named with a warning when not: (level, sentence) pairs shown above the form."""
        notices = []
        available = set(units.values_list("pk", flat=True))
        lead = record.suggested_lead_unit
        if lead is not None:
            if lead.pk in available:
                self.fields["lead_unit"].initial = lead.pk
                self.fields["lead_unit"].help_text = _("已按提案人建议预选，可改选。")
                notices.append(("info", _("提案人建议主办单位：%(u)s（已预选）") % {"u": lead}))
            else:
                notices.append(
                    (
                        "warning",
                        _("提案人建议主办单位“%(u)s”已停用或不在本联络处的单位名单中，请另选。")
                        % {"u": lead},
                    )
                )
        co = list(record.suggested_co_units.all())
        if co:
            kept = [u for u in co if u.pk in available]
            gone = [u for u in co if u.pk not in available]
            self.fields["co_units"].initial = [u.pk for u in kept]
            if kept:
                notices.append(
                    (
                        "info",
                        _("提案人建议会办单位：%(u)s（已预选）") % {"u": "、".join(map(str, kept))},
                    )
                )
            if gone:
                notices.append(
                    (
                        "warning",
                        _("提案人建议的会办单位“%(u)s”已停用或不在单位名单中，请另选。")
                        % {"u": "、".join(map(str, gone))},
                    )
                )
        if record.suggested_units_note:
            notices.append(
                ("info", _("提案人说明：%(note)s") % {"note": record.suggested_units_note})
            )
        return notices


class ExtendForm(LimitedForm):
    due_date = forms.DateField(
        label=_("新的办理期限"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))


class KeyForm(LimitedForm):
    supervising_leader = forms.CharField(label=_("督办领导"), max_length=50)
    notes = forms.CharField(
        max_length=TEXT,
        label=_("督办情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisclosureForm(LimitedForm):
    is_public = forms.TypedChoiceField(
        label=_("是否公开"),
        choices=[("1", _("公开（提案和答复登载在联络处公开页面）")), ("0", _("不公开"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("不公开理由"),
        required=False,
        help_text=_("选择“不公开”时必填。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_public"].initial = "1" if record.is_public else "0"
        self.fields["reason"].initial = record.not_public_reason

    def clean(self):
        data = super().clean()
        if data.get("is_public") is False and not data.get("reason", "").strip():
            self.add_error("reason", _("不公开须填写理由。"))
        return data


class FeedbackForm(LimitedForm):
    verdict = forms.ChoiceField(label=_("评价"), choices=Feedback.Verdict.choices)
    comments = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _unit_choices(record, unit_action):
    """The units that may take ``unit_action`` now (proposals.actions decides)."""
    pks = [a.pk for a in units_that_may(record, unit_action)]
    return Assignment.objects.filter(pk__in=pks).select_related("unit")


class UnitStepForm(LimitedForm):
    """Staff act for a unit: the choice lists the units that may take the action."""

    unit_action = "acknowledge"
    assignment = forms.ModelChoiceField(label=_("承办单位"), queryset=Assignment.objects.none())

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _unit_choices(record, self.unit_action)


class UnitReasonForm(UnitStepForm):
    unit_action = "return"
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class UnitOpinionForm(UnitStepForm):
    unit_action = "opinion"
    opinion = forms.CharField(label=_("会办意见"), widget=forms.Textarea(attrs={"rows": 3}))


class DecideReturnForm(LimitedForm):
    assignment = forms.ModelChoiceField(
        label=_("申请退回的单位"), queryset=Assignment.objects.none()
    )
    accept = forms.TypedChoiceField(
        label=_("处理意见"),
        choices=[("1", _("同意退回")), ("0", _("不同意退回"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    new_unit = forms.ModelChoiceField(
        label=_("改派单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text=_("同意主办单位退回时必填。"),
    )
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, record, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = record.assignments.filter(
            is_active=True, return_state=Assignment.ReturnState.REQUESTED
        ).select_related("unit")
        self.fields["new_unit"].queryset = _units_for(record, user)


class UnitReplyForm(ReplyForm):
    assignment = forms.ModelChoiceField(label=_("承办单位"), queryset=Assignment.objects.none())
    field_order = ["assignment"]

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = _unit_choices(record, "reply")
        self.fields["replied_on"].initial = today()


class FollowUpCloseForm(LimitedForm):
    follow_up = forms.ModelChoiceField(label=_("B类答复"), queryset=FollowUp.objects.none())
    regrade = forms.BooleanField(label=_("已解决，改为A类"), required=False)
    note = forms.CharField(
        label=_("办结说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].queryset = (
            FollowUp.objects.filter(proposal=record)
            .exclude(status=FollowUp.Status.CLOSED)
            .select_related("reply__assignment__unit", "proposal")
        )
        self.fields["follow_up"].label_from_instance = lambda f: (
            _("%(unit)s，计划%(date)s完成（%(state)s）")
            % {"unit": f.unit, "date": f.planned_on, "state": f.get_status_display()}
        )
        if len(self.fields["follow_up"].queryset) == 1:
            self.fields["follow_up"].initial = self.fields["follow_up"].queryset[0]


def _unit_label(data):
    return _("%(unit)s（工作人员代录）") % {"unit": data["assignment"].unit}


PROPOSAL_STEPS = {
    "submit": Step(ConfirmForm, lambda p, u, d: services.proposal_submit(proposal=p, actor=u)),
    "register": Step(ConfirmForm, lambda p, u, d: services.proposal_register(proposal=p, actor=u)),
    "return": Step(
        ReasonForm,
        lambda p, u, d: services.proposal_return(proposal=p, actor=u, reason=d["reason"]),
    ),
    "reject": Step(RejectForm, lambda p, u, d: services.proposal_reject(proposal=p, actor=u, **d)),
    "merge": Step(
        MergeForm,
        lambda p, u, d: services.proposal_merge(
            proposal=p, into=d["into"], actor=u, note=d["note"]
        ),
        needs=("record",),
    ),
    "withdraw": Step(
        ConfirmForm,
        lambda p, u, d: services.proposal_withdraw(proposal=p, actor=u, note=d["note"]),
    ),
    "assign": Step(
        AssignForm,
        lambda p, u, d: services.proposal_assign(proposal=p, actor=u, **d),
        needs=("record", "user"),
    ),
    "extend": Step(ExtendForm, lambda p, u, d: services.proposal_extend(proposal=p, actor=u, **d)),
    "decide_return": Step(
        DecideReturnForm,
        lambda p, u, d: services.assignment_decide_return(actor=u, **d),
        needs=("record", "user"),
    ),
    "unit_acknowledge": Step(
        UnitStepForm,
        lambda p, u, d: services.assignment_acknowledge(
            assignment=d["assignment"], actor=u, actor_label=_unit_label(d)
        ),
        needs=("record",),
    ),
    "unit_return": Step(
        UnitReasonForm,
        lambda p, u, d: services.assignment_request_return(
            assignment=d["assignment"], reason=d["reason"], actor=u, actor_label=_unit_label(d)
        ),
        needs=("record",),
    ),
    "unit_opinion": Step(
        UnitOpinionForm,
        lambda p, u, d: services.assignment_give_opinion(
            assignment=d["assignment"], opinion=d["opinion"], actor=u, actor_label=_unit_label(d)
        ),
        needs=("record",),
    ),
    "unit_reply": Step(
        UnitReplyForm,
        lambda p, u, d: services.reply_record(actor=u, actor_label=_unit_label(d), **d),
        needs=("record",),
        files=True,
    ),
    "follow_up_close": Step(
        FollowUpCloseForm,
        lambda p, u, d: services.follow_up_close(actor=u, **d),
        needs=("record",),
    ),
    "feedback": Step(
        FeedbackForm,
        lambda p, u, d: services.feedback_give(proposal=p, actor=u, member=p.lead_member, **d),
    ),
    "close": Step(
        ConfirmForm,
        lambda p, u, d: services.proposal_close_without_feedback(proposal=p, actor=u),
    ),
    "mark_key": Step(KeyForm, lambda p, u, d: services.proposal_mark_key(proposal=p, actor=u, **d)),
    "disclosure": Step(
        DisclosureForm,
        lambda p, u, d: services.proposal_set_disclosure(
            proposal=p, actor=u, is_public=d["is_public"], reason=d["reason"]
        ),
        needs=("record",),
    ),
    "mark_excellent": Step(
        ConfirmForm, lambda p, u, d: services.proposal_mark_excellent(proposal=p, actor=u)
    ),
}


class IssueForm(LimitedForm):
    issue_number = forms.CharField(label=_("期号"), max_length=30, help_text=_("例如：2026年第5期"))
    issued_on = forms.DateField(
        label=_("签发日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )


class ForwardForm(LimitedForm):
    forwarded_to = forms.CharField(label=_("报送单位"), initial=_("区政协办公室"))
    forwarded_on = forms.DateField(
        label=_("报送日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )


class AdoptionForm(LimitedForm):
    level = forms.ChoiceField(label=_("级别"), choices=Adoption.Level.choices)
    kind = forms.ChoiceField(label=_("采用方式"), choices=Adoption.Kind.choices)
    body = forms.CharField(label=_("采用单位"), required=False, max_length=100)
    instruction_text = forms.CharField(
        max_length=TEXT,
        label=_("批示内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    adopted_on = forms.DateField(
        label=_("采用日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )


def _move(target):
    return lambda r, u, d: services.opinion_report_move(report=r, actor=u, target=target, **d)


OPINION_STEPS = {
    "submit": Step(ConfirmForm, _move(OS.SUBMITTED)),
    "edit": Step(ConfirmForm, _move(OS.EDITED)),
    "not_used": Step(
        ReasonForm,
        lambda r, u, d: services.opinion_report_move(
            report=r, actor=u, target=OS.NOT_USED, note=d["reason"]
        ),
    ),
    "approve": Step(ConfirmForm, _move(OS.APPROVED)),
    "issue": Step(IssueForm, _move(OS.ISSUED)),
    "forward": Step(ForwardForm, _move(OS.FORWARDED)),
    "adopt": Step(AdoptionForm, lambda r, u, d: services.adoption_record(report=r, actor=u, **d)),
}
