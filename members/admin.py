from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.forms import ConfirmImportForm

from liaison.admin import (
    BoundedImportMixin,
    DistrictSharedAdmin,
    LookupAdmin,
    OfficeFileExportMixin,
    OfficeScopedAdmin,
)
from liaison.admin_filters import RecentYearsFilter
from liaison.admin_lists import BoundedCountMixin
from liaison.imports import BoundedImportForm
from liaison.jobs import job_start
from liaison.limits import LimitedForm
from liaison.models import Notification
from liaison.scoping import default_office, scope_queryset
from liaison.selectors import count_of

from . import admin_points, admin_study, admin_views, jobs, picking
from .accounts import LEFT_OFFICE, member_account_disable, member_account_invitation_resend
from .formats import ROSTER_EXPORT_FORMATS, ROSTER_IMPORT_FORMATS, XLSX
from .jobs import import_summary, roster_import_start
from .models import (
    AccountInvitation,
    ActivityGroup,
    Affiliation,
    Contribution,
    DutyClaim,
    Member,
    PointEntry,
    PointRule,
    Sector,
    StudyMaterial,
    StudyReflection,
    Term,
)
from .picking import by_sector, member_picklist
from .resources import ContributionResource, MemberResource
from .selectors import AccountState, dormant, search_members, with_account_state
from .services import member_accounts_open

admin.site.register([Sector, Affiliation], LookupAdmin)


@admin.register(Term)
class TermAdmin(DistrictSharedAdmin):
    list_display = ("name", "start_year", "end_year", "is_current")


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0


class MemberAdminForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = "__all__"  # noqa: DJ007 — the admin's fieldsets choose what is shown
        error_messages = {
            "photo": {
                "invalid_image": _(
                    "照片必须是 JPG、PNG 或 WEBP 格式的图片。您上传的文件不是图片，或者已经损坏。"
                ),
            },
        }


# Opening more accounts than this at once runs in the worker (members/jobs.py): each
# writes an account, an invitation and two outbox rows.
OPEN_ACCOUNTS_IN_REQUEST = 50
OPEN_ACCOUNTS_HELP = _(
    "为导入的在任委员开通委员服务平台账号，并发送激活短信（有邮箱的同时发邮件）。"
)


class MemberImportForm(BoundedImportForm):
    open_accounts = forms.BooleanField(
        label=_("开通账号"), required=False, help_text=OPEN_ACCOUNTS_HELP
    )


class MemberConfirmImportForm(ConfirmImportForm, LimitedForm):
    open_accounts = forms.BooleanField(required=False, widget=forms.HiddenInput())


class AccountStateFilter(admin.SimpleListFilter):
    title = _("平台账号")
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return (
            *AccountState.CHOICES,
            (AccountState.DORMANT, _("%(days)s 天未登录") % {"days": AccountState.DORMANT_DAYS}),
        )

    def queryset(self, request, queryset):
        if self.value() == AccountState.DORMANT:
            return dormant(queryset)
        if self.value() in dict(AccountState.CHOICES):
            return queryset.filter(account_state=self.value())
        return queryset


@admin.register(Member)
class MemberAdmin(
    BoundedCountMixin,
    BoundedImportMixin,
    OfficeFileExportMixin,
    ImportExportMixin,
    OfficeScopedAdmin,
):
    form = MemberAdminForm
    list_display = (
        "photo_thumbnail",
        "name",
        "member_no",
        "sex",
        "sector",
        "affiliation",
        "role",
        "mobile",
        "account_state_display",
        "employer",
        "status",
        "office",
    )
    list_display_links = ("name",)
    # Every column above is a field of the member or of a row joined here: the page
    # costs the same few queries at 100 members as at 5,000.
    list_select_related = ("sector", "affiliation", "term", "office", "user")
    list_filter = ("sector", "affiliation", "term", "status", "role", AccountStateFilter)
    actions = ["open_accounts", "resend_invitations", "disable_accounts"]
    # Searched by members.selectors.search_members (get_search_results below), which
    # an index serves on PostgreSQL; the fields here only switch the search box on.
    search_fields = ("name", "employer", "mobile", "office_phone", "member_no")
    search_help_text = _("姓名、工作单位中的任意字；手机号码、办公电话或委员编号的开头几位")
    # Counting the whole table on every page view is wasted work on a district roster.
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("user", "created_at", "updated_at")
    fieldsets = (
        (
            _("基本信息"),
            {
                "fields": (
                    "office",
                    ("name", "sex"),
                    ("ethnicity", "birth_date"),
                    ("native_place", "education"),
                    "photo",
                )
            },
        ),
        (
            _("政协信息"),
            {
                "fields": (
                    ("member_no", "status"),
                    ("term", "terms_served"),
                    ("sector", "affiliation"),
                    "role",
                    "honours",
                )
            },
        ),
        (
            _("工作单位"),
            {"fields": ("employer", ("position", "professional_title"))},
        ),
        (
            _("联系方式"),
            {
                "fields": (
                    ("mobile", "office_phone"),
                    ("email", "wechat"),
                    "home_address",
                    "work_address",
                )
            },
        ),
        (
            _("消息接收方式"),
            {
                "fields": (
                    ("receive_invitations", "receive_deadlines"),
                    ("receive_birthdays", "receive_news"),
                ),
                "classes": ("collapse",),
                "description": _(
                    "每类消息都会出现在委员的平台消息中；这里选择是否另发短信或电子邮件。"
                    "委员也可以在平台“个人信息”中自行修改。"
                ),
            },
        ),
        (
            _("其他"),
            {"fields": ("notes", "user", ("created_at", "updated_at")), "classes": ("collapse",)},
        ),
    )
    inlines = [ContributionInline]

    # django-import-export
    resource_classes = [MemberResource]
    import_formats = ROSTER_IMPORT_FORMATS
    export_formats = ROSTER_EXPORT_FORMATS
    import_template_name = "admin/members/member/import.html"
    import_form_class = MemberImportForm
    confirm_form_class = MemberConfirmImportForm
    import_export_change_list_template = "admin/members/member/change_list.html"
    # The export button downloads the filtered changelist as .xlsx straight away.
    skip_export_form = True
    export_file_stem = "委员名册"

    class Media:
        css = {"all": ("members/admin.css",)}

    @admin.display(description=_("照片"))
    def photo_thumbnail(self, obj):
        if not obj.photo:
            return ""
        # The stored URL needs no query and no disk access; the browser loads lazily.
        return format_html(
            '<img src="{}" alt="" class="member-thumb" width="30" height="40" loading="lazy">',
            obj.photo.url,
        )

    def get_queryset(self, request):
        return with_account_state(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # The changelist's search box and the member autocomplete (AutocompleteJsonView
        # asks the same method) search the same way.
        if not search_term.strip():
            return queryset, False
        return search_members(queryset, search_term), False

    @admin.display(description=_("平台账号"), ordering="account_state")
    def account_state_display(self, obj):
        state = getattr(obj, "account_state", None)
        if state == AccountState.ACTIVE:
            if obj.user.last_login:
                return format_html(
                    '{} <small class="quiet">{}</small>',
                    gettext("已激活"),
                    gettext("最近登录 %(date)s")
                    % {"date": f"{timezone.localdate(obj.user.last_login):%Y-%m-%d}"},
                )
            return format_html(
                '{} <small class="quiet">{}</small>', gettext("已激活"), gettext("尚未登录")
            )
        if state == AccountState.INVITED:
            channel = dict(AccountInvitation.Channel.choices).get(obj.invited_by, "")
            if obj.invitation_expires_at and obj.invitation_expires_at <= timezone.now():
                outcome = gettext("已过期")
            elif obj.invitation_delivery:
                outcome = dict(Notification.Status.choices)[obj.invitation_delivery]
            else:
                outcome = ""
            return format_html(
                '{} <small class="quiet">{} {} {}</small>',
                gettext("已邀请"),
                f"{timezone.localdate(obj.invited_at):%Y-%m-%d}",
                channel,
                outcome,
            )
        return dict(AccountState.CHOICES).get(state, "")

    # --- portal accounts ------------------------------------------------------------

    @admin.action(description=_("开通委员平台账号"), permissions=["change"])
    def open_accounts(self, request, queryset):
        return self._open_accounts(request, list(queryset.values_list("pk", flat=True)))

    def _open_accounts(self, request, member_ids):
        """Open accounts here for a few members; for more, start the worker on it and
        return the job's page (its progress bar) to go to."""
        if len(member_ids) > OPEN_ACCOUNTS_IN_REQUEST:
            job = job_start(
                kind=jobs.ACCOUNTS_OPEN,
                office=default_office(request),
                actor=request.user,
                params={"member_ids": member_ids},
                total=len(member_ids),
                title=gettext("开通委员平台账号（%(count)s 名）") % {"count": len(member_ids)},
            )
            return redirect(job)
        report = member_accounts_open(member_ids=member_ids, actor=request.user)
        self._report_accounts_opened(request, report)
        return None

    def _report_accounts_opened(self, request, report):
        if report.invited:
            messages.success(
                request,
                gettext("已为 %(count)s 名委员开通账号并发送激活邀请。")
                % {"count": report.invited},
            )
        if report.already_active:
            messages.info(
                request,
                gettext("%(count)s 名委员的账号已激活，未重复发送。")
                % {"count": report.already_active},
            )
        for refusal in report.refused:
            messages.warning(request, refusal)

    @admin.action(description=_("重新发送激活邀请"), permissions=["change"])
    def resend_invitations(self, request, queryset):
        sent = self._each_member(request, queryset, member_account_invitation_resend)
        if sent:
            messages.success(
                request, gettext("已向 %(count)s 名委员重新发送激活邀请。") % {"count": sent}
            )

    @admin.action(description=_("停用平台账号"), permissions=["change"])
    def disable_accounts(self, request, queryset):
        disabled = 0
        for member in queryset:
            disabled += member_account_disable(member=member, actor=request.user)
        messages.success(
            request, gettext("已停用 %(count)s 名委员的平台账号。") % {"count": disabled}
        )

    def _each_member(self, request, queryset, step) -> int:
        """Run the service ``step`` for each member (each its own savepoint, being a
        service inside the admin's use case); the refused are listed, the others done."""
        done = 0
        for member in queryset:
            try:
                step(member=member, actor=request.user)
            except ValidationError as error:
                messages.warning(request, " ".join(error.messages))
            else:
                done += 1
        return done

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A member who leaves office (term ended, deceased) can no longer sign in.
        if change and "status" in form.changed_data and not obj.is_serving:
            member_account_disable(member=obj, actor=request.user, reason=LEFT_OFFICE)

    def get_fieldsets(self, request, obj=None):
        # The office field only exists for users who see several offices.
        if self._shows_office(request):
            return self.fieldsets
        return [
            (title, {**opts, "fields": [f for f in opts["fields"] if f != "office"]})
            for title, opts in self.fieldsets
        ]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "pick/",
                self.admin_site.admin_view(self.pick_view),
                name="{}_{}_pick".format(*info),
            ),
            path(
                "roster/",
                self.admin_site.admin_view(self.roster_view),
                name="{}_{}_roster".format(*info),
            ),
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def pick_view(self, request):
        """The member picker's search (members.picking.MemberPicker): serving members of
        the offices this account works for, and nothing else."""
        serving = Member.objects.filter(status=Member.Status.SERVING)
        return picking.pick_response(request, scope_queryset(serving, request.user, "office"))

    def roster_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return admin_views.roster(self, request)

    def import_template_view(self, request):
        """An empty roster with the right headers, to be filled in and imported."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = MemberResource(**self.get_resource_kwargs(request))
        data = XLSX().export_data(resource.export(Member.objects.none()))
        response = HttpResponse(data, content_type=XLSX().get_content_type())
        response["Content-Disposition"] = content_disposition_header(True, "委员名册导入模板.xlsx")
        return response

    # --- import and export ----------------------------------------------------------

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {
            **kwargs,
            "user": request.user,
            "office": default_office(request),
            "show_office": self._shows_office(request),
        }

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["open_accounts"] = import_form.cleaned_data.get("open_accounts", False)
        return initial

    def process_dataset(self, dataset, form, request, **kwargs):
        result = super().process_dataset(dataset, form, request, **kwargs)
        request.open_accounts = form.cleaned_data.get("open_accounts", False)
        return result

    def _imported(self, result, request):
        # Rows are bulk-created, so their results carry the member number, not an id.
        numbers = [row.instance.member_no for row in result.rows if row.instance is not None]
        return self.get_queryset(request).filter(member_no__in=numbers)

    def _disable_imported_leavers(self, result, request) -> None:
        """A roster that marks members as no longer serving (届满, 已故) stops their
        accounts, as the change form does."""
        leavers = self._imported(result, request).exclude(status=Member.Status.SERVING)
        for member in leavers.filter(user__isnull=False):
            member_account_disable(member=member, actor=request.user, reason=LEFT_OFFICE)

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "worker_rows": settings.ROSTER_IMPORT_WORKER_ROWS,
        }

    def import_action(self, request, **kwargs):
        """A roster above ROSTER_IMPORT_WORKER_ROWS rows goes to the worker (members.jobs):
        its page is the job's progress bar, then the result. Smaller ones are previewed
        and confirmed here, as before."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                fmt = self.get_import_formats()[int(form.cleaned_data["format"])]
                upload = form.cleaned_data["import_file"]
                data = b"".join(upload.chunks())  # the form refused an oversized file
                if fmt().has_more_rows_than(data, settings.ROSTER_IMPORT_WORKER_ROWS):
                    job = roster_import_start(
                        data=data,
                        file_name=upload.name,
                        fmt=fmt,
                        office=default_office(request),
                        actor=request.user,
                        show_office=self._shows_office(request),
                        open_accounts=form.cleaned_data.get("open_accounts", False),
                    )
                    return redirect(job)
        return super().import_action(request, **kwargs)

    def process_result(self, result, request):
        # The roster may have changed between preview and confirm; then nothing was
        # written (the import rolled back) and staff see why, as on the preview.
        if result.has_errors() or result.has_validation_errors():
            form_class = self.get_import_form_class(request)
            form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
            context = {
                **self.admin_site.each_context(request),
                **self.get_import_context_data(),
                "title": gettext("导入"),
                "opts": self.opts,
                "form": form,
                "media": self.media + form.media,
                "result": result,
                "fields_list": [],
                "import_error_display": self.import_error_display,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        response = super().process_result(result, request)
        self._disable_imported_leavers(result, request)
        if getattr(request, "open_accounts", False):
            ids = list(self._imported(result, request).values_list("pk", flat=True))
            return self._open_accounts(request, ids) or response
        return response

    def add_success_message(self, result, request):
        messages.success(request, import_summary(result.totals))


@admin.register(Contribution)
class ContributionAdmin(BoundedCountMixin, OfficeFileExportMixin, ExportMixin, OfficeScopedAdmin):
    office_field = "member__office"
    list_display = ("year", "kind", "title", "member", "amount", "member__office")
    list_display_links = ("title",)
    list_select_related = ("member", "member__office")
    list_filter = ("kind", RecentYearsFilter)
    search_fields = ("title", "member__name", "member__member_no")
    autocomplete_fields = ("member",)

    resource_classes = [ContributionResource]
    export_formats = ROSTER_EXPORT_FORMATS
    skip_export_form = True
    export_file_stem = "委员贡献"

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "show_office": self._shows_office(request)}


# The points rules table and the ledger (members/admin_points.py).
admin.site.register(PointRule, admin_points.PointRuleAdmin)
admin.site.register(PointEntry, admin_points.PointEntryAdmin)
admin.site.register(DutyClaim, admin_points.DutyClaimAdmin)

# The materials library (members/admin_study.py).
admin.site.register(StudyMaterial, admin_study.StudyMaterialAdmin)
admin.site.register(StudyReflection, admin_study.StudyReflectionAdmin)


class ActivityGroupForm(forms.ModelForm):
    class Meta:
        model = ActivityGroup
        fields = ("office", "name", "leader", "members", "position")

    default_office = None  # set by the admin for staff who do not choose the office

    def clean(self):
        data = super().clean()
        office = data.get("office") or (
            self.instance.office if self.instance.office_id else self.default_office
        )
        if office is None:
            return data
        members = list(data.get("members") or ())
        foreign = [m.name for m in members if m.office_id != office.pk]
        if foreign:
            self.add_error(
                "members",
                _("%(names)s 不属于%(office)s，不能编入本组。")
                % {"names": "、".join(foreign), "office": office.name},
            )
        leader = data.get("leader")
        if leader is not None and leader not in members:
            self.add_error(
                "leader", _("组长须是本组组员，请先在组员中勾选%(name)s。") % {"name": leader.name}
            )
        name = (data.get("name") or "").strip()
        if (
            name
            and ActivityGroup.objects.filter(office=office, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("本联络处已有名为“%(name)s”的活动组。") % {"name": name})
        return data


@admin.register(ActivityGroup)
class ActivityGroupAdmin(OfficeScopedAdmin):
    """Activity groups (活动组): members ticked in the members PickList; the group is
    then a preset wherever members are picked and an audience for consultations."""

    form = ActivityGroupForm
    list_display = ("name", "leader", "member_count", "office")
    list_select_related = ("leader", "office")
    search_fields = ("name", "leader__name")
    fields = ("office", "name", "leader", "members", "position")
    autocomplete_fields = ("leader",)  # searched, not a select of the whole office

    def get_queryset(self, request):
        # Counted per group shown (a correlated subquery), not by grouping every
        # membership row of the district before the page and its count.
        memberships = ActivityGroup.members.through.objects.all()
        return (
            super().get_queryset(request).annotate(n_members=count_of(memberships, "activitygroup"))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.default_office = default_office(request)
        return form

    @admin.display(description=_("组员人数"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    def get_deleted_objects(self, objs, request):
        # What goes with a group is its links (members, consultations' audiences), never
        # a record: counted, not fetched one by one as Django's confirmation does (a
        # group of 1,500 members read 1,500 rows to say so).
        objs = list(objs)
        through = ActivityGroup.members.through
        linked = through.objects.filter(activitygroup__in=objs).count()
        counts = {ActivityGroup._meta.verbose_name_plural: len(objs)}
        if linked:
            counts[gettext("组员关系")] = linked
        return [str(obj) for obj in objs], counts, set(), []

    def _members(self, request):
        return by_sector(
            scope_queryset(
                Member.objects.filter(status=Member.Status.SERVING), request.user, "office"
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "leader":
            kwargs["queryset"] = self._members(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = self._members(request)
            kwargs["widget"] = member_picklist(everyone=_("全部在任委员"), office_field="office")
            kwargs["error_messages"] = picking.PICK_ERRORS
        return super().formfield_for_manytomany(db_field, request, **kwargs)
