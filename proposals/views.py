"""Pages for handling units, which have no accounts: everything goes through the signed
link e-mailed with the assignment (liaison.unit_links)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from liaison.actions import Actor, UnitHandler, take_unit_action
from liaison.models import today
from liaison.unit_links import UnitLinkError, unit_link_resolve

from . import services
from .actions import PROPOSAL_ACTIONS, proposal_actions
from .forms import CoOpinionForm, FollowUpReportForm, ReplyForm, ReturnRequestForm
from .models import Assignment, FollowUp
from .services.followup import open_follow_up


def _invalid(request, error):
    return render(request, "proposals/unit_link_invalid.html", {"error": error}, status=403)


# How the unit page takes each unit action of proposals.actions.
UNIT_HANDLERS = {
    "acknowledge": UnitHandler(
        lambda p, a, label, d: services.assignment_acknowledge(assignment=a, actor_label=label),
        _lazy("已签收。"),
    ),
    "return": UnitHandler(
        lambda p, a, label, d: services.assignment_request_return(
            assignment=a, reason=d["reason"], actor_label=label
        ),
        _lazy("退回申请已提交，请等待联络处处理。"),
        ReturnRequestForm,
    ),
    "opinion": UnitHandler(
        lambda p, a, label, d: services.assignment_give_opinion(
            assignment=a, opinion=d["opinion"], actor_label=label
        ),
        _lazy("会办意见已提交。"),
        CoOpinionForm,
    ),
    "reply": UnitHandler(
        lambda p, a, label, d: services.reply_record(assignment=a, actor_label=label, **d),
        _lazy("答复已提交，谢谢！"),
        ReplyForm,
    ),
    # A B reply's follow-up (issue 20, item 5), through the same link.
    "follow_up_progress": UnitHandler(
        lambda p, a, label, d: services.follow_up_report(
            follow_up=open_follow_up(a), kind="progress", actor_label=label, **d
        ),
        gettext_lazy("落实进展已报告，谢谢！"),
        FollowUpReportForm,
    ),
    "follow_up_complete": UnitHandler(
        lambda p, a, label, d: services.follow_up_report(
            follow_up=open_follow_up(a), kind="completion", actor_label=label, **d
        ),
        gettext_lazy("已报告完成，联络处核实后将办结。谢谢！"),
        FollowUpReportForm,
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
    forms = {
        "reply": ReplyForm(initial={"replied_on": today()}),
        "return": ReturnRequestForm(),
        "opinion": CoOpinionForm(initial={"opinion": assignment.co_opinion}),
        "follow_up_progress": FollowUpReportForm(initial={"reported_on": today()}),
        "follow_up_complete": FollowUpReportForm(initial={"reported_on": today()}),
    }

    if request.method == "POST":
        response = take_unit_action(
            request,
            proposal,
            table=PROPOSAL_ACTIONS,
            actor=actor,
            handlers=UNIT_HANDLERS,
            label=str(assignment.unit),
            forms=forms,
        )
        if response is not None:
            return response
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
        "follow_ups": FollowUp.objects.filter(reply__assignment=assignment)
        .select_related("reply")
        .prefetch_related("reports"),
        "feedback": proposal.feedback.all(),
        "actions": [(action, forms.get(action.name)) for action in actions],
    }
    return render(request, "proposals/unit_assignment.html", context)
