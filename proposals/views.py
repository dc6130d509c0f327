"""Pages for handling units, which have no accounts: everything goes through the signed
link e-mailed with the assignment (liaison.unit_links)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.models import today
from liaison.unit_links import UnitLinkError, unit_link_resolve
from liaison.workflow import WorkflowError

from . import services
from .forms import CoOpinionForm, ReplyForm, ReturnRequestForm
from .models import Assignment, Proposal


def _invalid(request, error):
    return render(request, "proposals/unit_link_invalid.html", {"error": error}, status=403)


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
    label = str(assignment.unit)
    reply_form = ReplyForm(initial={"replied_on": today()})
    return_form = ReturnRequestForm()
    opinion_form = CoOpinionForm(initial={"opinion": assignment.co_opinion})

    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "acknowledge":
                services.assignment_acknowledge(assignment=assignment, actor_label=label)
                messages.success(request, _("已签收。"))
                return redirect(request.path)
            if action == "return":
                return_form = ReturnRequestForm(request.POST)
                if return_form.is_valid():
                    services.assignment_request_return(
                        assignment=assignment,
                        reason=return_form.cleaned_data["reason"],
                        actor_label=label,
                    )
                    messages.success(request, _("退回申请已提交，请等待联络处处理。"))
                    return redirect(request.path)
            elif action == "opinion":
                opinion_form = CoOpinionForm(request.POST)
                if opinion_form.is_valid():
                    services.assignment_give_opinion(
                        assignment=assignment,
                        opinion=opinion_form.cleaned_data["opinion"],
                        actor_label=label,
                    )
                    messages.success(request, _("会办意见已提交。"))
                    return redirect(request.path)
            elif action == "reply":
                reply_form = ReplyForm(request.POST, request.FILES)
                if reply_form.is_valid():
                    services.reply_record(
                        assignment=assignment, actor_label=label, **reply_form.cleaned_data
                    )
                    messages.success(request, _("答复已提交，谢谢！"))
                    return redirect(request.path)
            else:
                messages.error(request, _("未知的操作。"))
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        # else: fall through and show the form with its errors
    proposal.refresh_from_db()
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
        "reply_form": reply_form,
        "return_form": return_form,
        "opinion_form": opinion_form,
        "can_reply": proposal.status in Proposal.HANDLING_STATUSES
        and not assignment.replies.filter(round=proposal.handling_round).exists()
        and assignment.return_state != Assignment.ReturnState.REQUESTED,
        "can_give_opinion": not assignment.is_lead
        and proposal.status in Proposal.HANDLING_STATUSES,
        "can_return": not assignment.acknowledged_at
        and assignment.return_state != Assignment.ReturnState.REQUESTED
        and proposal.status in (Proposal.Status.ASSIGNED, Proposal.Status.ACKNOWLEDGED),
    }
    return render(request, "proposals/unit_assignment.html", context)
