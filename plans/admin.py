from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from liaison.admin import CreateThroughServiceMixin, LookupAdmin, OfficeScopedAdmin
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.limits import year_param
from liaison.models import today
from liaison.scoping import default_office
from liaison.workflow import record_creation

from . import services
from .actions import PLAN_ACTIONS
from .admin_steps import PLAN_STEPS
from .models import (
    PlanCategory,
    PlanComment,
    PlanConfig,
    PlanItem,
    WorkPlan,
    WorkReport,
)
from .selectors import plan_versions, year_comments
from .workflows import PLAN_WORKFLOW, REPORT_WORKFLOW

admin.site.register(PlanCategory, LookupAdmin)


@admin.register(PlanConfig)
class PlanConfigAdmin(OfficeScopedAdmin):
    list_display = (
        "office",
        "submit_by_month",
        "submit_by_day",
        "min_proposals",
        "min_opinion_reports",
        "min_activities",
        "min_study",
        "base_points",
        "grade_excellent",
        "grade_competent",
        "missed_minimum_fails",
    )

    def _shows_office(self, request):
        return True  # the office is what a configuration row is about


class YearFilter(admin.SimpleListFilter):
    """Defaults to the current year and the next (the next year's plan is drafted in
    the autumn)."""

    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        this_year = today().year
        return [("all", _("全部"))] + [
            (str(y), str(y)) for y in range(this_year + 1, this_year - 4, -1)
        ]

    def choices(self, changelist):
        value = self.value() or "recent"
        yield {
            "selected": value == "recent",
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("今明两年"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value:
            year = year_param(value)
            return queryset if year is None else queryset.filter(year=year)
        this_year = today().year
        return queryset.filter(year__in=[this_year, this_year + 1])


# --- Annual work plan -----------------------------------------------------------------


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 1
    fields = ("position", "category", "description", "owner", "months", "metric", "target")

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class PlanCommentInline(admin.TabularInline):
    model = PlanComment
    extra = 0
    fields = ("received_on", "commenter", "content", "response")
    readonly_fields = ("received_on", "commenter", "content")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # comments come through the "登记党工委意见" step, one by one


@admin.register(WorkPlan)
class WorkPlanAdmin(CreateThroughServiceMixin, WorkflowAdminMixin, OfficeScopedAdmin):
    workflow = PLAN_WORKFLOW
    action_table = PLAN_ACTIONS
    workflow_steps = PLAN_STEPS
    change_form_template = "admin/plans/workplan/change_form.html"
    list_display = (
        "title",
        "year",
        "version_display",
        "status",
        "item_count",
        "submitted_on",
        "adopted_on",
        "office",
    )
    list_display_links = ("title",)
    list_select_related = ("office",)
    list_filter = (YearFilter, "status")
    search_fields = ("title",)
    inlines = [PlanItemInline, PlanCommentInline]
    fields = (
        "office",
        "year",
        "title",
        "preamble",
        "version",
        "status",
        "submitted_to",
        "submitted_on",
        "adopted_on",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("items"))

    def get_readonly_fields(self, request, obj=None):
        always = ["version", "status", "submitted_to", "submitted_on", "adopted_on"]
        if obj is not None:
            always = ["office", "year", *always]
            if not obj.is_editable:
                always += ["title", "preamble"]
        return always

    def create_through_service(self, request, data, office):
        return services.plan_create(
            actor=request.user,
            office=office,
            year=data["year"],
            title=data.get("title", ""),
            preamble=data.get("preamble", ""),
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("year", today().year + (1 if today().month >= 10 else 0))
        return initial

    @admin.display(description=_("版本"), ordering="version")
    def version_display(self, obj):
        return _("第%(v)s稿") % {"v": obj.version}

    @admin.display(description=_("事项"), ordering="item_total")
    def item_count(self, obj):
        return obj.item_total

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "versions": list(plan_versions(obj)),
            "year_comments": list(year_comments(obj)),
        }
        return super().change_view(request, object_id, form_url, extra_context)


# --- Work reports ---------------------------------------------------------------------


@admin.register(WorkReport)
class WorkReportAdmin(WorkflowAdminMixin, OfficeScopedAdmin):
    workflow = REPORT_WORKFLOW
    list_display = ("title", "year", "period", "status", "issued_on", "office")
    list_select_related = ("office",)
    list_filter = (YearFilter, "period", "status")
    search_fields = ("title",)
    fields = (
        "office",
        "year",
        "period",
        "title",
        "status",
        "issued_on",
        "summary",
        "highlights",
        "problems",
        "next_steps",
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "plans_workreport_changelist":
            # The list shows none of a report's texts nor its figures: a district's
            # report keeps every office's figures (68 KB of JSON at 50,000 members).
            queryset = queryset.defer("figures", "summary", "highlights", "problems", "next_steps")
        return queryset

    def get_readonly_fields(self, request, obj=None):
        always = ["status", "issued_on"]
        if obj is None:
            return always
        always = ["office", "year", "period", *always]
        if obj.is_issued:
            always += ["title", "summary", "highlights", "problems", "next_steps"]
        return always

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        office = default_office(request)

        class ReportForm(form):
            def clean(self):
                data = super().clean()
                chosen = data.get("office") or office
                if (
                    obj is None
                    and chosen is not None
                    and WorkReport.objects.filter(
                        office=chosen, year=data.get("year"), period=data.get("period")
                    ).exists()
                ):
                    raise ValidationError(_("该报告期的工作报告已存在。"))
                return data

        return ReportForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            if not obj.title:
                obj.title = WorkReport.title_for(obj.year, obj.half)
        super().save_model(request, obj, form, change)
        if not change:
            record_creation(obj, actor=request.user)
