import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin

from liaison import admin_filters, roles
from liaison.admin import (
    CreateThroughServiceMixin,
    LookupAdmin,
    OfficeFileExportMixin,
    OfficeScopedAdmin,
    ReadOnlyInline,
    SharedChoicesFormSet,
)
from liaison.admin_dates import overdue_badge
from liaison.admin_filters import CurrentYearFilter, HandlingUnitFilter
from liaison.admin_lists import BoundedCountMixin
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.models import today
from liaison.scoping import scope_queryset
from liaison.selectors import count_of, users_in_roles
from liaison.workflow import WorkflowError
from members.formats import XLSX
from members.models import Member
from members.picking import PICK_ERRORS, by_sector, member_picklist

from . import admin_views, services
from .actions import CONCERN_ACTIONS, VISIT_ACTIONS
from .admin_steps import CONCERN_STEPS, VISIT_STEPS
from .models import (
    Concern,
    ConcernCategory,
    LifeEvent,
    Visit,
    VisitConfig,
    VisitMember,
    VisitTeamMember,
)
from .selectors import search_visits
from .workflows import CONCERN_WORKFLOW, VISIT_WORKFLOW, visit_date_refusal

admin.site.register(ConcernCategory, LookupAdmin)


@admin.register(VisitConfig)
class VisitConfigAdmin(OfficeScopedAdmin):
    list_display = (
        "office",
        "visits_per_year",
        "coverage_reminder_dates",
        "life_event_visit_days",
        "concern_due_working_days",
    )

    def _shows_office(self, request):
        return True  # the office is what a configuration row is about


class DateYearFilter(CurrentYearFilter):
    lookup = "created_at__year"


class VisitYearFilter(DateYearFilter):
    def condition(self, year: int) -> Q:
        # Pending visits have no date yet: they count in the year they are due.
        return Q(visited_on__year=year) | Q(visited_on__isnull=True, due_date__year=year)


class VisitOverdueFilter(admin_filters.OverdueFilter):
    def overdue(self):
        return Q(status=Visit.Status.PENDING, due_date__lt=today())


# --- Visits ---------------------------------------------------------------------------


def _typed(formset) -> list[dict]:
    """The rows of a valid inline formset that are kept (filled in, not deleted)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class VisitTeamFormSet(SharedChoicesFormSet):
    shared_choice_fields = ("user",)


class VisitTeamInline(admin.TabularInline):
    model = VisitTeamMember
    formset = VisitTeamFormSet
    extra = 1
    fields = ("user", "name", "title", "is_leader")
    verbose_name_plural = _("走访人员（工作人员选账号，受邀领导可只填姓名）")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")  # each row's name

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = users_in_roles(roles.OFFICE_STAFF, roles.COMMITTEE_LEADER)
            kwargs["queryset"] = scope_queryset(users, request.user, "office")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VisitConcernInline(ReadOnlyInline):
    model = Concern
    fk_name = "visit"
    fields = ("title", "member", "status", "unit", "due_date")
    related = ("member", "unit")
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("收集的意见建议")


class VisitAdminForm(forms.ModelForm):
    # Who was visited, ticked in the members picker (members.picking); the admin sets
    # the choices (the office's serving members) and visit_record / visit_set_members
    # write the rows. Not named ``members``: the model's own field would save the rows
    # around the services.
    visited_members = forms.ModelMultipleChoiceField(
        label=_("走访委员"),
        queryset=Member.objects.none(),
        required=False,
        widget=member_picklist(everyone=_("全部在任委员"), office_field="office"),
        error_messages=PICK_ERRORS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "visited_members" in self.fields:
            self.fields["visited_members"].initial = list(
                self.instance.member_links.values_list("member_id", flat=True)
            )

    class Meta:
        model = Visit
        fields = (
            "office",
            "kind",
            "visited_on",
            "place",
            "amount",
            "gifts",
            "summary",
            "staff_notes",
        )


class VisitChangeForm(VisitAdminForm):
    """Corrections go through ``visit_update`` once the page is saved (after the inline
    rows), so its date guard is asked here first, to be shown on the field."""

    def clean(self):
        data = super().clean()
        if "visited_members" in self.fields and not self.has_error("visited_members"):
            try:
                services.check_members(self.instance.office, data.get("visited_members") or [])
            except WorkflowError as error:
                self.add_error("visited_members", str(error))
        if "visited_on" in self.fields and not self.has_error("visited_on"):
            done = self.instance.status == Visit.Status.DONE
            reason = visit_date_refusal(data.get("visited_on"), required=done)
            if reason:
                self.add_error("visited_on", reason)
        return data


class VisitResource(resources.ModelResource):
    visited_on = fields.Field(attribute="visited_on", column_name="走访日期")
    kind = fields.Field(attribute="get_kind_display", column_name="走访类型")
    members = fields.Field(column_name="走访委员")
    team = fields.Field(column_name="走访人员")
    place = fields.Field(attribute="place", column_name="地点")
    amount = fields.Field(attribute="amount", column_name="慰问金（元）")
    gifts = fields.Field(attribute="gifts", column_name="慰问品")
    summary = fields.Field(attribute="summary", column_name="走访情况")
    status = fields.Field(attribute="get_status_display", column_name="状态")
    office = fields.Field(attribute="office__name", column_name="联络处")

    class Meta:
        model = Visit
        fields = (
            "visited_on",
            "kind",
            "members",
            "team",
            "place",
            "amount",
            "gifts",
            "summary",
            "status",
            "office",
        )

    def dehydrate_members(self, visit):
        return "、".join(link.member.name for link in visit.member_links.all())

    def dehydrate_team(self, visit):
        return "、".join(person.display_name for person in visit.team.all())


def _visit_prefetches():
    return (
        Prefetch(
            "member_links",
            VisitMember.objects.select_related("member").only(
                "id", "visit_id", "member__id", "member__name"
            ),
        ),
        Prefetch("team", VisitTeamMember.objects.select_related("user")),
    )


@admin.register(Visit)
class VisitAdmin(
    BoundedCountMixin,
    CreateThroughServiceMixin,
    WorkflowAdminMixin,
    OfficeFileExportMixin,
    ExportMixin,
    OfficeScopedAdmin,
):
    form = VisitAdminForm
    # The export button downloads the filtered changelist as .xlsx straight away.
    export_formats = [XLSX]
    skip_export_form = True
    export_file_stem = "走访记录"
    workflow = VISIT_WORKFLOW
    action_table = VISIT_ACTIONS
    workflow_steps = VISIT_STEPS
    resource_classes = [VisitResource]
    import_export_change_list_template = "admin/visits/visit/change_list.html"
    list_display = (
        "date_display",
        "kind",
        "members_display",
        "team_display",
        "amount",
        "concern_count_display",
        "status",
        "office",
    )
    list_display_links = ("date_display", "kind")
    list_select_related = ("office",)
    list_filter = (VisitYearFilter, "status", VisitOverdueFilter, "kind")
    search_fields = ("member_links__member__name", "place", "summary")
    show_full_result_count = False
    list_per_page = 50
    inlines = [VisitTeamInline, VisitConcernInline]
    fieldsets = (
        (None, {"fields": ("office", "kind", "status", "visited_on", "due_date", "place")}),
        (_("慰问"), {"fields": ("amount", "gifts")}),
        (_("记录"), {"fields": ("summary", "staff_notes", "cancel_reason")}),
    )
    readonly_fields = ("status", "due_date", "cancel_reason")

    def get_readonly_fields(self, request, obj=None):
        # A pending visit gets its date from the "登记走访情况" step, which completes it.
        if obj is not None and obj.status != Visit.Status.DONE:
            return (*self.readonly_fields, "visited_on")
        return self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        # selectors.search_visits searches what search_fields names (the visited
        # members, the place, the summary) without repeating a visit per member;
        # search_fields stays for the search box Django draws.
        members = scope_queryset(Member.objects.all(), request.user)
        queryset = search_visits(queryset, search_term, members)
        if request.GET.get("model_name") == "concern" and request.GET.get("field_name") == "visit":
            # The concern's 来源走访 search: completed visits only, as the field accepts.
            queryset = queryset.filter(status=Visit.Status.DONE)
        return queryset, False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(concern_count=count_of(Concern.objects.all(), "visit"))
            .prefetch_related(*_visit_prefetches())
        )

    def _picks_members(self, request, obj) -> bool:
        return self.has_change_permission(request, obj) if obj else True

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        shown = "visited_members" if self._picks_members(request, obj) else "members_display"
        return [fieldsets[0], (_("走访委员"), {"fields": (shown,)}), *fieldsets[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = VisitChangeForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if "visited_members" in form.base_fields:
            # The office's serving members (on the add page, those of the offices the
            # account works for), and whoever the visit already names.
            serving = Member.objects.filter(status=Member.Status.SERVING)
            if obj is None:
                members = scope_queryset(serving, request.user, "office")
            else:
                members = Member.objects.filter(
                    Q(pk__in=serving.filter(office_id=obj.office_id))
                    | Q(pk__in=obj.member_links.values("member_id"))
                )
            field = copy.deepcopy(form.base_fields["visited_members"])
            field.queryset = by_sector(members)
            if obj is not None:
                field.widget.offices = [obj.office_id]
            form.base_fields = {**form.base_fields, "visited_members": field}
        return form

    # --- The add page: visit_record, with the members and team typed in the rows -------

    # The team rows the add page's inline holds go to visit_record with the visit; the
    # rows are validated without the new visit (the service creates them, they are not
    # saved again), so their own checks cannot trip over the rows the service wrote.
    SERVICE_ROWS = (VisitTeamMember,)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj._state.adding and inline.model in self.SERVICE_ROWS:
            kwargs["instance"] = Visit()
        return kwargs

    def _typed_rows(self, request) -> dict:
        """The add page's member and team rows, as the service receives them."""
        rows = {}
        for formset_class, inline in self.get_formsets_with_inlines(request):
            if inline.model in self.SERVICE_ROWS:
                prefix = formset_class.get_default_prefix()
                formset = formset_class(**self.get_formset_kwargs(request, Visit(), inline, prefix))
                if not formset.is_valid():  # shown below the form by the admin
                    raise WorkflowError(_("请更正下面走访人员中的错误。"))
                rows[inline.model] = _typed(formset)
        return rows

    def create_through_service(self, request, data, office):
        rows = self._typed_rows(request)
        team = rows.get(VisitTeamMember, [])
        return services.visit_record(
            actor=request.user,
            office=office,
            kind=data["kind"],
            visited_on=data.get("visited_on"),
            members=list(data.get("visited_members") or []),
            # Staff are chosen by account; an invited leader may be only a name.
            team_users=[row["user"] for row in team if row.get("user")],
            leaders=[(row["name"], row["title"]) for row in team if not row.get("user")],
            place=data.get("place", ""),
            amount=data.get("amount"),
            gifts=data.get("gifts", ""),
            summary=data.get("summary", ""),
            staff_notes=data.get("staff_notes", ""),
        )

    def construct_change_message(self, request, form, formsets, add=False):
        if add:  # the service wrote the rows: there are no saved formsets to describe
            return [{"added": {}}]
        return super().construct_change_message(request, form, formsets, add)

    # --- The change page ---------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        editable = set(form.changed_data) & set(VisitAdminForm.Meta.fields) - {"office"}
        services.visit_update(
            visit=obj, actor=request.user, **{f: form.cleaned_data[f] for f in editable}
        )
        if "office" in form.changed_data:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            return  # visit_record wrote the members and the team
        super().save_related(request, form, formsets, change)  # the team
        if "visited_members" in form.cleaned_data:
            services.visit_set_members(
                visit=form.instance,
                actor=request.user,
                members=form.cleaned_data["visited_members"],
            )

    # Deleting a visit recorded by mistake, at any status, goes through visit_delete,
    # which takes it out of the members' tallies.
    deletable_statuses = None

    def delete_model(self, request, obj):
        services.visit_delete(visits=Visit.objects.filter(pk=obj.pk), actor=request.user)

    def delete_queryset(self, request, queryset):
        services.visit_delete(visits=queryset, actor=request.user)

    @admin.display(description=_("日期"), ordering="visited_on")
    def date_display(self, obj):
        if obj.visited_on:
            return obj.visited_on
        if obj.due_date:
            label = _("应于 %(d)s 前") % {"d": obj.due_date}
            if obj.is_overdue:
                return format_html('<strong class="overdue">{}</strong>', label)
            return label
        return "—"

    @admin.display(description=_("走访委员"))
    def members_display(self, obj):
        return "、".join(link.member.name for link in obj.member_links.all())

    @admin.display(description=_("走访人员"))
    def team_display(self, obj):
        return "、".join(person.display_name for person in obj.team.all())

    @admin.display(description=_("意见建议"), ordering="concern_count")
    def concern_count_display(self, obj):
        return obj.concern_count or ""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "coverage/",
                self.admin_site.admin_view(self.coverage_view),
                name="{}_{}_coverage".format(*info),
            ),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return admin_views.coverage(self, request)


class LifeEventAdminForm(forms.ModelForm):
    class Meta:
        model = LifeEvent
        fields = ("office", "member", "kind", "occurred_on", "place", "description")


@admin.register(LifeEvent)
class LifeEventAdmin(BoundedCountMixin, CreateThroughServiceMixin, OfficeScopedAdmin):
    form = LifeEventAdminForm
    list_display = (
        "occurred_on",
        "member",
        "kind",
        "visit_status",
        "reported_in_portal",
        "office",
    )
    list_select_related = ("member", "visit", "office")
    # A date filter rather than a date hierarchy (whose months read every event).
    list_filter = ("kind", "reported_in_portal", "occurred_on")
    search_fields = ("member__name", "description")
    autocomplete_fields = ("member",)

    def get_exclude(self, request, obj=None):
        # The office follows the member.
        return [*super().get_exclude(request, obj), "office"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("member", "kind", "occurred_on", "visit_link", "reported_in_portal")
        return ()

    @admin.display(description=_("走访"))
    def visit_status(self, obj):
        if obj.visit is None:
            return "—"
        if obj.visit.is_overdue:
            return format_html("{}{}", obj.visit.get_status_display(), overdue_badge())
        return obj.visit.get_status_display()

    @admin.display(description=_("走访记录"))
    def visit_link(self, obj):
        if obj.visit_id is None:
            return "—"
        url = reverse("admin:visits_visit_change", args=[obj.visit_id])
        return format_html('<a href="{}">{}</a>', url, obj.visit)

    def create_through_service(self, request, data, office):
        # The office follows the member.
        return services.life_event_record(
            actor=request.user,
            member=data["member"],
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            description=data.get("description", ""),
            place=data.get("place", ""),
        )


# --- Concerns -------------------------------------------------------------------------


class OverdueFilter(admin_filters.OverdueFilter):
    def overdue(self):
        return Concern.overdue_q(today())


class ConcernResource(resources.ModelResource):
    created = fields.Field(column_name="收集日期")
    title = fields.Field(attribute="title", column_name="标题")
    content = fields.Field(attribute="content", column_name="内容")
    member = fields.Field(attribute="member__name", column_name="反映委员")
    source = fields.Field(attribute="get_source_display", column_name="来源")
    category = fields.Field(attribute="category__name", column_name="类别")
    scope = fields.Field(attribute="get_scope_display", column_name="职责范围")
    unit = fields.Field(attribute="unit__name", column_name="承办单位")
    due_date = fields.Field(attribute="due_date", column_name="办理期限")
    status = fields.Field(attribute="get_status_display", column_name="状态")
    overdue = fields.Field(column_name="逾期")
    result = fields.Field(attribute="result", column_name="办理结果")
    verdict = fields.Field(attribute="get_verdict_display", column_name="委员评价")
    office = fields.Field(attribute="office__name", column_name="联络处")

    class Meta:
        model = Concern
        fields = (
            "created",
            "title",
            "content",
            "member",
            "source",
            "category",
            "scope",
            "unit",
            "due_date",
            "status",
            "overdue",
            "result",
            "verdict",
            "office",
        )

    def dehydrate_created(self, concern):
        return timezone.localtime(concern.created_at).date()

    def dehydrate_overdue(self, concern):
        return "是" if concern.is_overdue else ""


class ConcernAdminForm(forms.ModelForm):
    class Meta:
        model = Concern
        fields = (
            "office",
            "member",
            "visit",
            "source",
            "source_label",
            "category",
            "title",
            "content",
        )


@admin.register(Concern)
class ConcernAdmin(
    CreateThroughServiceMixin,
    WorkflowAdminMixin,
    OfficeFileExportMixin,
    ExportMixin,
    OfficeScopedAdmin,
):
    form = ConcernAdminForm
    export_formats = [XLSX]
    skip_export_form = True
    export_file_stem = "意见建议"
    workflow = CONCERN_WORKFLOW
    action_table = CONCERN_ACTIONS
    workflow_steps = CONCERN_STEPS
    resource_classes = [ConcernResource]
    import_export_change_list_template = "admin/visits/concern/change_list.html"
    list_display = (
        "title",
        "member",
        "source",
        "category",
        "status",
        "unit",
        "due_display",
        "created_at",
        "office",
    )
    list_select_related = ("member", "unit", "category", "office")
    list_filter = (
        DateYearFilter,
        "status",
        HandlingUnitFilter,
        OverdueFilter,
        "source",
        "scope",
        "category",
    )
    search_fields = ("title", "content", "member__name", "unit__name")
    # The visit is searched (by the visited member's name, the place), not listed: an
    # office's completed visits grow with its members (VisitAdmin.get_search_results).
    autocomplete_fields = ("member", "visit")
    show_full_result_count = False
    list_per_page = 50
    actions = ["feed_back_selected", "close_selected"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "office",
                    "member",
                    "visit",
                    "source",
                    "source_label",
                    "category",
                    "title",
                    "content",
                    "status",
                )
            },
        ),
        (
            _("分办与办理"),
            {
                "fields": (
                    "scope",
                    "unit",
                    "assigned_on",
                    "due_display",
                    "coordination_notes",
                    "acknowledged_at",
                    "progress",
                    "result",
                    "unresolvable_reason",
                    "resolved_on",
                    "round",
                )
            },
        ),
        (
            _("反馈与确认"),
            {
                "fields": (
                    "fed_back_at",
                    "feedback_note",
                    "verdict",
                    "member_comments",
                    "confirmed_at",
                    "closed_at",
                )
            },
        ),
    )
    WORKFLOW_FIELDS = (
        "status",
        "scope",
        "unit",
        "assigned_on",
        "due_display",  # the due date, marked overdue or provisional
        "coordination_notes",
        "acknowledged_at",
        "progress",
        "result",
        "unresolvable_reason",
        "resolved_on",
        "round",
        "fed_back_at",
        "feedback_note",
        "verdict",
        "member_comments",
        "confirmed_at",
        "closed_at",
    )

    def get_readonly_fields(self, request, obj=None):
        # The workflow owns everything after collection; what was said is editable only
        # until the concern is handed to a unit.
        if obj is not None and obj.status not in (Concern.Status.NEW, Concern.Status.TRIAGED):
            return (
                *self.WORKFLOW_FIELDS,
                "office",
                "member",
                "visit",
                "source",
                "title",
                "content",
                "category",
                "source_label",
            )
        if obj is not None:
            return (*self.WORKFLOW_FIELDS, "office", "member", "visit", "source")
        return self.WORKFLOW_FIELDS

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "visit":
            kwargs["queryset"] = scope_queryset(
                Visit.objects.filter(status=Visit.Status.DONE), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def create_through_service(self, request, data, office):
        return services.concern_create(
            actor=request.user,
            office=office,
            member=data.get("member"),
            title=data["title"],
            content=data["content"],
            source=data.get("source") or Concern.Source.STAFF,
            source_label=data.get("source_label", ""),
            visit=data.get("visit"),
            category=data.get("category"),
        )

    @admin.action(description=_("将办理结果反馈委员"), permissions=["change"])
    def feed_back_selected(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda c: services.concern_feed_back(concern=c, actor=request.user),
            _("已反馈 %(n)s 件。"),
            order_by=("created_at", "pk"),
        )

    @admin.action(description=_("办结所选意见建议"), permissions=["change"])
    def close_selected(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda c: services.concern_close(concern=c, actor=request.user),
            _("已办结 %(n)s 件。"),
            order_by=("created_at", "pk"),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "digest/",
                self.admin_site.admin_view(self.digest_view),
                name="{}_{}_digest".format(*info),
            ),
            *super().get_urls(),
        ]

    def digest_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return admin_views.digest(self, request)
