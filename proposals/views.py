"""Pages for handling units, which have no accounts: everything goes through the signed
link e-mailed with the assignment (liaison.unit_links)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from liaison.actions import Actor
from liaison.models import today
from liaison.unit_links import UnitLinkError, unit_link_resolve
from liaison.workflow import WorkflowError

from . import services
from .actions import PROPOSAL_ACTIONS, proposal_actions
from .forms import CoOpinionForm, ReplyForm, ReturnRequestForm
from .models import Assignment


def _invalid(request, error):
    return render(request, "proposals/unit_link_invalid.html", {"error": error}, status=403)


# How the unit page takes each unit action of proposals.actions: (form, service, thanks).
UNIT_HANDLERS = {
    "acknowledge": (
        None,
        lambda a, label, d: services.assignment_acknowledge(assignment=a, actor_label=label),
        _lazy("已签收。"),
    ),
    "return": (
        ReturnRequestForm,
        lambda a, label, d: services.assignment_request_return(
            assignment=a, reason=d["reason"], actor_label=label
        ),
        _lazy("退回申请已提交，请等待联络处处理。"),
    ),
    "opinion": (
        CoOpinionForm,
        lambda a, label, d: services.assignment_give_opinion(
            assignment=a, opinion=d["opinion"], actor_label=label
        ),
        _lazy("会办意见已提交。"),
    ),
    "reply": (
        ReplyForm,
        lambda a, label, d: services.reply_record(assignment=a, actor_label=label, **d),
        _lazy("答复已提交，谢谢！"),
    ),
}


@require_http_methods(["GET", "POST"])
def unit_assignment(request, token):
    try:
        assignment = unit_link_resolve(token, model=Assignment)
    except UnitLinkError as error:
        return _invalid(request, error)
    assignment = Assignment.objects.select_related(
        "unit", "proposal__office", "proposal__lead_member", "proposal__category"
    ).get(pk=assignment.pk)
    proposal = assignment.proposal
    if not assignment.is_active:
        return _invalid(request, _("该提案已改由其他单位办理，本链接不再有效。"))
    actor = Actor.of_unit(assignment)
    label = str(assignment.unit)
    forms = {
        "reply": ReplyForm(initial={"replied_on": today()}),
        "return": ReturnRequestForm(),
        "opinion": CoOpinionForm(initial={"opinion": assignment.co_opinion}),
    }

    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in UNIT_HANDLERS:
            messages.error(request, _("未知的操作。"))
            return redirect(request.path)
        reason = PROPOSAL_ACTIONS.refusal(proposal, actor, name)
        if reason is not None:
            messages.error(request, reason)
            return redirect(request.path)
        form_class, run, thanks = UNIT_HANDLERS[name]
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is None or form.is_valid():
            try:
                run(assignment, label, form.cleaned_data if form else {})
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, thanks)
            return redirect(request.path)
        forms[name] = form  # shown again with its errors
    actions = proposal_actions(proposal, actor)
    context = {
        "assignment": assignment,
        "proposal": proposal,
        "co_assignments": (
            proposal.assignments.filter(role=Assignment.Role.CO, is_active=True).select_related(
                "unit"
            )
            if assignment.is_lead
            else []
        ),
        "replies": assignment.replies.all(),
        "feedback": proposal.feedback.all(),
        "actions": [(action, forms.get(action.name)) for action in actions],
    }
    return render(request, "proposals/unit_assignment.html", context)
