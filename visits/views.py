"""The page for handling units, which have no accounts: everything goes through the
signed link e-mailed with the concern (liaison.unit_links). The link binds the concern
and the unit it was sent to; once the concern goes to another unit the old link fails."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from liaison.actions import Actor, UnitHandler, take_unit_action
from liaison.models import today
from liaison.unit_links import UnitLinkError, unit_link_resolve
from liaison.workflow import history_for

from . import services
from .actions import CONCERN_ACTIONS, concern_actions
from .forms import ProgressForm, ResultForm, result_kwargs
from .models import Concern


def _invalid(request, error):
    return render(request, "proposals/unit_link_invalid.html", {"error": error}, status=403)


# How the unit page takes each unit action of visits.actions.
UNIT_HANDLERS = {
    "acknowledge": UnitHandler(
        lambda c, unit, label, d: services.concern_acknowledge(
            concern=c, actor_label=label, unit=unit
        ),
        _("已签收。"),
    ),
    "progress": UnitHandler(
        lambda c, unit, label, d: services.concern_update_progress(
            concern=c, progress=d["progress"], actor_label=label, unit=unit
        ),
        _("办理进展已提交。"),
        ProgressForm,
    ),
    "result": UnitHandler(
        lambda c, unit, label, d: services.concern_report_result(
            concern=c, actor_label=label, unit=unit, **result_kwargs(d)
        ),
        _("办理结果已提交，谢谢！"),
        ResultForm,
    ),
}


@require_http_methods(["GET", "POST"])
def unit_concern(request, token):
    try:
        concern = unit_link_resolve(token, model=Concern)
    except UnitLinkError as error:
        return _invalid(request, error)
    concern = Concern.objects.select_related("unit", "office", "member", "category").get(
        pk=concern.pk
    )
    actor = Actor.of_unit(concern.unit)
    forms = {"progress": ProgressForm(), "result": ResultForm(initial={"resolved_on": today()})}
    if request.method == "POST":
        response = take_unit_action(
            request,
            concern,
            table=CONCERN_ACTIONS,
            actor=actor,
            handlers=UNIT_HANDLERS,
            label=str(concern.unit),
            forms=forms,
        )
        if response is not None:
            return response
    actions = concern_actions(concern, actor)
    context = {
        "concern": concern,
        "unit": concern.unit,
        "timeline": history_for(concern),
        "actions": [(action, forms.get(action.name)) for action in actions],
    }
    return render(request, "visits/unit_concern.html", context)
