"""The page an invited expert opens from their e-mail (they have no account): the
consultation, its draft documents, and their answer form. Everything goes through
the signed link (expert_links.py); a tampered or expired link gets a page saying so
and nothing else."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.workflow import WorkflowError

from . import services
from .expert_links import ExpertLinkError, expert_link_resolve
from .forms import AnswerFields
from .models import Answer
from .workflows import answer_refusal


def _invalid(request, error):
    return render(request, "proposals/unit_link_invalid.html", {"error": error}, status=403)


@require_http_methods(["GET", "POST"])
def expert_consultation(request, token):
    try:
        expert = expert_link_resolve(token)
    except ExpertLinkError as error:
        return _invalid(request, error)
    consultation = expert.consultation
    answer = Answer.objects.filter(expert=expert).prefetch_related("items").first()
    items = {item.question_id: item for item in answer.items.all()} if answer else {}
    questions = list(consultation.questions.all())
    refusal = answer_refusal(consultation)
    form = None
    if refusal is None or request.method == "POST":
        form = AnswerFields(
            request.POST or None, request.FILES or None, questions=questions, answer_items=items
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_answer(
                consultation=consultation,
                expert=expert,
                values=form.values(),
                attachment=form.cleaned_data.get("attachment"),
                edit=request.POST.get("edit") == "1",
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("意见已收到，谢谢！截止前您还可以通过本链接修改。"))
            return redirect(request.path)
    return render(
        request,
        "consultations/expert.html",
        {
            "expert": expert,
            "consultation": consultation,
            "documents": list(consultation.documents.all()),
            "answer": answer,
            "form": form,
            "refusal": refusal,
            "token": token,
        },
    )


def expert_document(request, token, document_pk):
    """A draft document, for the invited expert the link names."""
    try:
        expert = expert_link_resolve(token)
    except ExpertLinkError as error:
        return _invalid(request, error)
    document = expert.consultation.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    name = document.file.name
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    filename = f"{document.title}.{extension}" if extension else document.title
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)
