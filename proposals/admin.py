from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin

from liaison import admin_filters
from liaison.actions import Actor
from liaison.admin import (
    CreateThroughServiceMixin,
    LookupAdmin,
    OfficeFileExportMixin,
    OfficeScopedAdmin,
    ReadOnlyInline,
)
from liaison.admin_dates import admin_date
from liaison.admin_filters import CurrentYearFilter
from liaison.admin_lists import BoundedCountMixin
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.models import today
from liaison.scoping import scope_queryset
from liaison.templatetags.workdays import provisional_mark
from members.models import Member
from members.picking import PICK_ERRORS, by_sector, member_picklist

from . import admin_views, selectors, services
from .actions import OPINION_ACTIONS, PROPOSAL_ACTIONS
from .admin_steps import OPINION_STEPS, PROPOSAL_STEPS
from .models import (
    Adoption,
    Assignment,
    Feedback,
    FollowUp,
    OpinionReport,
    Proposal,
    ProposalAttachment,
    ProposalCategory,
    ProposalConfig,
    Reply,
    ResearchAdoption,
    ResearchReport,
)
from .workflows import EDITABLE, OPINION_WORKFLOW, PROPOSAL_WORKFLOW

admin.site.register(ProposalCategory, LookupAdmin)


@admin.register(ProposalConfig)
class ProposalConfigAdmin(OfficeScopedAdmin):
    list_display = ("office", "proposal_target", "opinion_report_target", "handling_months")

    def _shows_office(self, request):
        return True  # the office is what a configuration row is about


class OverdueFilter(admin_filters.OverdueFilter):
    def overdue(self):
        return Q(status__in=Proposal.HANDLING_STATUSES, due_date__lt=today())


class LeadUnitFilter(admin_filters.HandlingUnitFilter):
    title = _("主办单位")

    def condition(self, unit_id):
        return Q(assignments__unit_id=unit_id, assignments__is_active=True)


class ProposalResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="案号")
    title = fields.Field(attribute="title", column_name="案由")
    proposer = fields.Field(attribute="proposer_display", column_name="提案人")
    category = fields.Field(attribute="category__name", column_name="类别")
    status = fields.Field(attribute="get_status_display", column_name="状态")
    lead_unit = fields.Field(attribute="lead_unit_name", column_name="主办单位")
    due_date = fields.Field(attribute="due_date", column_name="办理期限")
    is_key = fields.Field(column_name="重点提案")
    is_excellent = fields.Field(column_name="优秀提案")

    class Meta:
        model = Proposal
        fields = (
            "number",
            "title",
            "proposer",
            "category",
            "status",
            "lead_unit",
            "due_date",
            "is_key",
            "is_excellent",
        )

    def dehydrate_is_key(self, proposal):
        return "是" if proposal.is_key else ""

    def dehydrate_is_excellent(self, proposal):
        return "是" if proposal.is_excellent else ""


class CosignerPickForm(forms.ModelForm):
    """The change page of a draft or returned proposal: its co-signers ticked in a
    PickList (members.picking) of the office's serving members, plus any co-signer
    already there from elsewhere; saved by ``proposal_set_cosigners``."""

    cosigners = forms.ModelMultipleChoiceField(
        label=_("附议人"),
        queryset=Member.objects.none(),
        required=False,
        widget=member_picklist(everyone=_("全部在任委员")),
        error_messages=PICK_ERRORS,
        help_text=_("勾选附议委员；新勾选的会收到邀请，已在的附议人保留其确认状态。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        proposal = self.instance
        links = list(proposal.cosigners.select_related("member"))
        answers = {link.member_id: link.get_status_display() for link in links}
        field = self.fields["cosigners"]
        field.queryset = by_sector(
            Member.objects.filter(
                Q(office_id=proposal.office_id, status=Member.Status.SERVING)
                | Q(pk__in=list(answers))
            ).exclude(pk=proposal.lead_member_id)
        )
        field.label_from_instance = lambda m: (
            f"{m.name}（{answers[m.pk]}）" if m.pk in answers else m.name
        )
        field.initial = list(answers)
        field.widget.offices = [proposal.office_id]

    def clean(self):
        data = super().clean()
        lead = data.get("lead_member", self.instance.lead_member)
        if lead is not None and lead in data.get("cosigners", ()):
            self.add_error("cosigners", _("第一提案人不能同时作为附议人。"))
        return data


class AttachmentInline(admin.TabularInline):
    model = ProposalAttachment
    extra = 0
    fields = ("file", "name", "uploaded_at")
    readonly_fields = ("uploaded_at",)


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    related = ("unit",)
    fields = (
        "unit",
        "role",
        "assigned_on",
        "is_active",
        "acknowledged_at",
        "return_state",
        "return_reason",
        "co_opinion",
        "follows_suggestion",
    )
    readonly_fields = fields


class ReplyInline(ReadOnlyInline):
    model = Reply
    related = ("assignment__unit",)
    fields = ("round", "assignment", "grade", "contact_method", "replied_on", "content", "letter")
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    """A B reply's follow-up (issue 20, item 5): planned date, state, the unit's reports."""

    model = FollowUp
    related = ("reply__assignment__unit",)
    fields = ("unit_display", "planned_on", "status", "reports_display", "closing_note")
    readonly_fields = fields
    verbose_name_plural = _("B类答复跟踪落实")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("reports")

    @admin.display(description=_("承办单位"))
    def unit_display(self, obj):
        return obj.reply.assignment.unit

    @admin.display(description=_("单位报告"))
    def reports_display(self, obj):
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} {}：{}",
                ((r.reported_on, r.get_kind_display(), r.content) for r in obj.reports.all()),
            )
            or "—"
        )


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    related = ("member",)
    fields = ("round", "member", "verdict", "comments", "given_at")
    readonly_fields = fields


# Where staff decide what to do with a proposal (立案, 并案, 不予立案): its page lists
# the similar proposals.
SIMILAR_SHOWN = (Proposal.Status.SUBMITTED, Proposal.Status.RETURNED, Proposal.Status.REGISTERED)


@admin.register(Proposal)
class ProposalAdmin(
    BoundedCountMixin,
    CreateThroughServiceMixin,
    WorkflowAdminMixin,
    OfficeFileExportMixin,
    ExportMixin,
    OfficeScopedAdmin,
):
    export_file_stem = "提案"
    change_list_template = "admin/proposals/proposal/change_list.html"
    change_form_template = "admin/proposals/proposal/change_form.html"
    inlines_on_add = False  # co-signers are invited (and told) by the services
    workflow = PROPOSAL_WORKFLOW
    action_table = PROPOSAL_ACTIONS
    workflow_steps = PROPOSAL_STEPS
    resource_classes = [ProposalResource]
    list_display = (
        "number_display",
        "title",
        "proposer",
        "category",
        "status_display",
        "lead_unit",
        "due_display",
        "flags",
        "office",
    )
    list_display_links = ("number_display", "title")
    list_select_related = ("lead_member", "category", "office")
    list_filter = (
        CurrentYearFilter,
        "status",
        "category",
        OverdueFilter,
        LeadUnitFilter,
        "is_key",
        "is_excellent",
        "is_public",
        "proposer_kind",
    )
    search_fields = ("title", "number", "lead_member__name")
    autocomplete_fields = ("lead_member",)
    show_full_result_count = False
    list_per_page = 50
    inlines = [AttachmentInline, AssignmentInline, ReplyInline, FollowUpInline, FeedbackInline]
    object_related = ("office", "lead_member", "category", "term", "merged_into")
    actions = ["register_selected", "mark_excellent_selected"]
    # What a clerk reads and types most on top (title, proposer, category, the text),
    # the register's particulars in pairs below, handling next; the rarely touched key /
    # excellent marks folded away.
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "office",
                    "title",
                    ("lead_member", "proposer_kind"),
                    ("category", "year"),
                    "reasons",
                    "suggestions",
                    ("number", "status"),
                    "term",
                )
            },
        ),
        (
            _("审查与办理"),
            {
                "fields": (
                    ("assigned_on", "due_date"),
                    ("handling_round", "replied_on"),
                    ("feedback_due_display", "closed_at"),
                    "extension_reason",
                    "return_reason",
                    ("not_registered_ground", "not_registered_note"),
                    "merged_into",
                )
            },
        ),
        (
            _("提案人建议的承办单位"),
            {"fields": ("suggested_units_display",)},
        ),
        (
            _("重点与优秀"),
            {
                "fields": (("is_key", "is_excellent"), "supervising_leader", "supervision_notes"),
                "classes": ("collapse",),
            },
        ),
        (_("公开"), {"fields": ("is_public", "not_public_reason")}),
    )

    def get_queryset(self, request):
        lead_unit = Assignment.objects.filter(
            proposal=OuterRef("pk"), role=Assignment.Role.LEAD, is_active=True
        ).values("unit__name")[:1]
        return super().get_queryset(request).annotate(lead_unit_name=Subquery(lead_unit))

    def get_object(self, request, object_id, from_field=None):
        # The buttons ask each assignment what its unit may do (its replies this round):
        # one query for all of them, not one per unit.
        obj = super().get_object(request, object_id, from_field)
        prefetch_related_objects(
            [obj],
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit").prefetch_related("replies"),
            ),
        )
        return obj

    def get_readonly_fields(self, request, obj=None):
        # The workflow owns status, numbers and dates; content is editable only while
        # the proposal is a draft or returned for revision.
        always = [
            "cosigners_display",
            "suggested_units_display",
            "number",
            "status",
            "handling_round",
            "assigned_on",
            "due_date",
            "extension_reason",
            "replied_on",
            "feedback_due_display",
            "closed_at",
            "return_reason",
            "not_registered_ground",
            "not_registered_note",
            "merged_into",
            "is_key",
            "supervising_leader",
            "is_excellent",
            "is_public",
            "not_public_reason",
        ]
        if obj is not None and obj.status not in (Proposal.Status.DRAFT, Proposal.Status.RETURNED):
            return [
                *always,
                "office",
                "year",
                "term",
                "proposer_kind",
                "lead_member",
                "category",
                "title",
                "reasons",
                "suggestions",
            ]
        if obj is None:
            return [*always, "term"]  # proposal_create takes it from the proposer
        return always

    def get_urls(self):
        return [
            path(
                "search/",
                self.admin_site.admin_view(self.search_view),
                name="proposals_proposal_search",
            ),
            *super().get_urls(),
        ]

    def search_view(self, request):
        return admin_views.search_page(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # At registration: proposals like this one, with a one-click 并案 where the
        # merge step allows it (issue 20, item 2).
        extra_context = extra_context or {}
        obj = self.get_object(request, unquote(object_id))
        if obj.status in SIMILAR_SHOWN:
            extra_context["similar"] = admin_views.similar_for(request, obj)
            extra_context["merge_allowed"] = (
                self.has_change_permission(request, obj)
                and PROPOSAL_ACTIONS.find(obj, Actor.staff(request.user), "merge") is not None
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _picks_cosigners(self, obj) -> bool:
        return obj is not None and obj.status in EDITABLE

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._picks_cosigners(obj) and self.has_change_permission(request, obj):
            kwargs["form"] = CosignerPickForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets  # proposal_create starts without co-signers
        if self._picks_cosigners(obj) and self.has_change_permission(request, obj):
            shown = ("cosigners",)
        elif obj.cosigners.exists():
            shown = ("cosigners_display",)
        else:
            return fieldsets  # an individual proposal, past drafting
        return [fieldsets[0], (_("附议人"), {"fields": shown}), *fieldsets[1:]]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "cosigners" in form.cleaned_data:
            services.proposal_set_cosigners(
                proposal=form.instance, actor=request.user, members=form.cleaned_data["cosigners"]
            )

    @admin.display(description=_("附议人"))
    def cosigners_display(self, obj):
        links = obj.cosigners.select_related("member")
        return "、".join(f"{c.member.name}（{c.get_status_display()}）" for c in links) or "—"

    def create_through_service(self, request, data, office):
        return services.proposal_create(
            actor=request.user,
            office=office,
            year=data.get("year"),
            proposer_kind=data["proposer_kind"],
            lead_member=data.get("lead_member"),
            category=data["category"],
            title=data["title"],
            reasons=data["reasons"],
            suggestions=data["suggestions"],
        )

    @admin.display(description=_("反馈期限"))
    def feedback_due_display(self, obj):
        """The proposer's feedback deadline, marked provisional while counted over a year
        whose holidays are not entered yet."""
        if obj.feedback_due_date is None:
            return "—"
        if obj.feedback_due_is_provisional:
            return format_html(
                "{}{}", admin_date(obj.feedback_due_date), provisional_mark(obj.feedback_due_date)
            )
        return obj.feedback_due_date

    @admin.display(description=_("建议承办单位"))
    def suggested_units_display(self, obj):
        """What the proposer suggested, and whether the assignment followed it."""
        if obj is None or obj.pk is None or not obj.has_unit_suggestion:
            return _("提案人未建议")
        parts = []
        if obj.suggested_lead_unit:
            parts.append(_("主办：%(u)s") % {"u": obj.suggested_lead_unit})
        co = list(obj.suggested_co_units.all())
        if co:
            parts.append(_("会办：%(u)s") % {"u": "、".join(map(str, co))})
        if obj.suggested_units_note:
            parts.append(_("说明：%(n)s") % {"n": obj.suggested_units_note})
        followed = [a.follows_suggestion for a in obj.assignments.all() if a.is_active]
        if any(f is False for f in followed):
            parts.append(_("交办时未完全按建议"))
        elif any(f for f in followed):
            parts.append(_("已按建议交办"))
        return "；".join(str(p) for p in parts)

    @admin.display(description=_("案号"), ordering="serial")
    def number_display(self, obj):
        return obj.number or "—"

    @admin.display(description=_("提案人"), ordering="lead_member__stroke_key")
    def proposer(self, obj):
        return obj.proposer_display

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("主办单位"), ordering="lead_unit_name")
    def lead_unit(self, obj):
        return obj.lead_unit_name or "—"

    @admin.display(description=_("标记"))
    def flags(self, obj):
        marks = [str(_("重点"))] if obj.is_key else []
        if obj.is_excellent:
            marks.append(str(_("优秀")))
        return "、".join(marks)

    @admin.action(description=_("立案所选提案"), permissions=["change"])
    def register_selected(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda p: services.proposal_register(proposal=p, actor=request.user),
            _("已立案 %(n)s 件。"),
            order_by=("submitted_at", "pk"),
        )

    @admin.action(description=_("评为优秀提案"), permissions=["change"])
    def mark_excellent_selected(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda p: services.proposal_mark_excellent(proposal=p, actor=request.user),
            _("已评为优秀提案 %(n)s 件。"),
            order_by=("submitted_at", "pk"),
        )


@admin.register(Reply)
class ReplyAdmin(OfficeFileExportMixin, ExportMixin, OfficeScopedAdmin):
    export_file_stem = "提案答复"
    office_field = "proposal__office"
    list_display = ("proposal", "unit", "round", "grade", "contact_method", "replied_on")
    list_select_related = ("proposal", "assignment__unit")
    list_filter = ("grade", "contact_method", "round")
    search_fields = ("proposal__title", "proposal__number", "assignment__unit__name")
    readonly_fields = ("proposal", "assignment", "round")

    @admin.display(description=_("承办单位"), ordering="assignment__unit__name")
    def unit(self, obj):
        return obj.assignment.unit

    def has_add_permission(self, request):
        return False  # replies come from units' links or the proposal's "代录答复" step


class AdoptionInline(ReadOnlyInline):
    model = Adoption
    fields = ("level", "kind", "body", "instruction_text", "adopted_on")
    readonly_fields = fields


class OpinionReportResource(resources.ModelResource):
    title = fields.Field(attribute="title", column_name="标题")
    member = fields.Field(attribute="member__name", column_name="反映人")
    status = fields.Field(attribute="get_status_display", column_name="状态")
    issue_number = fields.Field(attribute="issue_number", column_name="期号")
    forwarded_to = fields.Field(attribute="forwarded_to", column_name="报送单位")

    class Meta:
        model = OpinionReport
        fields = ("title", "member", "status", "issue_number", "forwarded_to")


@admin.register(OpinionReport)
class OpinionReportAdmin(
    CreateThroughServiceMixin,
    WorkflowAdminMixin,
    OfficeFileExportMixin,
    ExportMixin,
    OfficeScopedAdmin,
):
    export_file_stem = "社情民意"
    inlines_on_add = False  # adoptions are recorded by their step once it is issued
    workflow = OPINION_WORKFLOW
    action_table = OPINION_ACTIONS
    workflow_steps = OPINION_STEPS
    resource_classes = [OpinionReportResource]
    list_display = (
        "title",
        "member",
        "status",
        "issue_number",
        "adoption_count_display",
        "length_display",
        "office",
    )
    list_select_related = ("member", "office")
    list_filter = (CurrentYearFilter, "status")
    search_fields = ("title", "member__name", "issue_number")
    autocomplete_fields = ("member",)
    inlines = [AdoptionInline]
    fields = (
        "office",
        "year",
        "member",
        "title",
        "situation",
        "analysis",
        "suggestion",
        "status",
        "not_used_reason",
        "issue_number",
        "issued_on",
        "forwarded_to",
        "forwarded_on",
        "source_proposal",
    )
    readonly_fields = (
        "status",
        "not_used_reason",
        "issue_number",
        "issued_on",
        "forwarded_to",
        "forwarded_on",
        "source_proposal",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(adoption_count=Count("adoptions"))

    @admin.display(description=_("采用"), ordering="adoption_count")
    def adoption_count_display(self, obj):
        return obj.adoption_count or ""

    @admin.display(description=_("字数"))
    def length_display(self, obj):
        if obj.is_too_long:
            return format_html('<strong class="overdue">{}</strong>', obj.length)
        return obj.length

    def create_through_service(self, request, data, office):
        return services.opinion_report_create(
            actor=request.user,
            office=office,
            year=data.get("year"),
            member=data.get("member"),
            title=data["title"],
            situation=data["situation"],
            analysis=data.get("analysis", ""),
            suggestion=data["suggestion"],
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_too_long:
            self.message_user(
                request,
                _("本篇约 %(n)s 字，社情民意信息一般不超过 %(max)s 字，请精简。")
                % {"n": obj.length, "max": OpinionReport.LENGTH_WARNING},
                messages.WARNING,
            )


class ResearchAdoptionInline(admin.TabularInline):
    model = ResearchAdoption
    extra = 0


@admin.register(ResearchReport)
class ResearchReportAdmin(OfficeScopedAdmin):
    list_display = ("topic", "lead_member", "year", "submitted_to", "submitted_on", "office")
    list_select_related = ("lead_member", "office")
    list_filter = (CurrentYearFilter,)
    search_fields = ("topic", "lead_member__name")
    autocomplete_fields = ("lead_member",)
    inlines = [ResearchAdoptionInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """The research group: picked like invitees — serving members by sector, with
        search and the number chosen (members.picking)."""
        if db_field.name != "group_members":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        members = by_sector(
            scope_queryset(
                Member.objects.filter(status=Member.Status.SERVING), request.user, "office"
            )
        )
        # A district account's add page names the office first (the office select).
        widget = member_picklist(everyone=_("全部委员"), office_field="office")
        return super().formfield_for_manytomany(
            db_field,
            request,
            queryset=members,
            widget=widget,
            error_messages=PICK_ERRORS,
            **kwargs,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The group is saved only now; points follow who took part.
        services.research_points_sync(report=form.instance, actor=request.user)

    def delete_queryset(self, request, queryset):
        services.research_reports_delete(reports=queryset)

    def delete_model(self, request, obj):
        services.research_reports_delete(reports=ResearchReport.objects.filter(pk=obj.pk))


class FollowUpStatusFilter(admin.SimpleListFilter):
    """Open follow-ups by default: the list is for chasing what is not done."""

    title = _("落实情况")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("all", _("全部")), *FollowUp.Status.choices]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or FollowUp.Status.OPEN) == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or FollowUp.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(FollowUp)
class FollowUpAdmin(OfficeScopedAdmin):
    """The office's follow-ups of B replies (issue 20, item 5), by unit: open ones by
    default, the latest planned dates last. Opened by a B reply and closed through the
    proposal's page, never here."""

    office_field = "proposal__office"
    list_display = ("unit_display", "proposal", "planned_on", "late_display", "status")
    list_select_related = ("proposal", "reply__assignment__unit")
    list_filter = (FollowUpStatusFilter, "reply__assignment__unit")
    ordering = ("reply__assignment__unit__name", "planned_on", "pk")
    readonly_fields = (
        "proposal",
        "reply",
        "planned_on",
        "status",
        "completed_on",
        "closed_at",
        "closing_note",
        "regraded",
    )
    fields = readonly_fields
    search_fields = ("proposal__title", "proposal__number")

    def get_search_results(self, request, queryset, search_term):
        # The proposals holding the terms (selectors.proposals_matching: an index lookup
        # each), then their follow-ups; search_fields stays for the search box Django draws.
        for match in selectors.proposals_matching(search_term):
            queryset = queryset.filter(proposal__in=Proposal.objects.filter(match).values("pk"))
        return queryset, False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("承办单位"), ordering="reply__assignment__unit__name")
    def unit_display(self, obj):
        return obj.reply.assignment.unit

    @admin.display(description=_("逾期"), boolean=True)
    def late_display(self, obj):
        return obj.is_late
