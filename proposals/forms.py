from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.limits import TEXT, LimitedForm
from liaison.models import HandlingUnit
from liaison.uploads import validate_document
from liaison.widgets import QuickSelect

from .models import Proposal, ProposalCategory, Reply


class ReturnRequestForm(LimitedForm):
    reason = forms.CharField(label=_("申请退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class CoOpinionForm(LimitedForm):
    opinion = forms.CharField(label=_("会办意见"), widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(LimitedForm):
    # No grade is preselected (issue 20, item 7): a default "A" was submitted unread and
    # inflated the office's A counts. The unit must choose; an unchosen grade is refused.
    grade = forms.ChoiceField(
        label=_("答复类别"),
        choices=Reply.Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择答复类别（A、B或C类）。")},
    )
    content = forms.CharField(
        max_length=TEXT, label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 8})
    )
    contact_method = forms.ChoiceField(label=_("与提案人沟通方式"), choices=Reply.Contact.choices)
    replied_on = forms.DateField(
        label=_("答复日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    letter = forms.FileField(
        label=_("答复函（PDF、Word 或图片）"), required=False, validators=[validate_document]
    )
    # A B reply (列入计划拟解决) names when the unit plans to be done: it is followed up
    # until then (issue 20, item 5).
    planned_on = forms.DateField(
        label=_("计划完成日期（B类必填）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "列入计划拟解决的，请写明计划完成的日期；到期前后系统将提醒贵单位报告落实情况。"
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("grade") == Reply.Grade.B and not data.get("planned_on"):
            self.add_error("planned_on", _("B类答复请填写计划完成日期。"))
        elif data.get("grade") != Reply.Grade.B:
            data["planned_on"] = None
        return data


class FollowUpReportForm(LimitedForm):
    """The unit's report on a B reply's planned work (through its signed link)."""

    content = forms.CharField(
        max_length=TEXT,
        label=_("落实情况"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写落实情况。")},
    )
    reported_on = forms.DateField(
        label=_("报告日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


# The search's filter lists: Bootstrap's class for the portal (the admin ignores it).
FILTER = QuickSelect(attrs={"class": "form-select"})


class SearchForm(LimitedForm):
    """The search box and its filters (issue 20, item 1), for staff and members alike.
    The text is only bounded here; what can be searched is decided by search.parse_query,
    whose message is shown."""

    KIND_CHOICES = [
        ("", _("提案和社情民意")),
        ("proposals", _("只看提案")),
        ("reports", _("只看社情民意")),
    ]
    GRADE_CHOICES = [("", _("全部类别")), *Reply.Grade.choices]

    q = forms.CharField(
        label=_("关键词"),
        required=False,
        # Bounded only as any text is (liaison.limits.TEXT): an over-long paste reaches
        # search.parse_query, which refuses it (MAX_QUERY) with its own message before
        # anything is looked up.
        max_length=TEXT,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("如：加装电梯、停车"), "autofocus": True}
        ),
    )
    kind = forms.ChoiceField(label=_("范围"), choices=KIND_CHOICES, required=False, widget=FILTER)
    year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, required=False, empty_value=None, widget=FILTER
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=ProposalCategory.objects.all(),
        required=False,
        widget=FILTER,
    )
    status = forms.ChoiceField(label=_("状态"), required=False, widget=FILTER)
    unit = forms.ModelChoiceField(
        label=_("承办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=FILTER,
    )
    grade = forms.ChoiceField(
        label=_("答复类别"), choices=GRADE_CHOICES, required=False, widget=FILTER
    )

    def __init__(self, *args, lists, units, member_labels=False, **kwargs):
        """``lists``: the filter lists shown (search.filter_lists: years, categories
        and units as (id, name)); ``units``: the queryset a chosen unit is checked
        against."""
        super().__init__(*args, **kwargs)
        years = lists["years"]
        self.fields["year"].choices = [("", _("全部年度"))] + [(y, str(y)) for y in years]
        self.fields["unit"].queryset = units
        labels = Proposal.MEMBER_LABELS if member_labels else dict(Proposal.Status.choices)
        seen, choices = set(), [("", _("全部状态"))]
        for value, label in labels.items():
            if str(label) not in seen and value != Proposal.Status.DRAFT:
                seen.add(str(label))
                choices.append((value, label))
        self.fields["status"].choices = choices
        self.fields["category"].empty_label = _("全部类别")
        self.fields["unit"].empty_label = _("全部单位")
        # The lists as read by filter_lists, not the fields' own choices (which count
        # their rows and read them again each time the page walks them). A chosen
        # value is still checked against the queryset.
        for name, rows in (("category", lists["categories"]), ("unit", lists["units"])):
            field = self.fields[name]
            field.choices = [("", field.empty_label), *rows]
