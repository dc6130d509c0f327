"""The member's proposals (提案), public-opinion reports (社情民意) and research
reports (调研报告, read-only: staff record them) in the portal.

Reads come from proposals.selectors, scoped to the signed-in member: another member's
id in the URL is a 404. Writes go through proposals.services; a refused move shows its
message on the page."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Layout, Submit
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison.actions import Actor
from liaison.limits import TEXT, LimitedForm
from liaison.uploads import validate_document
from liaison.widgets import QuickSelect, QuickSelectMultiple, grouped_choices
from liaison.workflow import WorkflowError, history_for
from members.picking import MemberPicker, by_sector, pick_response
from proposals import services
from proposals.actions import (
    OPINION_ACTIONS,
    PROPOSAL_ACTIONS,
    my_invitation,
    opinion_report_actions,
    proposal_actions,
)
from proposals.models import (
    Feedback,
    OpinionReport,
    Proposal,
    ProposalCategory,
    ResearchReport,
)
from proposals.selectors import (
    cosigner_choices,
    cosigning_calls,
    member_opinion_reports,
    member_proposal_detail,
    member_proposal_draft,
    member_proposals,
    member_research_reports,
    open_for_cosigning,
    pending_cosign_invitations,
    suggestable_units,
)
from proposals.workflows import OPINION_WORKFLOW, PROPOSAL_WORKFLOW, cosigners_refusal

from .actions import Handler, buttons, take
from .search import similar_context
from .views import _page, member_required

P = Proposal.Status


# A suggestion naming a unit that left the list after the page was loaded.
UNIT_GONE = gettext_lazy(
    "您建议的单位已不在承办单位名单中（可能已撤销或更名），请重新选择；不确定时可在说明中写明。"
)

# A co-signer posted who is not a serving member of the proposer's office.
COSIGNER_OUT_OF_SCOPE = gettext_lazy(
    "所选的附议人不在本联络处在任委员之中，未作任何更改，请重新选择。"
)
_ALL_OFFICE = gettext_lazy("本联络处全体在任委员")


class ProposalForm(LimitedForm):
    title = forms.CharField(
        label=gettext_lazy("案由"), max_length=200, help_text=gettext_lazy("一事一案，简明扼要。")
    )
    # The selects are written in Python (QuickSelect): the stock widgets render a
    # template per option, a third of this page's time with the units' lists.
    category = forms.ModelChoiceField(
        label=gettext_lazy("类别"),
        queryset=ProposalCategory.objects.filter(is_active=True),
        widget=QuickSelect,
    )
    reasons = forms.CharField(
        max_length=TEXT, label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 8})
    )
    suggestions = forms.CharField(
        max_length=TEXT, label=gettext_lazy("建议办法"), widget=forms.Textarea(attrs={"rows": 8})
    )
    attachment = forms.FileField(
        label=gettext_lazy("附件（可选）"),
        required=False,
        help_text=gettext_lazy("调研材料等，PDF、Word、Excel 或图片，不超过 10 MB。"),
        validators=[validate_document],
    )
    cosigners = forms.ModelMultipleChoiceField(
        label=gettext_lazy("邀请附议人"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("被邀请的委员在平台上确认后，提案方可提交。"),
        error_messages={"invalid_choice": COSIGNER_OUT_OF_SCOPE},
        widget=MemberPicker(
            search_url=reverse_lazy("portal:proposal_cosigner_pick"), everyone=_ALL_OFFICE
        ),
    )

    suggested_lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("建议主办单位（可选）"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("不确定"),
        error_messages={"invalid_choice": UNIT_GONE},
        widget=QuickSelect,
    )
    suggested_co_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("建议会办单位（可选）"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": UNIT_GONE, "invalid_pk_value": UNIT_GONE},
        widget=QuickSelectMultiple(attrs={"size": 6}),
    )
    suggested_units_note = forms.CharField(
        label=gettext_lazy("承办单位说明（可选）"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("不确定由哪个单位办理时，可写明您认为相关的单位或部门。"),
    )

    field_order = [
        "title",
        "category",
        "reasons",
        "suggestions",
        "suggested_lead_unit",
        "suggested_co_units",
        "suggested_units_note",
    ]

    def __init__(self, *args, member, with_cosigners=True, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices as a list read once, not through a server-side cursor.
        category = self.fields["category"]
        category.widget.choices = [
            ("", category.empty_label),
            *((c.pk, str(c)) for c in category.queryset),
        ]
        units = suggestable_units(member.office)
        grouped = grouped_choices(units, lambda u: u.get_kind_display())
        self.fields["suggested_lead_unit"].queryset = units
        self.fields["suggested_lead_unit"].widget.choices = [("", _("不确定")), *grouped]
        self.fields["suggested_co_units"].queryset = units
        self.fields["suggested_co_units"].widget.choices = grouped
        if with_cosigners:
            self.fields["cosigners"].queryset = by_sector(cosigner_choices(member))
        else:
            del self.fields["cosigners"]
        self.helper = FormHelper()
        # The similar-proposal list right under 建议办法 (issue 20, item 2).
        # The co-signer picker draws itself (crispy would list every choice as a box).
        fields = [
            Field(f, template="portal/_picker_field.html") if f == "cosigners" else f
            for f in self.fields
        ]
        at = fields.index("suggestions") + 1
        self.helper.layout = Layout(
            *fields[:at], HTML('{% include "portal/proposals/_similar_box.html" %}'), *fields[at:]
        )
        self.helper.add_input(Submit("save", _("保存草稿")))


class OpenCosignForm(LimitedForm):
    until = forms.DateField(
        label=gettext_lazy("附议截止日期"),
        help_text=gettext_lazy(
            "截止前本联络处的在任委员都可以在平台上附议；提案立案后附议即截止。"
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": gettext_lazy("请选择附议截止日期。")},
    )


class FeedbackForm(LimitedForm):
    verdict = forms.ChoiceField(
        label=gettext_lazy("您对办理答复的评价"),
        choices=Feedback.Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择评价。")},
    )
    comments = forms.CharField(
        label=gettext_lazy("意见"),
        required=False,
        help_text=gettext_lazy("选择“不满意”须写明原因，承办单位将据此重新办理。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OpinionReportForm(LimitedForm):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    situation = forms.CharField(
        max_length=TEXT, label=gettext_lazy("基本情况"), widget=forms.Textarea(attrs={"rows": 6})
    )
    analysis = forms.CharField(
        max_length=TEXT,
        label=gettext_lazy("问题分析"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    suggestion = forms.CharField(
        max_length=TEXT, label=gettext_lazy("意见建议"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存草稿")))

    def clean(self):
        data = super().clean()
        length = sum(len(data.get(f, "")) for f in ("situation", "analysis", "suggestion"))
        if length > OpinionReport.LENGTH_WARNING:
            # A warning, not a refusal: staff may still edit it down.
            self.length_warning = length
        return data


def _proposal_or_404(request, pk, read=member_proposal_detail):
    try:
        return read(request.member, pk)
    except Proposal.DoesNotExist as error:
        raise Http404 from error


def _timeline(obj, workflow):
    changes = list(history_for(obj))
    for change in changes:
        change.to_label = workflow.label(change.to_status)
    return changes


@member_required
def proposal_list(request):
    proposals = list(member_proposals(request.member))
    return _page(
        request,
        "portal/proposals/list.html",
        led=[p for p in proposals if p.lead_member_id == request.member.pk],
        cosigned=[p for p in proposals if p.lead_member_id != request.member.pk],
        invitations=list(pending_cosign_invitations(request.member)),
    )


def _typed(data) -> dict:
    """What the member typed into the proposal form, as the form's initial values."""
    multiple = ("cosigners", "suggested_co_units")
    single = ("title", "category", "reasons", "suggestions", "suggested_lead_unit")
    return {
        **{name: data.getlist(name) for name in multiple},
        **{name: data.get(name, "") for name in (*single, "suggested_units_note")},
    }


def _proposal_form_page(request, proposal=None):
    initial = None
    if proposal is not None:
        initial = {f: getattr(proposal, f) for f in ("title", "category", "reasons", "suggestions")}
        initial["cosigners"] = [c.member for c in proposal.cosigners.all()]
        initial["suggested_lead_unit"] = proposal.suggested_lead_unit
        initial["suggested_co_units"] = list(proposal.suggested_co_units.all())
        initial["suggested_units_note"] = proposal.suggested_units_note
    if request.method == "POST" and "find_similar" in request.POST:
        # The similar list's own button (pages without JavaScript): show the list for
        # what was typed, keep the text in the form, save nothing.
        return _page(
            request,
            "portal/proposals/form.html",
            form=ProposalForm(initial=_typed(request.POST), member=request.member),
            proposal=proposal,
            creating=not initial,
            **similar_context(request, request.POST),
        )
    form = ProposalForm(
        request.POST or None, request.FILES or None, initial=initial, member=request.member
    )
    if request.method == "GET" and proposal is not None:
        # A suggested unit retired since the draft was saved: say so, not drop it quietly.
        gone = [
            u
            for u in [proposal.suggested_lead_unit, *proposal.suggested_co_units.all()]
            if u is not None and not u.is_active
        ]
        if gone:
            messages.warning(
                request,
                _("您建议的单位“%(u)s”已不在承办单位名单中，请重新选择。")
                % {"u": "、".join(map(str, gone))},
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_save_draft(
                actor=request.user,
                member=request.member,
                proposal=proposal,
                title=data["title"],
                reasons=data["reasons"],
                suggestions=data["suggestions"],
                category=data["category"],
                cosigners=data["cosigners"],
                attachment=data["attachment"],
                suggested_lead_unit=data["suggested_lead_unit"],
                suggested_co_units=data["suggested_co_units"],
                suggested_units_note=data["suggested_units_note"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("提案已保存。") if initial else _("提案草稿已保存。确认无误后请点击“提交”。"),
            )
            return redirect("portal:proposal_detail", proposal.pk)
    return _page(
        request, "portal/proposals/form.html", form=form, proposal=proposal, creating=not initial
    )


@member_required
def proposal_create(request):
    return _proposal_form_page(request)


@member_required
def proposal_edit(request, pk):
    proposal = _proposal_or_404(request, pk, read=member_proposal_draft)
    actor = Actor.of_member(request.member)
    if PROPOSAL_ACTIONS.find(proposal, actor, "edit") is None:
        if proposal.lead_member_id != request.member.pk:
            raise Http404
        messages.error(request, _("提案已提交，不能再修改。"))
        return redirect("portal:proposal_detail", pk)
    return _proposal_form_page(request, proposal)


def _take_cosign(request, proposal, accept):
    invitation = my_invitation(proposal, request.member)
    services.cosign_respond(cosigner=invitation, member=request.member, accept=accept)


PROPOSAL_HANDLERS = {
    "edit": Handler(page="portal:proposal_edit"),
    "submit": Handler(
        lambda request, p, d: services.proposal_submit(proposal=p, actor=request.user),
        gettext_lazy("提案已提交，联络处将尽快审查。"),
    ),
    "discard": Handler(
        lambda request, p, d: services.proposal_withdraw(proposal=p, actor=request.user),
        gettext_lazy("草稿已删除。"),
        then="portal:proposals",
    ),
    "withdraw": Handler(
        lambda request, p, d: services.proposal_withdraw(proposal=p, actor=request.user),
        gettext_lazy("提案已撤回。"),
    ),
    "cosign_accept": Handler(
        lambda request, p, d: _take_cosign(request, p, True), gettext_lazy("已确认附议。")
    ),
    "cosign_decline": Handler(
        lambda request, p, d: _take_cosign(request, p, False), gettext_lazy("已谢绝附议。")
    ),
    "open_cosign": Handler(
        lambda request, p, d: services.proposal_open_cosigning(
            proposal=p, actor=request.user, until=d["until"]
        ),
        lambda d: (
            _("已开放附议，截止%(d)s。本联络处委员可在平台“开放附议”中附议。")
            % {"d": f"{d['until'].year}年{d['until'].month}月{d['until'].day}日"}
        ),
        form=OpenCosignForm,
    ),
    "cosign_join": Handler(
        lambda request, p, d: services.proposal_join_cosigning(proposal=p, member=request.member),
        gettext_lazy("附议成功，这件提案已列入“我的提案”中的附议提案。"),
    ),
    "feedback": Handler(
        lambda request, p, d: services.feedback_give(
            proposal=p, actor=request.user, member=request.member, **d
        ),
        gettext_lazy("感谢您的评价。"),
        form=FeedbackForm,
    ),
}


@member_required
def proposal_detail(request, pk):
    proposal = _proposal_or_404(request, pk)
    actions = proposal_actions(proposal, Actor.of_member(request.member))
    names = {a.name for a in actions}
    return _page(
        request,
        "portal/proposals/detail.html",
        proposal=proposal,
        buttons=buttons(
            proposal,
            # The invitation card asks for the co-signature in its own words.
            [a for a in actions if not a.name.startswith("cosign_")],
            PROPOSAL_HANDLERS,
            "portal:proposal_act",
            request,
        ),
        cosign_buttons=buttons(
            proposal,
            [a for a in actions if a.name.startswith("cosign_")],
            PROPOSAL_HANDLERS,
            "portal:proposal_act",
            request,
        ),
        # Why a draft has no 提交 button yet (co-signers still to answer).
        submit_blocked=(
            cosigners_refusal(proposal) if "edit" in names and "submit" not in names else None
        ),
        timeline=_timeline(proposal, PROPOSAL_WORKFLOW),
    )


@require_POST
@member_required
def proposal_act(request, pk, name):
    return take(
        request,
        _proposal_or_404(request, pk),
        table=PROPOSAL_ACTIONS,
        handlers=PROPOSAL_HANDLERS,
        name=name,
        back=reverse("portal:proposal_detail", args=[pk]),
    )


@member_required
def cosigner_pick(request):
    """The co-signer picker's search: serving members of the member's own office."""
    return pick_response(request, cosigner_choices(request.member), everyone=_ALL_OFFICE)


@require_POST
@member_required
def proposal_cosign(request, pk):
    """The invitation e-mail's form: ``accept`` 1 or 0."""
    name = "cosign_accept" if request.POST.get("accept") == "1" else "cosign_decline"
    return proposal_act(request, pk, name)


@member_required
def cosign_open_list(request):
    """附议: proposals of the member's office open for co-signing now."""
    actor = Actor.of_member(request.member)
    proposals = list(open_for_cosigning(request.member))
    rows = [
        (
            p,
            buttons(
                p,
                [a for a in proposal_actions(p, actor) if a.name == "cosign_join"],
                PROPOSAL_HANDLERS,
                "portal:proposal_join_act",
                request,
            ),
            any(c.member_id == request.member.pk for c in p.cosigners.all()),
        )
        for p in proposals
    ]
    return _page(request, "portal/proposals/open.html", rows=rows)


@require_POST
@member_required
def proposal_join(request, pk, name="cosign_join"):
    try:
        proposal = cosigning_calls(request.member).get(pk=pk)
    except Proposal.DoesNotExist as error:
        raise Http404 from error
    return take(
        request,
        proposal,
        table=PROPOSAL_ACTIONS,
        handlers={"cosign_join": PROPOSAL_HANDLERS["cosign_join"]},
        name="cosign_join",
        back=reverse("portal:proposals_open"),
    )


# --- Public-opinion reports -----------------------------------------------------------


def _report_or_404(request, pk) -> OpinionReport:
    try:
        return member_opinion_reports(request.member).get(pk=pk)
    except OpinionReport.DoesNotExist as error:
        raise Http404 from error


@member_required
def opinion_list(request):
    return _page(
        request,
        "portal/opinions/list.html",
        reports=list(member_opinion_reports(request.member)),
    )


def _report_form_page(request, report=None):
    initial = (
        {f: getattr(report, f) for f in ("title", "situation", "analysis", "suggestion")}
        if report
        else None
    )
    form = OpinionReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if report is None:
                report = services.opinion_report_create(
                    actor=request.user,
                    office=request.member.office,
                    member=request.member,
                    **form.cleaned_data,
                )
            else:
                services.opinion_report_update(
                    report=report, actor=request.user, **form.cleaned_data
                )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            if getattr(form, "length_warning", None):
                messages.warning(
                    request,
                    _("本篇约 %(n)s 字，社情民意信息一般不超过 %(max)s 字，建议精简。")
                    % {"n": form.length_warning, "max": OpinionReport.LENGTH_WARNING},
                )
            messages.success(request, _("已保存。"))
            return redirect("portal:opinion_detail", report.pk)
    return _page(request, "portal/opinions/form.html", form=form, report=report)


@member_required
def opinion_create(request):
    return _report_form_page(request)


@member_required
def opinion_edit(request, pk):
    report = _report_or_404(request, pk)
    if OPINION_ACTIONS.find(report, Actor.of_member(request.member), "edit") is None:
        messages.error(request, _("已提交联络处，不能再修改。"))
        return redirect("portal:opinion_detail", pk)
    return _report_form_page(request, report)


OPINION_HANDLERS = {
    "edit": Handler(page="portal:opinion_edit"),
    "submit": Handler(
        lambda request, r, d: services.opinion_report_move(
            report=r, actor=request.user, target=OpinionReport.Status.SUBMITTED
        ),
        gettext_lazy("已提交联络处。"),
    ),
}


@member_required
def opinion_detail(request, pk):
    report = _report_or_404(request, pk)
    return _page(
        request,
        "portal/opinions/detail.html",
        report=report,
        buttons=buttons(
            report,
            opinion_report_actions(report, Actor.of_member(request.member)),
            OPINION_HANDLERS,
            "portal:opinion_act",
            request,
        ),
        timeline=_timeline(report, OPINION_WORKFLOW),
    )


@require_POST
@member_required
def opinion_act(request, pk, name):
    return take(
        request,
        _report_or_404(request, pk),
        table=OPINION_ACTIONS,
        handlers=OPINION_HANDLERS,
        name=name,
        back=reverse("portal:opinion_detail", args=[pk]),
    )


# --- Research reports (read-only) ----------------------------------------------------


@member_required
def research_list(request):
    return _page(
        request,
        "portal/research/list.html",
        reports=list(member_research_reports(request.member)),
    )


@member_required
def research_detail(request, pk):
    try:
        report = member_research_reports(request.member).get(pk=pk)
    except ResearchReport.DoesNotExist as error:
        raise Http404 from error
    return _page(request, "portal/research/detail.html", report=report)
