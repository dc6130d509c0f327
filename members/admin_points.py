"""The points rules table and the ledger in the admin (履职积分, DOMAIN.md). The rules are
district-wide: district staff change them, and a change is a new rule from its date, so
earlier years stay as they were counted. Office staff add entries by hand with the
evidence and revoke an entry with the reason; every entry says where it came from.
Imported by members/admin.py."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from liaison.admin import CreateThroughServiceMixin, DistrictSharedAdmin, OfficeScopedAdmin
from liaison.admin_filters import RecentYearsFilter
from liaison.admin_lists import BoundedCountMixin
from liaison.admin_workflow import ReasonForm, WorkflowAdminMixin
from liaison.models import today
from liaison.workflow import WorkflowError

from . import points
from .actions import CLAIM_ACTIONS
from .admin_steps import CLAIM_STEPS
from .models import PointEntry, PointRule
from .workflows import CLAIM_WORKFLOW

# --- The rules table ------------------------------------------------------------------


class PointRuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = ("kind", "points", "unit", "yearly_cap", "is_active", "valid_from")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Office staff see the rules read-only: their form has no valid_from to set.
        if self.instance.pk and "valid_from" in self.fields:
            # A change applies from a date: today unless staff say otherwise.
            self.initial["valid_from"] = today()
            self.fields["valid_from"].help_text = _(
                "修改后的分值从此日起适用；此前已记录的积分和往年合计保持不变。"
            )

    def clean(self):
        data = super().clean()
        rule = self.instance
        if not rule.pk:
            kind = data.get("kind")
            if kind and PointRule.objects.filter(kind=kind).exists():
                raise ValidationError(_("该类别已有积分规则，请在现行规则上修改。"))
            return data
        if self.errors or not self.has_changed():
            return data
        original = PointRule.objects.get(pk=rule.pk)
        refusal = points.rule_change_refusal(
            original, valid_from=data["valid_from"], yearly_cap=data.get("yearly_cap")
        )
        if refusal:
            raise ValidationError(refusal)
        return data


class PointRuleAdmin(DistrictSharedAdmin, SimpleHistoryAdmin):
    form = PointRuleForm
    list_display = ("kind", "points", "unit", "yearly_cap", "valid_from", "valid_to", "is_active")
    list_filter = ("kind", "is_active")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.valid_to is not None:  # superseded: kept for the years it applied to
            return ("kind", "points", "unit", "yearly_cap", "is_active", "valid_from")
        return ("kind",)

    def has_delete_permission(self, request, obj=None):
        return False  # a rule is ended by a newer one or switched off, never deleted

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        try:
            new = points.point_rule_change(
                rule=PointRule.objects.get(pk=obj.pk),
                points=obj.points,
                yearly_cap=obj.yearly_cap,
                unit=obj.unit,
                valid_from=obj.valid_from,
                is_active=obj.is_active,
                actor=request.user,
            )
        except WorkflowError as error:  # checked in the form; a race lands here
            messages.error(request, str(error))
            obj.refresh_from_db()
            return
        obj.__dict__.update({k: v for k, v in new.__dict__.items() if not k.startswith("_")})


# --- The ledger -----------------------------------------------------------------------


class ManualEntryForm(forms.ModelForm):
    class Meta:
        model = PointEntry
        fields = ("member", "kind", "points", "occurred_on", "description", "evidence")
        labels = {"description": _("事由")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
        self.fields["points"].help_text = _("扣分填负数。")
        self.fields["evidence"].help_text = _("照片、PDF、Word 或 Excel 文件。")


class RevokedFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("no", _("有效")), ("yes", _("已撤销"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def source_link(entry: PointEntry):
    """Where the entry came from: the record that earned it (linked in the admin), or
    staff's own hand."""
    if entry.source_type_id is None:
        user = entry.created_by
        who = (user.get_full_name() or user.username) if user else ""
        return _("手工记录（%(who)s）") % {"who": who} if who else _("手工记录")
    ct = entry.source_type
    model = ct.model_class()
    label = f"{model._meta.verbose_name if model else ct.model} #{entry.source_id}"
    try:
        url = reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[entry.source_id])
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


class PointEntryAdmin(BoundedCountMixin, CreateThroughServiceMixin, OfficeScopedAdmin):
    office_field = "member__office"
    form = ManualEntryForm
    change_form_template = "admin/members/pointentry/change_form.html"
    list_display = (
        "occurred_on",
        "member",
        "kind",
        "points_display",
        "description",
        "source_display",
        "member__office",
    )
    list_select_related = ("member", "member__office", "source_type", "created_by")
    # Choices known without reading the ledger (distinct years, a date hierarchy's
    # months read every entry); newest first along points_newest_idx; a bounded count.
    list_filter = (RevokedFilter, "kind", RecentYearsFilter, "occurred_on")
    search_fields = ("member__name", "member__member_no", "description")
    autocomplete_fields = ("member",)
    readonly_fields = (
        "member",
        "kind",
        "year",
        "points",
        "occurred_on",
        "description",
        "evidence",
        "source_display",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ManualEntryForm.Meta.fields
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:  # read only: nothing of the hand-entry form applies
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    def create_through_service(self, request, data, office):
        return points.points_add_manual(
            member=data["member"],
            kind=data["kind"],
            points=data["points"],
            occurred_on=data["occurred_on"],
            reason=data["description"],
            evidence=data.get("evidence"),
            actor=request.user,
        )

    def has_change_permission(self, request, obj=None):
        return False  # an entry is revoked with a reason, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("分值"), ordering="points")
    def points_display(self, obj):
        if obj.is_revoked:
            return format_html("<del>{:+d}</del>（{}）", obj.points, _("已撤销"))
        return f"{obj.points:+d}"

    @admin.display(description=_("来源"))
    def source_display(self, obj):
        return source_link(obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="members_pointentry_revoke",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "can_revoke": not entry.is_revoked and request.user.has_perm("members.add_pointentry"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def revoke_view(self, request, object_id):
        entry = self.get_object(request, unquote(object_id))
        if not request.user.has_perm("members.add_pointentry"):
            raise PermissionDenied
        back = reverse("admin:members_pointentry_change", args=[entry.pk])
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                points.points_revoke_entry(
                    entry=entry, reason=form.cleaned_data["reason"], actor=request.user
                )
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("积分记录已撤销。"))
                return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": entry,
            "title": _("撤销积分记录"),
            "form": form,
            "back": back,
        }
        return TemplateResponse(request, "admin/members/pointentry/revoke.html", context)


# --- Duties members report ------------------------------------------------------------


class DutyClaimAdmin(WorkflowAdminMixin, OfficeScopedAdmin):
    """What members reported, for staff to approve or return."""

    office_field = "member__office"
    workflow = CLAIM_WORKFLOW
    action_table = CLAIM_ACTIONS
    workflow_steps = CLAIM_STEPS
    deletable_statuses = None
    list_display = ("created_at", "member", "kind", "title", "occurred_on", "status")
    list_display_links = ("title",)
    list_select_related = ("member",)
    list_filter = ("status", "kind")
    search_fields = ("title", "member__name", "member__member_no")
    show_full_result_count = False
    fields = (
        "member",
        "kind",
        "title",
        "occurred_on",
        "description",
        "evidence",
        "contribution_kind",
        "amount",
        "status",
        "return_reason",
        "contribution",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # members report in the portal; staff's own entries go in the ledger

    def has_delete_permission(self, request, obj=None):
        return False
