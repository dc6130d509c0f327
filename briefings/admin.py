import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin

from liaison.admin import (
    CreateThroughServiceMixin,
    DistrictSharedAdmin,
    OfficeScopedAdmin,
    ReadOnlyInline,
    SafeExportMixin,
    counted_deletion_summary,
)
from liaison.admin_lists import BoundedCountMixin
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.limits import year_param
from liaison.models import Office, today
from liaison.scoping import is_single_office, sees_all_offices, visible_office_ids
from liaison.widgets import PickList
from liaison.workflow import WorkflowError
from members.models import Member
from members.picking import SEARCH_LIMIT, search_members

from . import admin_views, services
from .actions import ACTIVITY_ACTIONS, OPINION_ACTIONS
from .admin_steps import ACTIVITY_STEPS, OPINION_STEPS, attendance_choice_label
from .models import (
    Activity,
    ActivityConfig,
    ActivityKind,
    ActivityOutput,
    ActivityPhoto,
    AgendaItem,
    Donation,
    Invitation,
    InvitedLeader,
    Material,
    Opinion,
    Speech,
)
from .selectors import organised_by, staff_activities
from .workflows import ACTIVITY_WORKFLOW, OPINION_WORKFLOW

A = Activity.Status


def scope_to_organisers(qs, user, path: str = ""):
    """Activities (or their rows, through ``path``) the user's office organises, alone
    or jointly; everything for district staff."""
    if sees_all_offices(user):
        return qs
    organised = organised_by(visible_office_ids(user))
    if not path:
        return qs.filter(organised)
    return qs.filter(**{f"{path}__in": Activity.objects.filter(organised).values("pk")})


class OrganiserScopedAdmin(OfficeScopedAdmin):
    """OfficeScopedAdmin, widened to joint activities: a co-organising office's staff run
    the activity too. Another office's id in the URL is still a 404."""

    activity_path = ""

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return scope_to_organisers(qs, request.user, self.activity_path)


@admin.register(ActivityKind)
class ActivityKindAdmin(DistrictSharedAdmin):
    list_display = (
        "name",
        "position",
        "is_briefing",
        "is_major_by_default",
        "records_outputs",
        "is_active",
    )
    list_editable = (
        "position",
        "is_briefing",
        "is_major_by_default",
        "records_outputs",
        "is_active",
    )


@admin.register(ActivityConfig)
class ActivityConfigAdmin(OfficeScopedAdmin):
    list_display = (
        "office",
        "first_half_deadline",
        "second_half_deadline",
        "sign_in_opens_minutes",
        "sign_in_closes_minutes",
        "opinion_days",
    )

    def _shows_office(self, request):
        return True  # the office is what a configuration row is about

    @admin.display(description=_("上半年通报会最迟安排"))
    def first_half_deadline(self, obj):
        return f"{obj.first_half_month}月{obj.first_half_day}日"

    @admin.display(description=_("下半年通报会最迟安排"))
    def second_half_deadline(self, obj):
        return f"{obj.second_half_month}月{obj.second_half_day}日"


class HalfYearFilter(admin.SimpleListFilter):
    """Year or half-year of the activity; defaults to this year (the office plans its
    two briefings a year)."""

    title = _("半年度")
    parameter_name = "half"

    def lookups(self, request, model_admin):
        this_year = today().year
        options = [("all", _("全部"))]
        for year in range(this_year + 1, this_year - 4, -1):
            options += [
                (str(year), _("%(y)s 年") % {"y": year}),
                (f"{year}-1", _("%(y)s 年上半年") % {"y": year}),
                (f"{year}-2", _("%(y)s 年下半年") % {"y": year}),
            ]
        return options

    def _value(self):
        return self.value() or str(today().year)

    def choices(self, changelist):
        value = self._value()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self._value()
        if value == "all":
            return queryset
        year_text, _sep, half = value.partition("-")
        year = year_param(year_text)  # 1900–2100, or the filter is ignored
        if year is None or half not in ("", "1", "2"):
            return queryset
        months = {"": (1, 13), "1": (1, 7), "2": (7, 13)}[half]
        start = datetime.datetime(year, months[0], 1)
        end = (
            datetime.datetime(year + 1, 1, 1)
            if months[1] == 13
            else datetime.datetime(year, months[1], 1)
        )
        return queryset.filter(
            starts_at__gte=timezone.make_aware(start), starts_at__lt=timezone.make_aware(end)
        )


class ActivityResource(resources.ModelResource):
    starts_at = fields.Field(column_name="时间")
    title = fields.Field(attribute="title", column_name="活动名称")
    kind = fields.Field(attribute="kind__name", column_name="类别")
    venue = fields.Field(attribute="venue", column_name="地点")
    status = fields.Field(attribute="get_status_display", column_name="状态")
    invited = fields.Field(attribute="invited_count", column_name="邀请人数")
    attended = fields.Field(attribute="attended_count", column_name="出席人数")
    leave = fields.Field(attribute="leave_count", column_name="请假人数")
    opinions = fields.Field(attribute="opinion_count", column_name="意见建议")

    class Meta:
        model = Activity
        fields = (
            "starts_at",
            "title",
            "kind",
            "venue",
            "status",
            "invited",
            "attended",
            "leave",
            "opinions",
        )

    def dehydrate_starts_at(self, activity):
        return timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")


class EditableWhileOpenMixin:
    """Child rows may change until the activity is held or cancelled."""

    def _open(self, obj):
        return obj is None or obj.status in (A.DRAFT, A.PUBLISHED)

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


class InvitedLeaderInline(EditableWhileOpenMixin, admin.TabularInline):
    model = InvitedLeader
    extra = 0
    fields = ("position", "name", "title", "unit")


class AgendaItemInline(EditableWhileOpenMixin, admin.TabularInline):
    """The agenda; a member arranged to speak is chosen as the item's speaker (安排发言),
    a leader or guest typed as the presenter."""

    model = AgendaItem
    extra = 0
    fields = ("position", "title", "speaker", "presenter", "duration_minutes")
    autocomplete_fields = ("speaker",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


class SpeechInline(ReadOnlyInline):
    """The speeches recorded at the activity, each opening its own page."""

    model = Speech
    fields = ("speech_link", "member", "kind", "delivered_on", "is_adopted")
    readonly_fields = fields
    related = ("member",)

    @admin.display(description=_("发言题目"))
    def speech_link(self, obj):
        url = reverse("admin:briefings_speech_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.title)


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("title", "file", "shared_with_members", "uploaded_at")
    readonly_fields = ("uploaded_at",)


class OpinionInline(ReadOnlyInline):
    model = Opinion
    fields = ("opinion_link", "member", "status", "created_at")
    readonly_fields = fields
    related = ("member",)

    @admin.display(description=_("意见建议"))
    def opinion_link(self, obj):
        url = reverse("admin:briefings_opinion_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.summary)


class OutputInline(admin.TabularInline):
    model = ActivityOutput
    extra = 0


class DonationInline(admin.TabularInline):
    model = Donation
    extra = 0
    autocomplete_fields = ("member",)
    fields = ("member", "donor", "recipient", "money", "goods", "goods_value")


class PhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 0
    fields = ("image", "caption", "uploaded_at")
    readonly_fields = ("uploaded_at",)


@admin.register(Activity)
class ActivityAdmin(
    CreateThroughServiceMixin,
    WorkflowAdminMixin,
    SafeExportMixin,
    ExportMixin,
    OrganiserScopedAdmin,
):
    workflow = ACTIVITY_WORKFLOW
    action_table = ACTIVITY_ACTIONS
    workflow_steps = ACTIVITY_STEPS
    change_form_template = "admin/briefings/activity/change_form.html"
    resource_classes = [ActivityResource]
    list_display = (
        "starts_display",
        "title",
        "kind",
        "status_display",
        "request_display",
        "invited_display",
        "replies_display",
        "attended_display",
        "opinion_display",
        "office",
    )
    list_display_links = ("starts_display", "title")
    list_select_related = ("kind", "office")
    list_filter = (HalfYearFilter, "kind", "status", "is_major")
    search_fields = ("title", "topic", "venue")
    show_full_result_count = False
    list_per_page = 50
    inlines = [
        InvitedLeaderInline,
        AgendaItemInline,
        MaterialInline,
        SpeechInline,
        OpinionInline,
        OutputInline,
        DonationInline,
        PhotoInline,
    ]
    OUTPUT_INLINES = (OutputInline, DonationInline, PhotoInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "office",
                    "co_offices",
                    "kind",
                    "title",
                    "topic",
                    "starts_at",
                    "ends_at",
                    "venue",
                    "is_major",
                    "status",
                )
            },
        ),
        (_("参加人员"), {"fields": ("invitations_summary",)}),
        (_("委员发言"), {"fields": ("speeches_summary",)}),
        (
            _("请示与批复"),
            {
                "fields": (
                    "request_recipient",
                    "request_sent_on",
                    "request_document",
                    "request_outcome",
                    "request_answer",
                    "request_answered_on",
                    "publish_override_reason",
                )
            },
        ),
        (
            _("活动成果（主题活动、捐赠）"),
            {"fields": ("beneficiaries", "beneficiary_count", "results")},
        ),
        (
            _("纪要与考勤"),
            {
                "fields": (
                    "minutes",
                    "minutes_by",
                    "minutes_updated_at",
                    "published_at",
                    "attendance_closed_at",
                    "cancel_reason",
                )
            },
        ),
    )
    WORKFLOW_FIELDS = (
        "status",
        "request_recipient",
        "request_sent_on",
        "request_document",
        "request_outcome",
        "request_answer",
        "request_answered_on",
        "publish_override_reason",
        "minutes",
        "minutes_by",
        "minutes_updated_at",
        "published_at",
        "attendance_closed_at",
        "cancel_reason",
    )

    def get_deleted_objects(self, objs, request):
        # A draft's invitees may be the whole office: counted, not collected one by one.
        return counted_deletion_summary(self, objs, request)

    def get_readonly_fields(self, request, obj=None):
        return [*self._readonly_fields(obj), "invitations_summary", "speeches_summary"]

    def _readonly_fields(self, obj):
        if obj is not None and obj.status == A.PUBLISHED:
            # Members were told the time and place: a change goes through the
            # "调整时间地点" step, which tells them again.
            return [*self.WORKFLOW_FIELDS, "starts_at", "ends_at", "venue"]
        if obj is not None and obj.status in (A.HELD, A.CANCELLED):
            content = [
                "office",
                "co_offices",
                "kind",
                "title",
                "topic",
                "starts_at",
                "ends_at",
                "venue",
                "is_major",
            ]
            if obj.status == A.CANCELLED:
                content += ["beneficiaries", "beneficiary_count", "results"]
            return [*self.WORKFLOW_FIELDS, *content]
        return self.WORKFLOW_FIELDS

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = set()
        if is_single_office(request):
            hidden.add("co_offices")  # joint activities need another office
        if obj is None or not obj.kind.records_outputs:
            fieldsets = [f for f in fieldsets if "results" not in f[1]["fields"]]
        if obj is None:  # the workflow's fields mean nothing on a new activity
            fieldsets = [
                f
                for f in fieldsets
                if not {"minutes", "request_sent_on", "invitations_summary", "speeches_summary"}
                & set(f[1]["fields"])
            ]
            hidden.add("status")
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is None:
            return [
                i
                for i in instances
                if isinstance(i, (InvitedLeaderInline, AgendaItemInline, MaterialInline))
            ]
        if not obj.kind.records_outputs:
            instances = [i for i in instances if not isinstance(i, self.OUTPUT_INLINES)]
        return instances

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "co_offices":
            kwargs["queryset"] = Office.objects.all()  # joint with any street's office
            kwargs["widget"] = PickList  # ticked, with search: no Ctrl-click list
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def create_through_service(self, request, data, office):
        # Leaders, agenda and materials typed on the add page are saved as inline rows
        # of the activity the service made (CreateThroughServiceMixin).
        return services.activity_create(
            actor=request.user,
            office=office,
            kind=data["kind"],
            title=data["title"],
            topic=data.get("topic", ""),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            venue=data["venue"],
            is_major=data.get("is_major", False),
            co_offices=data.get("co_offices") or (),
        )

    @admin.display(description=_("发言记录"))
    def speeches_summary(self, obj):
        """How many speeches are recorded, and the add page for the next (the members
        arranged to speak are on the agenda below)."""
        if obj is None or obj.pk is None:
            return "—"
        add = reverse("admin:briefings_speech_add") + f"?activity={obj.pk}"
        listed = reverse("admin:briefings_speech_changelist") + f"?activity__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            listed,
            _("已记录%(n)s次发言") % {"n": obj.speeches.count()},
            add,
            _("记录委员发言"),
        )

    @admin.display(description=_("邀请、请假与出勤"))
    def invitations_summary(self, obj):
        """Counts, each linking to the invitation list filtered to it. A briefing has
        hundreds of invitees: the list pages through them; this page never lists them."""
        if obj is None or obj.pk is None:
            return "—"
        I = Invitation  # noqa: E741
        counts = obj.invitations.aggregate(
            pending=Count("pk", filter=Q(reply=I.Reply.PENDING)),
            leave_requested=Count("pk", filter=Q(leave_status=I.Leave.REQUESTED)),
            absent=Count("pk", filter=Q(attendance=I.Attendance.ABSENT)),
        )
        base = reverse("admin:briefings_invitation_changelist") + f"?activity__id__exact={obj.pk}"
        parts = [
            (_("邀请"), obj.invited_count, ""),
            (_("未回复"), counts["pending"], f"&reply__exact={I.Reply.PENDING}"),
            (_("参加"), obj.attending_count, f"&reply__exact={I.Reply.ATTENDING}"),
            (_("请假"), obj.leave_count, f"&reply__exact={I.Reply.LEAVE}"),
            (_("待审批"), counts["leave_requested"], f"&leave_status__exact={I.Leave.REQUESTED}"),
            (_("出席"), obj.attended_count, f"&attendance__exact={I.Attendance.ATTENDED}"),
            (_("无故缺席"), counts["absent"], f"&attendance__exact={I.Attendance.ABSENT}"),
        ]
        links = format_html_join(
            "　", '<a href="{}">{} {}</a>', ((base + query, label, n) for label, n, query in parts)
        )
        return format_html('{}<br><a href="{}">{}</a>', links, base, _("查看名单（按姓氏笔画）"))

    # --- Columns -------------------------------------------------------------------

    @admin.display(description=_("时间"), ordering="starts_at")
    def starts_display(self, obj):
        return timezone.localtime(obj.starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("请示"))
    def request_display(self, obj):
        state = obj.request_state
        if obj.is_major and not obj.request_answered and obj.status == A.DRAFT:
            return format_html('<strong class="overdue">{}</strong>', state)
        return state or "—"

    @admin.display(description=_("邀请"), ordering="invited_count")
    def invited_display(self, obj):
        return obj.invited_count

    @admin.display(description=_("参加/请假"))
    def replies_display(self, obj):
        return f"{obj.attending_count} / {obj.leave_count}"

    @admin.display(description=_("出席"), ordering="attended_count")
    def attended_display(self, obj):
        return obj.attended_count

    @admin.display(description=_("意见"), ordering="opinion_count")
    def opinion_display(self, obj):
        return obj.opinion_count or ""

    # --- Staff pages: tablet sign-in, projected QR code, printable minutes ----------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/sign-in/",
                self.admin_site.admin_view(self.sign_in_view),
                name="{}_{}_sign_in".format(*info),
            ),
            path(
                "<path:object_id>/qr/",
                self.admin_site.admin_view(self.qr_view),
                name="{}_{}_qr".format(*info),
            ),
            path(
                "<path:object_id>/invitees/",
                self.admin_site.admin_view(self.invitees_view),
                name="{}_{}_invitees".format(*info),
            ),
            path(
                "<path:object_id>/print-minutes/",
                self.admin_site.admin_view(self.minutes_view),
                name="{}_{}_minutes".format(*info),
            ),
            *super().get_urls(),
        ]

    def _activity(self, request, object_id, *, change=False):
        obj = self.get_object(request, unquote(object_id))
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def sign_in_view(self, request, object_id):
        return admin_views.sign_in(self, request, self._activity(request, object_id))

    def qr_view(self, request, object_id):
        return admin_views.qr(self, request, self._activity(request, object_id))

    def invitees_view(self, request, object_id):
        """The attendance correction's search: this activity's invitees whose attendance
        was taken, by name (the activity found through the account's scope)."""
        activity = self._activity(request, object_id, change=True)
        found = search_members(
            Member.objects.filter(pk__in=activity.invitations.values("member_id")),
            request.GET.get("q", ""),
        )
        rows = list(
            activity.invitations.exclude(attendance="")
            .filter(member__in=found.values("pk"))
            .select_related("member")
            .order_by("member__stroke_key", "pk")[: SEARCH_LIMIT + 1]
        )
        label = attendance_choice_label
        return JsonResponse(
            {
                "results": [{"id": i.pk, "label": label(i)} for i in rows[:SEARCH_LIMIT]],
                "more": len(rows) > SEARCH_LIMIT,
            }
        )

    def minutes_view(self, request, object_id):
        return admin_views.minutes(self, request, self._activity(request, object_id))


@admin.register(Invitation)
class InvitationAdmin(BoundedCountMixin, OrganiserScopedAdmin):
    """The invitees of activities, fifty to a page: an activity's page links here
    filtered to it (its counts open the list of who has not replied, who asked for
    leave …). Leave is approved or refused here in bulk; invitations are taken back,
    while the activity is a draft, with the action below."""

    activity_path = "activity"
    office_field = "activity__office"
    list_display = (
        "member",
        "sector",
        "activity",
        "reply_display",
        "leave_reason",
        "leave_status",
        "attendance",
        "signed",
    )
    list_select_related = ("member__sector", "activity")
    list_filter = ("leave_status", "reply", "attendance", "activity__kind")
    search_fields = ("member__name", "activity__title")
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "id"]
    actions = ["approve_leave", "refuse_leave", "withdraw"]
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        # Name-list order (按姓氏笔画) within an activity, the newest activity first.
        return (
            super()
            .get_queryset(request)
            .order_by("-activity__starts_at", "member__stroke_key", "member_id")
        )

    def has_add_permission(self, request):
        return False  # invitations come from the activity's "邀请委员" step

    def has_delete_permission(self, request, obj=None):
        return False  # taken back through "撤销邀请", which checks the activity is a draft

    def changelist_view(self, request, extra_context=None):
        activity_id = request.GET.get("activity__id__exact", "")
        if activity_id.isdigit():
            found = staff_activities(request.user).filter(pk=activity_id).first()
            if found is not None:
                extra_context = {
                    **(extra_context or {}),
                    "title": _("%(title)s：参加人员") % {"title": found.title},
                }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("界别"), ordering="member__sector__position")
    def sector(self, obj):
        return obj.member.sector.name if obj.member.sector_id else "—"

    @admin.display(description=_("回复"))
    def reply_display(self, obj):
        return obj.reply_display

    @admin.display(description=_("签到时间"), ordering="attendance_at")
    def signed(self, obj):
        if not obj.attendance_at:
            return ""
        when = timezone.localtime(obj.attendance_at)
        return f"{when:%m-%d %H:%M} {obj.get_attendance_method_display()}"

    @admin.action(description=_("撤销邀请（仅限未发布的活动）"), permissions=["change"])
    def withdraw(self, request, queryset):
        done = 0
        by_activity: dict = {}
        for invitation in queryset.select_related("activity"):
            by_activity.setdefault(invitation.activity, []).append(invitation)
        for activity, invitations in by_activity.items():
            try:
                done += services.invitations_withdraw(
                    activity=activity, actor=request.user, invitations=invitations
                )
            except WorkflowError as error:
                self.message_user(request, f"{activity}：{error}", messages.ERROR)
        if done:
            self.message_user(request, _("已撤销 %(n)s 份邀请。") % {"n": done}, messages.SUCCESS)

    def _decide(self, request, queryset, approve):
        done = 0
        for invitation in queryset.select_related("member"):
            try:
                services.leave_decide(invitation=invitation, actor=request.user, approve=approve)
                done += 1
            except WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
        if done:
            self.message_user(
                request, _("已处理 %(n)s 份请假申请。") % {"n": done}, messages.SUCCESS
            )

    @admin.action(description=_("准假"), permissions=["change"])
    def approve_leave(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("不准假"), permissions=["change"])
    def refuse_leave(self, request, queryset):
        self._decide(request, queryset, False)


@admin.register(Opinion)
class OpinionAdmin(WorkflowAdminMixin, SafeExportMixin, ExportMixin, OrganiserScopedAdmin):
    workflow = OPINION_WORKFLOW
    action_table = OPINION_ACTIONS
    workflow_steps = OPINION_STEPS
    activity_path = "activity"
    office_field = "activity__office"
    list_display = ("summary_display", "member", "activity", "status", "result_link", "created_at")
    list_select_related = ("member", "activity")
    list_filter = ("status", "activity__kind")
    search_fields = ("title", "content", "member__name", "activity__title")
    fields = (
        "activity",
        "member",
        "title",
        "content",
        "status",
        "proposal",
        "handling_note",
        "created_at",
    )
    readonly_fields = ("activity", "member", "status", "proposal", "handling_note", "created_at")

    def has_add_permission(self, request):
        return False  # recorded through the activity's "录入意见建议" step or the portal

    def delete_model(self, request, obj):
        # A new opinion nobody has handled may be deleted: its activity counts one less.
        with transaction.atomic():
            super().delete_model(request, obj)
            services.refresh_activity_counts(obj.activity_id)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            activity_ids = set(queryset.values_list("activity_id", flat=True))
            super().delete_queryset(request, queryset)
            services.refresh_activity_counts(activity_ids)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Opinion.Status.NEW:
            return [*self.readonly_fields, "title", "content"]
        return self.readonly_fields

    @admin.display(description=_("意见建议"))
    def summary_display(self, obj):
        return obj.summary

    @admin.display(description=_("转办结果"))
    def result_link(self, obj):
        if obj.concern_id:
            url = reverse("admin:visits_concern_change", args=[obj.concern_id])
            return format_html('<a href="{}">{}</a>', url, _("意见建议办理"))
        if obj.proposal_id:
            url = reverse("admin:proposals_proposal_change", args=[obj.proposal_id])
            return format_html('<a href="{}">{}</a>', url, _("提案草稿"))
        return ""


class SpeechForm(forms.ModelForm):
    class Meta:
        model = Speech
        fields = (
            "activity",
            "agenda_item",
            "member",
            "kind",
            "title",
            "text",
            "file",
            "delivered_on",
            "is_adopted",
        )

    def clean(self):
        data = super().clean()
        # A change is checked here with the same rule the service applies, so a refusal
        # shows on the form with what was typed kept.
        if self.instance.pk and not self.errors:
            refusal = services.speeches.speech_refusal(
                activity=self.instance.activity,
                member=self.instance.member,
                delivered_on=data["delivered_on"],
                agenda_item=data.get("agenda_item"),
                text=data.get("text", ""),
                file=data.get("file"),
            )
            if refusal:
                raise forms.ValidationError(refusal)
        return data


@admin.register(Speech)
class SpeechAdmin(CreateThroughServiceMixin, OrganiserScopedAdmin):
    """Speeches (委员发言) recorded after the activity; points follow the rules."""

    activity_path = "activity"
    form = SpeechForm
    list_display = (
        "delivered_on",
        "member",
        "kind",
        "title",
        "activity",
        "is_adopted",
        "points_display",
    )
    list_display_links = ("title",)
    list_select_related = ("member", "activity")
    list_filter = ("kind", "is_adopted")
    search_fields = ("title", "member__name", "member__member_no", "activity__title")
    autocomplete_fields = ("activity", "member")
    date_hierarchy = "delivered_on"
    show_full_result_count = False

    def get_queryset(self, request):
        from members.models import PointEntry

        earned = (
            PointEntry.objects.filter(
                source_type=ContentType.objects.get_for_model(Speech),
                source_id=OuterRef("pk"),
                revoked_at__isnull=True,
            )
            .order_by()
            .values("source_id")
            .annotate(total=Sum("points"))
            .values("total")
        )
        return super().get_queryset(request).annotate(points_earned=Subquery(earned))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agenda_item":
            # The agenda items a member was arranged on, of the activities this office
            # organises; each named with its activity (every briefing has a 委员座谈发言).
            kwargs["queryset"] = (
                AgendaItem.objects.filter(
                    speaker__isnull=False, activity__in=staff_activities(request.user)
                )
                .select_related("activity", "speaker")
                .order_by("-activity__starts_at", "position")
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda item: (
                f"{item.activity} · {item.title}（{item.speaker.name}）"
            )
            field.help_text = _("安排在议程上发言的，选择对应议程。")
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Who spoke where is the record itself: a wrong one is deleted and recorded again.
        return ("activity", "member") if obj is not None else ()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        activity = staff_activities(request.user).filter(pk=request.GET.get("activity")).first()
        if activity is not None:
            initial["delivered_on"] = activity.date
        return initial

    @admin.display(description=_("积分"), ordering="points_earned")
    def points_display(self, obj):
        return obj.points_earned or 0

    def create_through_service(self, request, data, office):
        return services.speech_record(
            activity=data["activity"],
            member=data["member"],
            kind=data["kind"],
            title=data["title"],
            text=data.get("text", ""),
            file=data.get("file"),
            delivered_on=data["delivered_on"],
            is_adopted=data.get("is_adopted", False),
            agenda_item=data.get("agenda_item"),
            actor=request.user,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            return  # the create service saved it while the form was validated
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.speeches.SPEECH_FIELDS
        }
        try:
            services.speech_update(speech=obj, actor=request.user, **changes)
        except WorkflowError as error:  # checked in the form; a race lands here
            messages.error(request, str(error))

    def delete_model(self, request, obj):
        self.delete_queryset(request, Speech.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        try:
            services.speeches_delete(speeches=list(queryset), actor=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
