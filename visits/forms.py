"""Forms for the pages handling units reach through their signed link."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.limits import TEXT, LimitedForm


class ProgressForm(LimitedForm):
    progress = forms.CharField(
        max_length=TEXT, label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResultForm(LimitedForm):
    OUTCOMES = (("resolved", _("已解决")), ("unresolvable", _("无法解决")))

    outcome = forms.ChoiceField(
        label=_("办理情况"), choices=OUTCOMES, widget=forms.RadioSelect, initial="resolved"
    )
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 6}))
    reason = forms.CharField(
        max_length=TEXT,
        label=_("无法解决的原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“无法解决”时必填。"),
    )
    resolved_on = forms.DateField(
        label=_("办结日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "unresolvable" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("无法解决的，请说明原因。"))
        return data


def result_kwargs(data: dict) -> dict:
    """A ResultForm's answers as ``concern_report_result``'s arguments."""
    return {
        "resolved": data["outcome"] == "resolved",
        "result": data["result"],
        "reason": data.get("reason", ""),
        "resolved_on": data["resolved_on"],
    }
