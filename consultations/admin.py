from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from briefings.models import Activity
from liaison.actions import Actor
from liaison.admin import CreateThroughServiceMixin, OfficeScopedAdmin
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.scoping import scope_queryset
from liaison.selectors import count_of
from members.models import ActivityGroup, Member

from . import services
from .actions import CONSULTATION_ACTIONS
from .admin_steps import CONSULTATION_STEPS
from .models import (
    Answer,
    AnswerItem,
    Consultation,
    ConsultationDocument,
    Expert,
    Question,
)
from .selectors import compilation
from .workflows import CONSULTATION_WORKFLOW

S = Consultation.Status


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "kind", "text", "options", "required")

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == S.DRAFT

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields if not self._editable(obj) else ()

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "options":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DocumentInline(admin.TabularInline):
    model = ConsultationDocument
    extra = 0
    fields = ("title", "file")

    def _editable(self, obj) -> bool:
        return obj is None or obj.status in (S.DRAFT, S.OPEN)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if not self._editable(obj) else ()

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status == S.DRAFT
            and super().has_delete_permission(request, obj)
        )


class ExpertInline(admin.TabularInline):
    """Invited experts who are not members: each is e-mailed a signed link when the
    consultation opens (or, added later, by 邀请特邀专家)."""

    model = Expert
    extra = 0
    fields = ("name", "organisation", "email", "invited_at")
    readonly_fields = ("invited_at",)

    def _editable(self, obj) -> bool:
        return obj is None or obj.status in (S.DRAFT, S.OPEN)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if not self._editable(obj) else self.readonly_fields

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status == S.DRAFT
            and super().has_delete_permission(request, obj)
        )


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = (
            "office",
            "title",
            "requested_by",
            "summary",
            "meeting",
            "audience",
            "sectors",
            "groups",
            "chosen_members",
            "deadline",
            "reminder_working_days",
            "anonymous",
        )
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sectors": forms.CheckboxSelectMultiple,
            "groups": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        data = super().clean()
        A = Consultation.Audience
        office = data.get("office") or getattr(self.instance, "office", None)
        if office is not None and self.instance.pk:
            # A change (an add goes through consultation_create, which asks the same).
            for field, reason in (
                ("meeting", services.meeting_refusal(office, data.get("meeting"))),
                ("groups", services.audience_refusal(office, data.get("groups") or ())),
            ):
                if reason:
                    self.add_error(field, reason)
        if data.get("audience") == A.SECTORS and not data.get("sectors"):
            self.add_error("sectors", _("请选择要征求意见的界别。"))
        if data.get("audience") == A.GROUPS and not data.get("groups"):
            self.add_error("groups", _("请选择要征求意见的活动组。"))
        if data.get("audience") == A.CHOSEN and not data.get("chosen_members"):
            self.add_error("chosen_members", _("请选择要征求意见的委员。"))
        return data


@admin.register(Consultation)
class ConsultationAdmin(CreateThroughServiceMixin, WorkflowAdminMixin, OfficeScopedAdmin):
    form = ConsultationForm
    workflow = CONSULTATION_WORKFLOW
    action_table = CONSULTATION_ACTIONS
    workflow_steps = CONSULTATION_STEPS
    list_display = (
        "title",
        "status",
        "deadline",
        "audience",
        "answers_display",
        "office",
    )
    list_filter = ("status", "audience")
    list_select_related = ("office",)
    search_fields = ("title",)
    list_per_page = 50
    autocomplete_fields = ("chosen_members",)
    inlines = [QuestionInline, DocumentInline, ExpertInline]
    fieldsets = (
        (None, {"fields": ("office", "title", "requested_by", "summary", "meeting")}),
        (
            _("征求对象与期限"),
            {
                "fields": (
                    "audience",
                    "sectors",
                    "groups",
                    "chosen_members",
                    "deadline",
                    "reminder_working_days",
                    "anonymous",
                )
            },
        ),
        (_("收集情况"), {"fields": ("status", "answers_summary")}),
        (
            _("汇总、报送与反馈"),
            {
                "fields": (
                    "compiled_summary",
                    "recommendations",
                    "submitted_on",
                    "decision",
                    "decided_on",
                )
            },
        ),
    )
    readonly_fields = (
        "status",
        "answers_summary",
        "compiled_summary",
        "recommendations",
        "submitted_on",
        "decision",
        "decided_on",
    )
    deletable_statuses = (S.DRAFT,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                answer_count=count_of(
                    Answer.objects.given().filter(member__isnull=False), "consultation"
                ),
            )
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status == S.DRAFT:  # nothing collected yet: no results
            return fieldsets[:2]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status != S.DRAFT:
            # Once sent, what members were asked stays as they read it; only the
            # deadline may be moved while answers are being collected.
            fields += [
                "office",
                "title",
                "requested_by",
                "summary",
                "meeting",
                "audience",
                "sectors",
                "groups",
                "chosen_members",
                "reminder_working_days",
                "anonymous",
            ]
            if obj.status != S.OPEN:
                fields.append("deadline")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "meeting":
            # 协商议事 activities of the staff member's offices (consultation_create
            # checks the consultation's own office).
            kwargs["queryset"] = (
                scope_queryset(
                    Activity.objects.filter(kind__holds_consultations=True), request.user, "office"
                )
                .exclude(status=Activity.Status.CANCELLED)
                .select_related("kind")
                .order_by("-starts_at")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = scope_queryset(
                ActivityGroup.objects.all(), request.user, "office"
            ).select_related("office")
        if db_field.name == "chosen_members":
            kwargs["queryset"] = scope_queryset(
                Member.objects.filter(status=Member.Status.SERVING), request.user, "office"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def create_through_service(self, request, data, office):
        return services.consultation_create(
            actor=request.user,
            office=office,
            title=data["title"],
            summary=data["summary"],
            deadline=data["deadline"],
            audience=data["audience"],
            sectors=data.get("sectors") or (),
            groups=data.get("groups") or (),
            chosen_members=data.get("chosen_members") or (),
            requested_by=data.get("requested_by", ""),
            meeting=data.get("meeting"),
            reminder_working_days=data.get("reminder_working_days") or 2,
            anonymous=data.get("anonymous", False),
        )

    @admin.display(description=_("已反馈 / 征求"))
    def answers_display(self, obj):
        if obj.status == S.DRAFT:
            return "—"
        return f"{obj.answer_count} / {obj.recipient_count}"

    @admin.display(description=_("意见收集"))
    def answers_summary(self, obj):
        if obj is None or obj.pk is None or obj.status == S.DRAFT:
            return _("发出后显示收集情况。")
        url = reverse("admin:consultations_consultation_compilation", args=[obj.pk])
        return format_html(
            '{} <a href="{}">{}</a>',
            _("%(a)s位委员已反馈意见，共征求%(n)s位。")
            % {"a": obj.answer_count, "n": obj.recipient_count},
            url,
            _("按问题查看意见"),
        )

    # --- The compilation page ------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/compilation/",
                self.admin_site.admin_view(self.compilation_view),
                name="{}_{}_compilation".format(*info),
            ),
            *super().get_urls(),
        ]

    def compilation_view(self, request, object_id):
        """The answers grouped by question, with the choice items' counts."""
        consultation = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, consultation):
            raise PermissionDenied
        can_mark = self.has_change_permission(request, consultation) and (
            self.action_table.refusal(consultation, Actor.staff(request.user), "mark") is None
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": consultation,
            "title": _("意见汇总：%(title)s") % {"title": consultation.title},
            "c": compilation(consultation),
            "outcomes": dict(Answer.Outcome.choices),
            "can_mark": can_mark,
            "mark_url": reverse(
                "admin:consultations_consultation_step", args=[consultation.pk, "mark"]
            ),
            "marks": AnswerItem.Mark.choices,
        }
        return TemplateResponse(
            request, "admin/consultations/consultation/compilation.html", context
        )
