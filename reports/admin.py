"""The documents' admin, and what reports adds to the plans' admin: a plan's progress
page and PDFs, a work report's figures and its issue; and to the roster: activation
letters. Plans' and members' admin classes are re-registered here as subclasses, so
that neither imports anything of reports."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from consultations import admin as consultations_admin
from consultations.models import Consultation
from liaison.admin import OfficeScopedAdmin
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.limits import LimitedForm
from liaison.scoping import default_office, visible_offices
from liaison.widgets import PickList
from liaison.workflow import WorkflowError, record_creation
from members import admin as members_admin
from members.accounts import member_account_letters
from members.models import DutyYear, Member
from plans import admin as plans_admin
from plans.models import WorkPlan, WorkReport

from . import admin_views, services
from .actions import (
    CONSULTATION_ACTIONS,
    DUTY_YEAR_ACTIONS,
    PLAN_ACTIONS,
    REPLY_ACTIONS,
    WORK_REPORT_ACTIONS,
)
from .admin_steps import (
    CONSULTATION_STEPS,
    DUTY_YEAR_STEPS,
    PLAN_STEPS,
    REPLY_STEPS,
    REPORT_STEPS,
)
from .figures import report_figures
from .letters import activation_letters_pdf
from .models import CommitteeReply, Document, DocumentIssue
from .selectors import leaders_for
from .workflows import DUTY_YEAR_WORKFLOW, REPLY_WORKFLOW

# --- The roster: activation letters ---------------------------------------------------

# Letters are rendered in the request (one page each, about 0.1 s a page), so a request
# prints a small batch; a larger one is refused with the reason.
LETTERS_AT_ONCE = 30

admin.site.unregister(Member)


WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@admin.register(Member)
class MemberAdmin(members_admin.MemberAdmin):
    """The roster with activation letters for members who cannot be reached by SMS."""

    actions = [*members_admin.MemberAdmin.actions, "print_activation_letters"]

    @admin.action(description=_("打印激活信（PDF）"), permissions=["change"])
    def print_activation_letters(self, request, queryset):
        members = list(queryset.select_related("office")[: LETTERS_AT_ONCE + 1])
        if len(members) > LETTERS_AT_ONCE:
            messages.warning(
                request,
                _("一次最多打印 %(count)s 封激活信，请分批选择。") % {"count": LETTERS_AT_ONCE},
            )
            return None
        try:
            letters = member_account_letters(members=members, actor=request.user)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
            return None
        pdf = activation_letters_pdf(letters, default_office(request))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, "委员账号激活信.pdf")
        return response


# --- Consultations: the summary report ----------------------------------------------

admin.site.unregister(Consultation)


@admin.register(Consultation)
class ConsultationAdmin(consultations_admin.ConsultationAdmin):
    """The consultation with its summary report (征求意见情况汇总): a PDF to review
    once compiled, rendered and issued to the chosen leaders when it is submitted."""

    action_table = CONSULTATION_ACTIONS
    workflow_steps = CONSULTATION_STEPS

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "report_documents"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or obj.status == Consultation.Status.DRAFT:
            return fieldsets
        name, options = fieldsets[-1]
        return [
            *fieldsets[:-1],
            (name, {**options, "fields": (*options["fields"], "report_documents")}),
        ]

    @admin.display(description=_("汇总报告"))
    def report_documents(self, obj):
        documents = Document.objects.filter(
            office=obj.office_id, kind=Document.Kind.CONSULTATION, params__consultation=obj.pk
        ).order_by("-document_date", "-pk")
        return document_links(documents)


def document_links(documents):
    """Each document rendered from a record: its title linked to the PDF (and the Word
    copy once it exists), its date and status."""
    rows = []
    for d in documents:
        about = "，".join(filter(None, [d.reference, str(d.document_date), d.get_status_display()]))
        if d.status != Document.Status.DONE:
            rows.append(format_html("{}（{}）", d.title, about))
            continue
        row = format_html(
            '<a href="{}">{}</a>（{}）',
            reverse("admin:reports_document_download", args=[d.pk]),
            d.title,
            about,
        )
        if d.word_file:
            row = format_html(
                '{} · <a href="{}">{}</a>',
                row,
                reverse("admin:reports_document_download_word", args=[d.pk]),
                _("Word 文件"),
            )
        rows.append(row)
    return format_html("<br>".join(["{}"] * len(rows)), *rows) if rows else "—"


# --- Replies to the committee ---------------------------------------------------------


@admin.register(CommitteeReply)
class CommitteeReplyAdmin(WorkflowAdminMixin, OfficeScopedAdmin):
    """The office's replies (复函) to the committee's documents: written here, sent
    through the 发出 step (发文字号, PDF and Word copy, issued to leaders)."""

    workflow = REPLY_WORKFLOW
    action_table = REPLY_ACTIONS
    workflow_steps = REPLY_STEPS
    list_display = ("title", "incoming_title", "status", "issued_on", "office")
    list_select_related = ("office",)
    list_filter = ("status",)
    search_fields = ("title", "incoming_title", "incoming_reference")
    # What staff write; fixed once the reply has gone out.
    written = (
        "title",
        "incoming_title",
        "incoming_reference",
        "incoming_on",
        "recipient",
        "body",
        "attachment_titles",
    )
    fields = ("office", *written, "status", "issued_on", "reply_documents")

    def get_readonly_fields(self, request, obj=None):
        always = ["status", "issued_on", "reply_documents"]
        if obj is None:
            return always
        always = ["office", *always]
        if obj.is_issued:  # what went out stays as it went out
            always += self.written
        return always

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("复函文件"))
    def reply_documents(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        documents = Document.objects.filter(
            office=obj.office_id, kind=Document.Kind.REPLY, params__reply=obj.pk
        ).order_by("-document_date", "-pk")
        return document_links(documents)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            record_creation(obj, actor=request.user)


# --- Plans and work reports -----------------------------------------------------------

admin.site.unregister(WorkPlan)
admin.site.unregister(WorkReport)


@admin.register(WorkPlan)
class WorkPlanAdmin(plans_admin.WorkPlanAdmin):
    """The plan with its progress page and its PDFs."""

    action_table = PLAN_ACTIONS
    workflow_steps = {**plans_admin.WorkPlanAdmin.workflow_steps, **PLAN_STEPS}
    change_form_template = "admin/reports/workplan/change_form.html"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="plans_workplan_progress",
            ),
            *super().get_urls(),
        ]

    def progress_view(self, request, object_id):
        plan = self.get_object(request, unquote(object_id))
        return admin_views.plan_progress(self, request, plan)


@admin.register(WorkReport)
class WorkReportAdmin(plans_admin.WorkReportAdmin):
    """The work report with its figures (live until it is issued, then as frozen), its
    issue and its PDF."""

    action_table = WORK_REPORT_ACTIONS
    workflow_steps = REPORT_STEPS
    change_form_template = "admin/reports/workreport/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        figures = report.figures or report_figures(report.office, report.year, report.half)
        extra_context = {
            **(extra_context or {}),
            "figures": figures,
            "figures_frozen": report.figures is not None,
        }
        return super().change_view(request, object_id, form_url, extra_context)


# --- Documents ------------------------------------------------------------------------


class IssueForm(LimitedForm):
    recipients = forms.ModelMultipleChoiceField(
        label=_("报送领导"),
        queryset=get_user_model().objects.none(),
        widget=PickList,
    )

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = leaders_for(document.office)


class DocumentIssueInline(admin.TabularInline):
    model = DocumentIssue
    fk_name = "document"
    extra = 0
    can_delete = False
    fields = ("recipient", "issued_by", "issued_at", "notified_at", "downloaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(OfficeScopedAdmin):
    change_form_template = "admin/reports/document/change_form.html"
    change_list_template = "admin/reports/document/change_list.html"
    list_display = (
        "title",
        "kind",
        "document_date",
        "status_display",
        "page_count",
        "size_display",
        "issue_count",
        "download",
        "office",
    )
    list_select_related = ("office",)
    list_filter = ("kind", "status")
    search_fields = ("title",)
    date_hierarchy = "document_date"
    inlines = [DocumentIssueInline]
    fields = (
        "office",
        "kind",
        "title",
        "document_date",
        "params",
        "status",
        "progress",
        "page_count",
        "size",
        "checksum",
        "render_seconds",
        "attempts",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(issue_total=Count("issues"))

    def has_change_permission(self, request, obj=None):
        return False  # rendered by the worker; staff issue or re-render through the buttons

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.issues.exists():
            return False  # what leaders received stays on record
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj):
        if obj.status == Document.Status.RENDERING:
            return format_html(
                '<progress max="100" value="{}"></progress> {}%', obj.progress, obj.progress
            )
        if obj.status == Document.Status.FAILED:
            return format_html('<strong class="overdue">{}</strong>', obj.get_status_display())
        return obj.get_status_display()

    @admin.display(description=_("大小"), ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj.size else "—"

    @admin.display(description=_("已报送领导"), ordering="issue_total")
    def issue_count(self, obj):
        return obj.issue_total or "—"

    @admin.display(description=_("下载"))
    def download(self, obj):
        if not obj.is_ready:
            return "—"
        pdf = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reports_document_download", args=[obj.pk]),
            _("下载 PDF"),
        )
        if not obj.word_file:
            return pdf
        return format_html(
            '{} · <a href="{}">{}</a>',
            pdf,
            reverse("admin:reports_document_download_word", args=[obj.pk]),
            _("下载 Word"),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/download/",
                view(self.download_view),
                name="reports_document_download",
            ),
            path("statistics/", view(self.statistics_view), name="reports_statistics"),
            path(
                "statistics/xlsx/",
                view(self.statistics_download_view),
                name="reports_statistics_download",
            ),
            path(
                "<path:object_id>/download/word/",
                view(self.download_word_view),
                name="reports_document_download_word",
            ),
            path("<path:object_id>/issue/", view(self.issue_view), name="reports_document_issue"),
            path(
                "<path:object_id>/regenerate/",
                view(self.regenerate_view),
                name="reports_document_regenerate",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        working = self.get_queryset(request).filter(
            status__in=[Document.Status.PENDING, Document.Status.RENDERING]
        )
        extra_context = {**(extra_context or {}), "has_working": working.exists()}
        return super().changelist_view(request, extra_context)

    def _offices(self, request):
        return visible_offices(request.user)

    def add_view(self, request, form_url="", extra_context=None):
        """Ask for a document: the worker renders it; the page shows its progress."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return admin_views.document_request(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "issue_form": IssueForm(document=document),
            "can_issue": self.has_view_permission(request, document)
            and request.user.has_perm("reports.add_documentissue"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def statistics_view(self, request):
        return admin_views.statistics_page(self, request)

    def statistics_download_view(self, request):
        return admin_views.statistics_download(self, request)

    def download_view(self, request, object_id):
        document = self.get_object(request, unquote(object_id))
        if not document.is_ready:
            raise Http404(_("文件尚未生成。"))
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.download_name,
            content_type="application/pdf",
        )

    def download_word_view(self, request, object_id):
        document = self.get_object(request, unquote(object_id))
        if document is None or not document.is_ready or not document.word_file:
            raise Http404(_("文件尚未生成。"))
        return FileResponse(
            document.word_file.open("rb"),
            as_attachment=True,
            filename=document.word_download_name,
            content_type=WORD_TYPE,
        )

    def _back(self, document):
        return HttpResponseRedirect(reverse("admin:reports_document_change", args=[document.pk]))

    def issue_view(self, request, object_id):
        document = self.get_object(request, unquote(object_id))
        if request.method != "POST":
            return self._back(document)
        if not request.user.has_perm("reports.add_documentissue"):
            raise PermissionDenied
        form = IssueForm(request.POST, document=document)
        if not form.is_valid():
            messages.error(request, _("请选择报送的领导。"))
            return self._back(document)
        try:
            issued = services.document_issue(
                document=document, recipients=form.cleaned_data["recipients"], actor=request.user
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已报送 %(n)s 位领导。") % {"n": len(issued)})
        return self._back(document)

    def regenerate_view(self, request, object_id):
        document = self.get_object(request, unquote(object_id))
        if request.method != "POST":
            return self._back(document)
        if not request.user.has_perm("reports.add_document"):
            raise PermissionDenied
        try:
            services.document_request(
                office=document.office,
                kind=document.kind,
                params=document.params,
                actor=request.user,
                document_date=document.document_date,
                refresh=True,
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已重新加入生成队列。"))
        return self._back(document)


# --- The assessment year --------------------------------------------------------------


@admin.register(DutyYear)
class DutyYearAdmin(WorkflowAdminMixin, OfficeScopedAdmin):
    """Closing a year gives the grades; reopening withdraws them, with a reason."""

    workflow = DUTY_YEAR_WORKFLOW
    action_table = DUTY_YEAR_ACTIONS
    workflow_steps = DUTY_YEAR_STEPS
    deletable_statuses = None

    def has_delete_permission(self, request, obj=None):
        return False  # a year's timeline is its record: never deleted

    list_display = ("__str__", "year", "status", "closed_at", "closed_by", "office")
    list_select_related = ("office", "closed_by")
    list_filter = ("status",)
    fields = ("office", "year", "status", "closed_at", "closed_by")

    def get_readonly_fields(self, request, obj=None):
        always = ["status", "closed_at", "closed_by"]
        return always if obj is None else ["office", "year", *always]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        office = default_office(request)

        class DutyYearForm(form):
            def clean(self):
                data = super().clean()
                chosen = data.get("office") or office
                if (
                    obj is None
                    and chosen is not None
                    and DutyYear.objects.filter(office=chosen, year=data.get("year")).exists()
                ):
                    raise ValidationError(_("该年度的履职考核已存在。"))
                return data

        return DutyYearForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            record_creation(obj, actor=request.user)
