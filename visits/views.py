"""The page for handling units, which have no accounts: everything goes through the
signed link e-mailed with the concern (liaison.unit_links). The link binds the concern
and the unit it was sent to; once the concern goes to another unit the old link fails."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.models import today
from liaison.unit_links import UnitLinkError, unit_link_resolve
from liaison.workflow import WorkflowError, history_for

from . import services
from .forms import ProgressForm, ResultForm
from .models import Concern


def _invalid(request, error):
    return render(request, "proposals/unit_link_invalid.html", {"error": error}, status=403)


@require_http_methods(["GET", "POST"])
def unit_concern(request, token):
    try:
        concern = unit_link_resolve(token, model=Concern)
    except UnitLinkError as error:
        return _invalid(request, error)
    concern = Concern.objects.select_related("unit", "office", "member", "category").get(
        pk=concern.pk
    )
    unit = concern.unit
    label = str(unit)
    progress_form = ProgressForm()
    result_form = ResultForm(initial={"resolved_on": today()})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "acknowledge":
                services.concern_acknowledge(concern=concern, actor_label=label, unit=unit)
                messages.success(request, _("已签收。"))
                return redirect(request.path)
            if action == "progress":
                progress_form = ProgressForm(request.POST)
                if progress_form.is_valid():
                    services.concern_update_progress(
                        concern=concern,
                        progress=progress_form.cleaned_data["progress"],
                        actor_label=label,
                        unit=unit,
                    )
                    messages.success(request, _("办理进展已提交。"))
                    return redirect(request.path)
            elif action == "result":
                result_form = ResultForm(request.POST)
                if result_form.is_valid():
                    services.concern_report_result(
                        concern=concern,
                        actor_label=label,
                        unit=unit,
                        **result_form.service_kwargs(),
                    )
                    messages.success(request, _("办理结果已提交，谢谢！"))
                    return redirect(request.path)
            else:
                messages.error(request, _("未知的操作。"))
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect(request.path)
    handling = concern.status in Concern.HANDLING_STATUSES
    context = {
        "concern": concern,
        "unit": unit,
        "timeline": history_for(concern),
        "progress_form": progress_form,
        "result_form": result_form,
        "can_acknowledge": handling and concern.status != Concern.Status.IN_PROGRESS,
        "can_act": handling,
    }
    return render(request, "visits/unit_concern.html", context)
