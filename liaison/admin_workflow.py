"""Workflow steps in the admin: the change page shows a button for each action the
app's actions table (``<app>/actions.py``) offers staff now; each opens a small form,
and the form calls a service. Domain errors become a message on the page, never a 500."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .actions import STAFF, ActionTable, Actor
from .admin_dates import admin_date, overdue_badge
from .limits import LimitedForm
from .templatetags.workdays import provisional_mark
from .workflow import WorkflowError, history_for


class ConfirmForm(LimitedForm):
    """A step with nothing to fill in but an optional note."""

    note = forms.CharField(
        label=_("说明（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(LimitedForm):
    """A step that must say why (a return, a refusal)."""

    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}))


@dataclass(frozen=True)
class Step:
    """How the admin takes one action of the app's actions table: ``form`` is shown; on
    a valid POST ``run(record, user, cleaned_data)`` calls the service. ``needs`` names
    extra arguments for the form: "record" (the object acted on) and "user" (the staff
    member, to scope choices). When and under which label it is offered is the actions
    table's business, not the step's."""

    form: type[forms.Form]
    run: Any
    needs: tuple = ()
    files: bool = False


class WorkflowAdminMixin:
    """Use with OfficeScopedAdmin. ``action_table`` is the app's actions table;
    ``workflow_steps`` maps each of its staff actions to a ``Step``."""

    action_table = ActionTable()  # no actions: the change page shows the timeline only
    workflow_steps: dict = {}
    workflow = None  # the liaison.workflow.Workflow, for status labels on the timeline
    change_form_template = "admin/workflow_change_form.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.workflow_step_view),
                name="{}_{}_step".format(*info),
            ),
            *super().get_urls(),
        ]

    # A record is deleted only before anything was sent or counted from it: a draft, a
    # concern or opinion nobody has handled, a visit not made. Later it moves through
    # its actions (withdraw, cancel, close …), which leave a trace. None: any status,
    # for an admin whose delete goes through a service that undoes what the record
    # counted (visits: visit_delete takes a visit out of the tallies).
    deletable_statuses: tuple | None = ("draft", "new", "pending")

    def has_delete_permission(self, request, obj=None):
        statuses = self.deletable_statuses
        if obj is not None and statuses is not None and obj.status not in statuses:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # "Delete selected" would delete records past draft along with drafts.
        actions = super().get_actions(request)
        if self.deletable_statuses is not None:
            actions.pop("delete_selected", None)
        return actions

    def revert_disabled(self, request, obj=None):
        # A workflow record moves only through its actions: restoring an old version
        # from its history would bring back an old status (an accepted proposal back to
        # a draft, a closed concern reopened) with no status-change row, no notification
        # and none of the workflow's checks. Its history is for reading.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("办理记录不能从历史版本恢复，请使用记录页上的办理操作。"))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def run_for_each(self, request, queryset, run, done, *, order_by=("pk",)):
        """An admin action over the selection: call ``run(obj)`` (a service) for each,
        report each refusal by name, and how many succeeded (``done`` % {"n": …})."""
        succeeded = 0
        for obj in queryset.order_by(*order_by):
            try:
                run(obj)
                succeeded += 1
            except WorkflowError as error:
                self.message_user(request, f"{obj}：{error}", messages.ERROR)
        if succeeded:
            self.message_user(request, done % {"n": succeeded}, messages.SUCCESS)

    @admin.display(description=_("办理期限"), ordering="due_date")
    def due_display(self, obj):
        """The due date, marked when the record is overdue, or provisional (counted over a
        year whose holidays are not entered yet)."""
        if obj.due_date is None:
            return "—"
        provisional = getattr(obj, "due_date_is_provisional", False)
        mark = provisional_mark(obj.due_date) if provisional else ""
        badge = overdue_badge() if obj.is_overdue else ""
        return format_html("{}{}{}", admin_date(obj.due_date), mark, badge)

    def available_actions(self, request, obj):
        """The staff actions offered on ``obj`` now, in the table's order."""
        return self.action_table.available(obj, Actor.staff(request.user))

    def _action(self, request, obj, name):
        """(the action, or None with the sentence why it is not available now)."""
        action = self.action_table.action(STAFF, name)
        if action is None or name not in self.workflow_steps:
            raise Http404
        reason = self.action_table.refusal(obj, Actor.staff(request.user), name)
        if reason is None:
            return action, None
        return None, _("不能执行“%(label)s”：%(reason)s") % {
            "label": action.label,
            "reason": reason,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, unquote(object_id))
        if self.has_change_permission(request, obj):
            # One button for the next step a clerk would take (the table's first primary
            # action); the other steps in a menu beside it, destructive ones last, in red.
            actions = self.available_actions(request, obj)
            # A state whose table marks no step primary still gets one button: its first
            # step that is not destructive.
            primary = next((a for a in actions if a.is_primary), None) or next(
                (a for a in actions if not a.is_danger), None
            )
            extra_context["primary_action"] = primary
            extra_context["more_actions"] = sorted(
                (a for a in actions if a is not primary), key=lambda a: a.is_danger
            )
        if self.workflow is not None and getattr(obj, "status", None):
            extra_context["workflow_state"] = self.workflow.label(obj.status)
        timeline = list(history_for(obj))
        for change in timeline:
            change.from_label = change.from_status and self.workflow.label(change.from_status)
            change.to_label = self.workflow.label(change.to_status)
        extra_context["timeline"] = timeline
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_step_view(self, request, object_id, step):
        obj = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        action, refusal = self._action(request, obj, step)
        spec = self.workflow_steps[step]
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        if action is None:
            messages.error(request, refusal)
            return HttpResponseRedirect(change_url)
        label = action.label
        kwargs = {}
        if "record" in spec.needs:
            kwargs["record"] = obj
        if "user" in spec.needs:
            kwargs["user"] = request.user
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        if request.method == "GET" and request.GET:
            # A link may prefill the step (the similar-proposal list's 并案 names the
            # proposal to merge into); the form still validates what is posted.
            kwargs["initial"] = request.GET.dict()
        form = spec.form(data, files, **kwargs)
        if request.method == "POST" and form.is_valid():
            try:
                spec.run(obj, request.user, form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"“{label}”已完成。")
                # A step posted from another page of the record (a row of a list) goes
                # back there.
                back = request.POST.get("next", "")
                if back and url_has_allowed_host_and_scheme(
                    back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return HttpResponseRedirect(back)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"{label}：{obj}",
            "step": spec,
            "action": action,
            "form": form,
            "change_url": change_url,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/workflow_step.html", context)
