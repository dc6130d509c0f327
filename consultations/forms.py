"""The answer form, shared by the portal (the member) and the admin (staff recording a
paper or meeting opinion): one field per question, built from the consultation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.limits import TEXT, LimitedForm, limit_form_fields
from liaison.uploads import validate_document

from .models import Question

PREFIX = "q"


def question_field_name(question: Question) -> str:
    return f"{PREFIX}{question.pk}"


def _question_field(question: Question, initial=None):
    label = question.text
    invalid = _("“%(q)s”没有所选的选项，请刷新页面后重新选择。") % {"q": question.text}
    common = {"label": label, "required": False, "initial": initial}
    if question.kind == Question.Kind.TEXT:
        return forms.CharField(max_length=TEXT, widget=forms.Textarea(attrs={"rows": 5}), **common)
    choices = [(str(i), option) for i, option in enumerate(question.option_list)]
    if question.kind == Question.Kind.SINGLE:
        return forms.ChoiceField(
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": invalid},
            **common,
        )
    return forms.MultipleChoiceField(
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": invalid},
        **common,
    )


class AnswerFields(LimitedForm):
    """Base: subclasses add their own fields; ``questions`` adds one per question and
    an optional attachment. ``values()`` is what the answer services take."""

    attachment = forms.FileField(
        label=_("附件（可选）"),
        required=False,
        validators=[validate_document],
        help_text=_("可上传书面意见、调研材料等（PDF、Word、图片）。"),
    )

    def __init__(self, *args, questions, answer_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        answer_items = answer_items or {}
        added = {}
        for question in self.questions:
            item = answer_items.get(question.pk)
            initial = None
            if item is not None:
                if question.kind == Question.Kind.TEXT:
                    initial = item.text
                elif question.kind == Question.Kind.SINGLE:
                    initial = str(item.choices[0]) if item.choices else None
                else:
                    initial = [str(c) for c in item.choices]
            added[question_field_name(question)] = _question_field(question, initial)
        limit_form_fields(added)
        # The questions first, the attachment (and what subclasses add) after them.
        others = dict(self.fields)
        self.fields = {**added, **others}

    def values(self) -> dict:
        return {
            question.pk: self.cleaned_data.get(question_field_name(question))
            for question in self.questions
        }

    def question_fields(self):
        return [self[question_field_name(q)] for q in self.questions]
