"""The materials library (参阅资料) in the admin: staff publish documents and links to
everyone of the office, a term or some 界别, and see how many members read each and
handed in a reflection (counts kept on the material's row, members.services).
Reflections are read-only: members hand them in from the portal. Imported by
members/admin.py."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liaison.admin import OfficeScopedAdmin
from liaison.admin_filters import RecentYearsFilter
from liaison.admin_lists import BoundedCountMixin
from liaison.models import today
from liaison.widgets import PickList

from .models import StudyMaterial, StudyRead, StudyReflection


class StudyMaterialAdmin(OfficeScopedAdmin):
    list_display = (
        "published_on",
        "title",
        "audience_display",
        "read_count",
        "reflection_count",
        "office",
    )
    list_display_links = ("title",)
    list_select_related = ("office", "term")
    list_filter = ("audience",)
    search_fields = ("title", "summary")
    date_hierarchy = "published_on"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("office", "title", "summary", "file", "url", "published_on")}),
        (_("发布范围"), {"fields": ("audience", "term", "sectors")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sectors")

    def get_changeform_initial_data(self, request):
        return {"published_on": today(), **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"  # a link typed without its scheme
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sectors":
            kwargs["widget"] = PickList
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """The delete page counts a material's read marks rather than listing each (an
        office of thousands may have read it): two queries whatever the number.
        Reflections are the members' own work, which staff may not delete
        (StudyReflectionAdmin): a material with any is refused, as Django would."""
        objs = list(objs)
        read_by = dict(
            StudyRead.objects.filter(material__in=objs)
            .values_list("material")
            .annotate(n=Count("pk"))
            .values_list("material", "n")
        )
        reads = sum(read_by.values())
        reflections = StudyReflection.objects.filter(material__in=objs).count()
        opts = self.model._meta
        to_delete = []
        for obj in objs:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            to_delete.append(
                format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)
            )
            if read_by.get(obj.pk):
                to_delete.append([gettext("阅读记录：%(n)s条") % {"n": read_by[obj.pk]}])
        model_count = {opts.verbose_name_plural: len(objs)}
        if reads:
            model_count[StudyRead._meta.verbose_name_plural] = reads
        perms_needed = {StudyReflection._meta.verbose_name} if reflections else set()
        return to_delete, model_count, perms_needed, []

    @admin.display(description=_("发布范围"))
    def audience_display(self, obj):
        if obj.audience == StudyMaterial.Audience.TERM and obj.term_id:
            return obj.term.name
        if obj.audience == StudyMaterial.Audience.SECTORS:
            return "、".join(sector.name for sector in obj.sectors.all()) or "—"
        return obj.get_audience_display()


class ReflectionYearFilter(RecentYearsFilter):
    parameter_name = "submitted_at__year"


class StudyReflectionAdmin(BoundedCountMixin, OfficeScopedAdmin):
    """Newest first through study_reflection_newest_idx, the count bounded and the years
    offered without reading every row (a district's reflections grow with its members)."""

    office_field = "member__office"
    list_display = ("submitted_at", "member", "material", "member__office")
    list_display_links = ("material",)
    list_select_related = ("member", "member__office", "material")
    list_filter = (ReflectionYearFilter, "material")
    search_fields = ("member__name", "material__title", "text")
    fields = ("member", "material", "text", "file", "submitted_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # members hand them in from the portal

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
