from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.results import RowResult

from liaison.admin import (
    DistrictSharedAdmin,
    LookupAdmin,
    OfficeFileExportMixin,
    OfficeScopedAdmin,
)
from liaison.scoping import default_office

from . import admin_views
from .formats import ROSTER_EXPORT_FORMATS, ROSTER_IMPORT_FORMATS, XLSX, UnreadableFileError
from .models import Affiliation, Contribution, Member, Sector, Term
from .resources import ContributionResource, MemberResource

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


@admin.register(Member)
class MemberAdmin(OfficeFileExportMixin, ImportExportMixin, OfficeScopedAdmin):
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
        "employer",
        "status",
        "office",
    )
    list_display_links = ("name",)
    # Every column above is a field of the member or of a row joined here: the page
    # costs the same few queries at 100 members as at 5,000.
    list_select_related = ("sector", "affiliation", "term", "office")
    list_filter = ("sector", "affiliation", "term", "status", "role")
    search_fields = ("name", "mobile", "office_phone", "employer", "member_no")
    search_help_text = _("可按姓名、手机号码、办公电话、工作单位或委员编号查找")
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
                "description": _(
                    "每类消息都会出现在委员的平台消息中；这里选择是否另发短信或电子邮件。"
                    "委员也可以在平台“个人信息”中自行修改。"
                ),
            },
        ),
        (_("其他"), {"fields": ("notes", "user", ("created_at", "updated_at"))}),
    )
    inlines = [ContributionInline]

    # django-import-export
    resource_classes = [MemberResource]
    import_formats = ROSTER_IMPORT_FORMATS
    export_formats = ROSTER_EXPORT_FORMATS
    import_template_name = "admin/members/member/import.html"
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

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFileError):
            message = str(e)
        else:
            message = gettext("无法读取该文件，请确认“格式”与文件类型一致（.xlsx 或 .csv）。")
        form.add_error("import_file", message)

    def process_result(self, result, request):
        # The roster may have changed between preview and confirm; then nothing was
        # written (the import rolled back) and staff see why, as on the preview.
        if result.has_errors() or result.has_validation_errors():
            form_class = self.get_import_form_class(request)
            form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
            context = {
                **self.admin_site.each_context(request),
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
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            gettext("导入完成：新增 %(new)s 名委员，更新 %(update)s 名，%(skip)s 行无变化。")
            % {
                "new": totals[RowResult.IMPORT_TYPE_NEW],
                "update": totals[RowResult.IMPORT_TYPE_UPDATE],
                "skip": totals[RowResult.IMPORT_TYPE_SKIP],
            },
        )


@admin.register(Contribution)
class ContributionAdmin(OfficeFileExportMixin, ExportMixin, OfficeScopedAdmin):
    office_field = "member__office"
    list_display = ("year", "kind", "title", "member", "amount", "member__office")
    list_display_links = ("title",)
    list_select_related = ("member", "member__office")
    list_filter = ("kind", "year")
    search_fields = ("title", "member__name", "member__member_no")
    autocomplete_fields = ("member",)
    show_full_result_count = False

    resource_classes = [ContributionResource]
    export_formats = ROSTER_EXPORT_FORMATS
    skip_export_form = True
    export_file_stem = "委员贡献"

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "show_office": self._shows_office(request)}
