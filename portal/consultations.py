"""Consultations (征求意见) in the portal: the ones the member was asked, and the page
where they read the draft and give (or change, until the deadline) their opinion.

Reads come from consultations.selectors, scoped to the signed-in member: a consultation
the member was not asked is a 404. Writes go through consultations.services; a refused
answer shows its message on the page and changes nothing."""

from crispy_forms.helper import FormHelper
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from consultations import services
from consultations.actions import CONSULTATION_ACTIONS
from consultations.forms import AnswerFields
from consultations.models import Consultation
from consultations.selectors import member_consultation_detail, member_consultations
from liaison.actions import Actor
from liaison.workflow import WorkflowError

from .views import _page, member_required


class AnswerForm(AnswerFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _consultation_or_404(request, pk) -> Consultation:
    try:
        return member_consultation_detail(request.member, pk)
    except Consultation.DoesNotExist as error:
        raise Http404 from error


@member_required
def consultation_list(request):
    return _page(
        request,
        "portal/consultations/list.html",
        consultations=list(member_consultations(request.member).select_related("office")[:50]),
    )


@member_required
def consultation_detail(request, pk):
    consultation = _consultation_or_404(request, pk)
    answer = consultation.my_answer
    can_answer = (
        CONSULTATION_ACTIONS.find(consultation, Actor.of_member(request.member), "answer")
        is not None
    )
    form = None
    if can_answer or request.method == "POST":
        form = AnswerForm(
            request.POST or None,
            request.FILES or None,
            questions=consultation.questions.all(),
            answer_items=consultation.my_items,
        )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_submit(
                    consultation=consultation,
                    member=request.member,
                    actor=request.user,
                    values=form.values(),
                    attachment=form.cleaned_data.get("attachment"),
                    edit=request.POST.get("edit") == "1",
                )
            except WorkflowError as error:
                form.add_error(None, str(error))  # shown at the top of the form
            else:
                messages.success(
                    request,
                    _("意见已修改，谢谢！")
                    if answer
                    else _("意见已提交，谢谢！截止前您还可以修改。"),
                )
                return redirect("portal:consultation_detail", pk=consultation.pk)
        else:
            messages.error(request, _("请更正下面的错误。"))
    return _page(
        request,
        "portal/consultations/detail.html",
        consultation=consultation,
        answer=answer,
        items=consultation.my_items,
        form=form,
        can_answer=can_answer,
        show_outcome=consultation.status == Consultation.Status.FED_BACK,
        my_rows=_shown(consultation) if answer else [],
    )


def _shown(consultation) -> list:
    """(question, what the member answered) for the read-only view of their answer."""
    rows = []
    for question in consultation.questions.all():
        item = consultation.my_items.get(question.pk)
        if item is None:
            shown = ""
        elif question.is_choice:
            options = question.option_list
            shown = "、".join(options[i] for i in item.choices if 0 <= i < len(options))
        else:
            shown = item.text
        rows.append((question, shown))
    return rows


@member_required
def consultation_document(request, pk, document_pk):
    """A draft document, for the members consulted only."""
    consultation = _consultation_or_404(request, pk)
    document = next((d for d in consultation.documents.all() if d.pk == document_pk), None)
    if document is None:
        raise Http404
    name = document.file.name
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    filename = f"{document.title}.{extension}" if extension else document.title
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)
