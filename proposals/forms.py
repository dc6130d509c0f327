from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.limits import TEXT, LimitedForm
from liaison.uploads import validate_document

from .models import Reply


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
