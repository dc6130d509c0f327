"""How staff take each consultation action in the admin: a small form that calls a
service (liaison.admin_workflow). Which actions are offered is ``actions.py``."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liaison.admin_workflow import ConfirmForm, Step
from liaison.limits import DOCUMENT, NOTE, TEXT, LimitedForm, limit_form_fields
from liaison.models import today
from members.models import Member
from members.picking import SearchSelect

from . import services
from .forms import AnswerFields
from .models import Answer, AnswerItem
from .selectors import compilation


class RecordAnswerForm(AnswerFields):
    source = forms.ChoiceField(
        label=_("意见来源"),
        choices=[c for c in Answer.Source.choices if c[0] != Answer.Source.PORTAL],
        initial=Answer.Source.PAPER,
        widget=forms.RadioSelect,
    )
    member = forms.ModelChoiceField(
        label=_("委员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("委员已在平台提交过意见的，代录的内容将替换原意见。"),
        # An office of thousands is searched, not listed (members.picking.SearchSelect).
        widget=SearchSelect(search_url=reverse_lazy("admin:members_member_pick")),
    )
    speaker = forms.CharField(
        label=_("发言人（非委员）"),
        required=False,
        help_text=_("非委员在协商议事会上发言的，填写姓名和单位，不选委员。"),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, questions=record.questions.all(), **kwargs)
        self.fields["member"].queryset = Member.objects.filter(
            office=record.office_id, status=Member.Status.SERVING
        ).order_by("stroke_key")
        self.fields["member"].widget.offices = [record.office_id]

    def clean(self):
        data = super().clean()
        if not data.get("member") and not (data.get("speaker") or "").strip():
            raise forms.ValidationError(_("请选择委员，或填写发言人。"))
        return data


class _ValuesStep(RecordAnswerForm):
    """The step passes ``cleaned_data``; the question values ride along in it."""

    def clean(self):
        data = super().clean()
        data["_values"] = self.values()
        return data


def draft_summary(consultation) -> str:
    """A first draft of the summary, written from the answers: who was consulted, how
    many answered, the choice items' counts and the opinions with their proposers (or
    without, when the consultation is anonymised) as staff marked them — opinions
    merged with another listed under it, those set aside left out and counted; then
    the consultation meeting's. Staff edit it into themes."""
    c = compilation(consultation)
    lines = [
        gettext("本次征求意见共向%(n)s位委员发出，收到%(a)s位委员的意见（反馈率%(r)s%%）")
        % {"n": c.consulted, "a": c.answered_members, "r": c.answer_rate}
        + (
            gettext("，另有%(s)s位与会人员发言") % {"s": c.other_speakers}
            if c.other_speakers
            else ""
        )
        + (
            gettext("；协商议事会上收集意见%(m)s条") % {"m": len(c.meeting.texts)}
            if c.meeting.texts
            else ""
        )
        + "。",
        "",
    ]

    def author(item) -> str:
        return "" if consultation.anonymous else f"（{item.answer.author}）"

    def opinions(summary) -> None:
        for entry in summary.entries:
            lines.append(f"   — {entry.item.text}{author(entry.item)}")
            lines.extend(
                gettext("      同类意见：%(text)s%(author)s")
                % {"text": m.text, "author": author(m)}
                for m in entry.merged
            )
        if summary.set_aside:
            lines.append(
                gettext("   （另有%(n)s条意见经研究不采入汇总）") % {"n": summary.set_aside}
            )

    for number, summary in enumerate(c.questions, start=1):
        lines.append(f"{number}. {summary.question.text}")
        if summary.question.is_choice:
            lines.extend(
                gettext("   %(label)s：%(count)s人（%(percent)s%%）")
                % {"label": o.label, "count": o.count, "percent": o.percent}
                for o in summary.options
            )
        opinions(summary)
        lines.append("")
    if c.meeting.texts:
        lines.append(gettext("%(n)s. 协商议事会上的意见") % {"n": len(c.questions) + 1})
        opinions(c.meeting)
    return "\n".join(lines).strip()[:DOCUMENT]


class MarkForm(LimitedForm):
    """Mark one opinion by its number (编号, shown on the compilation page)."""

    item = forms.IntegerField(label=_("意见编号"), min_value=1)
    mark = forms.ChoiceField(
        label=_("标注"), choices=AnswerItem.Mark.choices, required=False, widget=forms.RadioSelect
    )
    merged_into = forms.IntegerField(
        label=_("并入意见编号"),
        min_value=1,
        required=False,
        help_text=_("选择“与其他意见合并”时填写，该条意见将列在所并入的意见之下。"),
    )
    reason = forms.CharField(
        label=_("不采入理由"),
        max_length=200,
        required=False,
        help_text=_("选择“不采入汇总”时必填，例如：不属于本次征求意见范围。"),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record

    def clean(self):
        data = super().clean()
        # The service checks that both opinions belong to this consultation.
        if data.get("item"):
            data["item"] = AnswerItem(pk=data["item"])
        target = data.get("merged_into")
        data["merged_into"] = AnswerItem(pk=target) if target else None
        return data


class CompileForm(LimitedForm):
    compiled_summary = forms.CharField(
        label=_("意见汇总"),
        max_length=DOCUMENT,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("已按问题列出意见和选择题统计，请按主题归并、提炼。"),
    )
    recommendations = forms.CharField(
        label=_("联络处建议"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compiled_summary"].initial = record.compiled_summary or draft_summary(record)
        self.fields["recommendations"].initial = record.recommendations


class SubmitForm(LimitedForm):
    submitted_on = forms.DateField(
        label=_("报送日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("说明（可选）"), required=False)


class OutcomeForm(LimitedForm):
    decision = forms.CharField(
        label=_("决策结果"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    decided_on = forms.DateField(
        label=_("决策日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].initial = record.decision
        if record.decided_on:
            self.fields["decided_on"].initial = record.decided_on
        self.answers = list(record.answers.select_related("member").prefetch_related("items"))
        added = {}
        for answer in self.answers:
            summary = "；".join(i.text for i in answer.items.all() if i.text)[:120]
            added[f"outcome_{answer.pk}"] = forms.ChoiceField(
                label=f"{answer.author}：{summary}" if summary else answer.author,
                choices=[("", "—"), *Answer.Outcome.choices],
                required=False,
                initial=answer.outcome,
            )
            added[f"note_{answer.pk}"] = forms.CharField(
                label=_("对%(name)s的说明") % {"name": answer.author},
                max_length=NOTE,
                required=False,
                initial=answer.outcome_note,
                help_text=_("一句话告诉提出人意见如何被采纳或为何留作参考。"),
            )
        limit_form_fields(added)
        self.fields.update(added)

    def outcomes(self) -> dict:
        return {
            a.pk: (
                self.cleaned_data.get(f"outcome_{a.pk}", ""),
                self.cleaned_data.get(f"note_{a.pk}", ""),
            )
            for a in self.answers
        }

    def clean(self):
        data = super().clean()
        data["outcomes"] = self.outcomes()
        return data


CONSULTATION_STEPS = {
    "open": Step(
        ConfirmForm,
        lambda c, u, d: services.consultation_open(consultation=c, actor=u, note=d["note"]),
    ),
    "invite_experts": Step(
        ConfirmForm,
        lambda c, u, d: services.experts_invite(consultation=c, actor=u),
    ),
    "close": Step(
        ConfirmForm,
        lambda c, u, d: services.consultation_close(consultation=c, actor=u, note=d["note"]),
    ),
    "record_answer": Step(
        _ValuesStep,
        lambda c, u, d: services.answer_record(
            consultation=c,
            actor=u,
            values=d["_values"],
            source=d["source"],
            member=d.get("member"),
            speaker=d.get("speaker", ""),
            attachment=d.get("attachment"),
        ),
        needs=("record",),
        files=True,
    ),
    "mark": Step(
        MarkForm,
        lambda c, u, d: services.opinion_mark(
            consultation=c,
            actor=u,
            item=d["item"],
            mark=d.get("mark") or "",
            merged_into=d["merged_into"],
            reason=d.get("reason", ""),
        ),
        needs=("record",),
    ),
    "compile": Step(
        CompileForm,
        lambda c, u, d: services.consultation_compile(consultation=c, actor=u, **d),
        needs=("record",),
    ),
    "submit": Step(
        SubmitForm,
        lambda c, u, d: services.consultation_submit(consultation=c, actor=u, **d),
    ),
    "outcome": Step(
        OutcomeForm,
        lambda c, u, d: services.consultation_record_outcome(
            consultation=c,
            actor=u,
            decision=d["decision"],
            decided_on=d["decided_on"],
            outcomes=d["outcomes"],
        ),
        needs=("record",),
    ),
    "feed_back": Step(
        ConfirmForm,
        lambda c, u, d: services.consultation_feed_back(consultation=c, actor=u, note=d["note"]),
    ),
}
