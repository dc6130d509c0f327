from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.deletion import get_candidate_relations_to_delete
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from . import imports, roles, spreadsheets
from . import messages as message_registry
from .admin_lists import BoundedCountMixin
from .jobs import live_progress
from .models import CalendarDay, City, District, HandlingUnit, Job, Notification, Office, User
from .scoping import (
    default_office,
    district_of,
    has_districts,
    is_single_office,
    scope_queryset,
    sees_all_offices,
    sees_many_offices,
    visible_offices,
)
from .selectors import search_outbox, sms_kinds_without_template
from .services import (
    UNIT_CONTACT_FIELDS,
    calendar_day_save,
    calendar_days_delete,
    notify_unit_contact_changed,
)
from .sms import NO_TEMPLATE
from .workflow import WorkflowError


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on a record's page but changed through its actions (assignments,
    replies, the concerns a visit collected …). ``related``: what each row shows of other
    tables, fetched with the rows, so the page costs the same whatever their number."""

    extra = 0
    can_delete = False
    related: tuple = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KeepSavedChoiceForm(forms.ModelForm):
    """An inline row whose saved rows show their ``fixed_field`` (a member, say) by
    name, read from the row's own join; only a new row searches (an autocomplete
    widget would query once per saved row). Changing it is removing the row and adding
    another, so nothing is lost. The inline selects ``fixed_field`` with its rows."""

    fixed_field = "member"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            value = getattr(self.instance, self.fixed_field)
            field = self.fields[self.fixed_field]
            field.disabled = True
            field.widget = forms.Select(choices=[(value.pk, str(value))])


class SharedChoicesFormSet(BaseInlineFormSet):
    """An inline whose rows each offer the same choices (the office's staff, say): the
    choices are read once for the formset, not once per row and again for the blank
    row. ``shared_choice_fields`` names them."""

    shared_choice_fields: tuple = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        cache = self.__dict__.setdefault("_shared_choices", {})
        for name in self.shared_choice_fields:
            field = form.fields.get(name)
            if field is None or field.disabled:
                continue
            if name not in cache:
                cache[name] = list(field.choices)
            field.choices = cache[name]
            inner = getattr(field.widget, "widget", None)  # the admin's "+" wrapper
            if inner is not None:
                inner.choices = cache[name]


def deletion_summary(model_admin, objs, request):
    """What the delete confirmation shows: the records themselves and, for what goes
    with them, a count per kind — not one line per related row, which costs queries
    in proportion to them (an activity's hundreds of invitations). Same return value as
    ``ModelAdmin.get_deleted_objects``; permissions are the account's model permissions."""
    collector = NestedObjects(using=router.db_for_write(model_admin.model))
    collector.collect(objs)
    model_count = {
        model._meta.verbose_name_plural: len(rows) for model, rows in collector.model_objs.items()
    }
    perms_needed = {
        model._meta.verbose_name
        for model in collector.model_objs
        if model_admin.admin_site.is_registered(model)
        and not request.user.has_perm(f"{model._meta.app_label}.delete_{model._meta.model_name}")
    }
    # The records chosen are asked one by one (a district-shared unit is not office
    # staff's to delete, though they may delete units).
    if any(not model_admin.has_delete_permission(request, obj) for obj in objs):
        perms_needed.add(model_admin.model._meta.verbose_name)
    protected = sorted({f"{obj._meta.verbose_name_plural}" for obj in collector.protected})
    return [str(obj) for obj in objs], model_count, perms_needed, protected


class _CountOf(models.Subquery):
    """The number of rows a subquery returns, as one column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = models.IntegerField()


# What each use of a lookup is called in the sentence that refuses its deletion
# ("仍有1,234名委员属于该界别"), by "app_label.model_name.field_name" of the row that uses
# it (for a many-to-many link: the model and field that declare it). %(target)s is 该界别
# or 所选界别. A use not named here is listed by its model's name.
IN_USE_PHRASES = {
    "liaison.user.office": _("仍有%(n)s个账号属于%(target)s"),
    "liaison.user.groups": _("仍有%(n)s个账号属于%(target)s"),
    "liaison.handlingunit.office": _("仍有%(n)s个承办单位属于%(target)s"),
    "members.member.term": _("仍有%(n)s名委员属于%(target)s"),
    "members.member.office": _("仍有%(n)s名委员属于%(target)s"),
    "members.member.sector": _("仍有%(n)s名委员属于%(target)s"),
    "members.member.affiliation": _("仍有%(n)s名委员属于%(target)s"),
    "members.studymaterial.term": _("仍有%(n)s份参阅资料属于%(target)s"),
    "members.studymaterial.office": _("仍有%(n)s份参阅资料属于%(target)s"),
    "members.studymaterial.sectors": _("仍有%(n)s份参阅资料发给%(target)s"),
    "members.pointentry.rule": _("仍有%(n)s条积分记录按%(target)s计分"),
    "proposals.proposal.term": _("仍有%(n)s件提案属于%(target)s"),
    "proposals.proposal.office": _("仍有%(n)s件提案属于%(target)s"),
    "proposals.proposal.category": _("仍有%(n)s件提案属于%(target)s"),
    "proposals.proposal.suggested_lead_unit": _("仍有%(n)s件提案建议由%(target)s主办"),
    "proposals.proposal.suggested_co_units": _("仍有%(n)s件提案建议由%(target)s会办"),
    "proposals.assignment.unit": _("仍有%(n)s件提案交由%(target)s办理"),
    "visits.concern.unit": _("仍有%(n)s条意见建议交由%(target)s办理"),
    "visits.concern.office": _("仍有%(n)s条意见建议属于%(target)s"),
    "visits.visit.office": _("仍有%(n)s次走访属于%(target)s"),
    "briefings.activity.office": _("仍有%(n)s场活动属于%(target)s"),
    "briefings.activity.co_offices": _("仍有%(n)s场活动由%(target)s协办"),
    "consultations.consultation.sectors": _("仍有%(n)s次征求意见面向%(target)s"),
}
IN_USE_FALLBACK = _("仍有%(n)s条“%(kind)s”记录属于%(target)s")


def _relations(model, path, depth):
    """(path from the related model back to the rows deleted, relation, blocks) for every
    relation a delete would touch; what is deleted with the rows is followed further
    (Django's Collector, counted rather than fetched)."""
    for rel in get_candidate_relations_to_delete(model._meta):
        related = rel.related_model
        lookup = f"{rel.field.name}__{path}" if path else rel.field.name
        on_delete = rel.on_delete
        if on_delete is models.DO_NOTHING:
            continue  # history rows keep the old value, as they should
        if related._meta.auto_created:
            # A many-to-many link: the model declaring the field uses these rows (a
            # user's groups); links the rows declare themselves (a group's
            # permissions) go with them.
            if related._meta.auto_created is not model:
                yield lookup, rel, depth == 0
            continue
        if on_delete is models.CASCADE:
            yield lookup, rel, False
            if depth < 2:
                yield from _relations(related, lookup, depth + 1)
        else:
            # PROTECT and RESTRICT refuse; for the rows chosen themselves SET_NULL and
            # SET_DEFAULT would silently change the records using them (a proposal's
            # suggested unit), so they refuse too.
            blocks = on_delete in (models.PROTECT, models.RESTRICT) or depth == 0
            yield lookup, rel, blocks


def _relation_counts(model, pks: list, relations: list) -> dict[int, int]:
    """How many rows each of ``relations`` (``_relations``) holds for the rows ``pks``
    of ``model``, by the relation's index: one query, no related row fetched."""
    if not pks or not relations:
        return {}
    columns = {}
    for i, (lookup, rel, _blocks) in enumerate(relations):
        related = rel.related_model
        rows = related._base_manager.filter(**{f"{lookup}__in": pks}).order_by()
        if related._meta.auto_created:
            # Count the records linked, once each, however many of the chosen rows
            # they link to.
            other = next(
                f.name for f in related._meta.fields if f.is_relation and f.name != rel.field.name
            )
            rows = rows.values(other).distinct()
        else:
            rows = rows.values("pk")
        columns[f"n{i}"] = _CountOf(rows)
    values = model._base_manager.filter(pk=pks[0]).annotate(**columns).values_list(*columns)
    return dict(zip(range(len(relations)), values.get(), strict=True))


def counted_deletion_summary(model_admin, objs, request):
    """``deletion_summary`` for a record whose related rows run to thousands (a draft
    activity's invitations): what goes with it counted per kind, relation by relation
    two levels deep (``_relations``), in one query, none fetched — the page costs the
    same with 20 invitees or 5,000. A PROTECT or RESTRICT relation holding rows refuses
    the deletion, as Django's collector would; SET_NULL only clears a link. Use it where
    the model's relations are no deeper than that."""
    objs = list(objs)
    opts = model_admin.model._meta
    relations = list(_relations(model_admin.model, "", 0))
    counts = _relation_counts(model_admin.model, [obj.pk for obj in objs], relations)
    model_count, perms_needed, protected = {opts.verbose_name_plural: len(objs)}, set(), set()
    for i, (_lookup, rel, _blocks) in enumerate(relations):
        related = rel.related_model
        if not counts.get(i) or related._meta.auto_created:
            continue  # a many-to-many link goes with the rows
        if rel.on_delete in (models.PROTECT, models.RESTRICT):
            protected.add(str(related._meta.verbose_name_plural))
        elif rel.on_delete is models.CASCADE:
            name = related._meta.verbose_name_plural
            model_count[name] = model_count.get(name, 0) + counts[i]
            if model_admin.admin_site.is_registered(related) and not request.user.has_perm(
                f"{related._meta.app_label}.delete_{related._meta.model_name}"
            ):
                perms_needed.add(related._meta.verbose_name)
    if any(not model_admin.has_delete_permission(request, obj) for obj in objs):
        perms_needed.add(opts.verbose_name)
    return [str(obj) for obj in objs], model_count, perms_needed, sorted(protected)


def in_use_summary(model_admin, objs, request):
    """The delete confirmation of a lookup or setting (a term, a sector, an office, a
    unit …): a lookup still in use is not deleted — the page says what uses it, one
    sentence per kind of record, and the form is not shown (Django's delete view and
    bulk action then delete nothing, also on POST). Otherwise it counts what goes with
    it. Every relation is counted in one query, no related row fetched: the page costs
    the same with 50 members or 50,000. Same return value as
    ``ModelAdmin.get_deleted_objects``."""
    objs = list(objs)
    model = model_admin.model
    opts = model._meta
    relations = list(_relations(model, "", 0))
    counts = _relation_counts(model, [obj.pk for obj in objs], relations)
    target = (gettext("该%(kind)s") if len(objs) == 1 else gettext("所选%(kind)s")) % {
        "kind": opts.verbose_name
    }
    protected, model_count, perms_needed = InUse(), {opts.verbose_name_plural: len(objs)}, set()
    if any(f.name == "is_active" for f in opts.fields):
        protected.closing = gettext("不能删除；如不再使用，可停用（取消勾选“启用”）。")
    for i, (_lookup, rel, blocks) in enumerate(relations):
        n = counts.get(i, 0)
        if not n:
            continue
        related = rel.related_model
        if related._meta.auto_created:
            user = related._meta.auto_created
            field = next(f for f in user._meta.many_to_many if f.remote_field.through is related)
            key = f"{user._meta.label_lower}.{field.name}"
            related = user
        else:
            key = f"{related._meta.label_lower}.{rel.field.name}"
        if blocks:
            phrase = IN_USE_PHRASES.get(key, IN_USE_FALLBACK)
            protected.append(
                phrase
                % {
                    "n": number_format(n, force_grouping=True),
                    "target": target,
                    "kind": related._meta.verbose_name,
                }
            )
            continue
        name = related._meta.verbose_name_plural
        model_count[name] = model_count.get(name, 0) + n
        if model_admin.admin_site.is_registered(related) and not request.user.has_perm(
            f"{related._meta.app_label}.delete_{related._meta.model_name}"
        ):
            perms_needed.add(related._meta.verbose_name)
    if protected:
        # Nothing is deleted: what uses it is the answer, not which rows going with it
        # the account may not delete (an office's outbox).
        perms_needed = set()
    if any(not model_admin.has_delete_permission(request, obj) for obj in objs):
        perms_needed.add(opts.verbose_name)
    return [str(obj) for obj in objs], model_count, perms_needed, protected


class InUse(list):
    """The sentences saying what uses the rows, and the one closing them."""

    closing = _("不能删除。")


class InUseDeleteMixin:
    """Lookups and settings (terms, sectors, categories, offices, units, groups): the
    delete confirmation counts what uses them and refuses while anything does
    (``in_use_summary``). Put it before the ModelAdmin in the bases."""

    delete_confirmation_template = "admin/in_use_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/in_use_delete_selected_confirmation.html"

    def get_deleted_objects(self, objs, request):
        return in_use_summary(self, objs, request)


class DistrictSharedAdmin(InUseDeleteMixin, admin.ModelAdmin):
    """Rows every office shares (no office of their own: terms, sectors, categories …):
    the staff who see every office keep them (the district's, or in a city the city's);
    office staff and a district's staff in a city see them and pick them in forms, but a
    change by one of them would change every office's records."""

    def has_add_permission(self, request):
        return sees_all_offices(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return sees_all_offices(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return sees_all_offices(request.user) and super().has_delete_permission(request, obj)


class LookupAdmin(DistrictSharedAdmin):
    """The editable lists the district keeps in order (sectors, categories …;
    models.Lookup)."""

    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)


class OfficeScopedAdmin(SimpleHistoryAdmin):
    """Base for every admin of an office-owned record.

    Staff see and edit only their office's rows; another office's id in the URL is a 404,
    as is its history. In a single-office installation the office never appears.
    ``office_field`` is the path to the owning office; ``shared_office_rows`` also shows
    district-wide rows (office left empty).
    """

    office_field = "office"
    shared_office_rows = False
    # "保存并新增下一条" only where records are typed in series; an office's records
    # (a member, a proposal, an activity) are added one at a time, and the button next to
    # 保存 is one more thing to press by mistake. Lookups and calendar days keep it.
    add_in_series = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return scope_queryset(qs, request.user, self.office_field, self.shared_office_rows)

    # What the change page shows of other tables (its read-only foreign keys), fetched
    # with the record.
    object_related: tuple = ()

    def get_object(self, request, object_id, from_field=None):
        # A change page asks for its record more than once (the workflow buttons, the
        # page's own hooks, Django's form view): a GET reads it once. A POST reads it
        # afresh each time, as the form it saves must.
        memo = None
        if request.method in ("GET", "HEAD"):
            memo = request.__dict__.setdefault("_admin_objects", {})
            key = (self.model, str(object_id), from_field)
            if key in memo:
                return memo[key]
        obj = self._get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("没有找到该记录，或您无权查看。"))
        # The admin's own pages check this after get_object; the extra pages (plan
        # progress, document download …) rely on it here. An account marked staff but
        # holding no role must not open a record by its URL.
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if memo is not None:
            memo[key] = obj
        return obj

    def _get_object(self, request, object_id, from_field=None):
        """ModelAdmin.get_object, with ``object_related`` selected."""
        if not self.object_related:
            return super().get_object(request, object_id, from_field)
        queryset = self.get_queryset(request).select_related(*self.object_related)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    def render_change_form(self, request, context, *args, **kwargs):
        context.setdefault("show_save_and_add_another", self.add_in_series)
        return super().render_change_form(request, context, *args, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            # System-written records (documents, the outbox) keep no history table:
            # their page lists the admin's own log, as Django's admin does.
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        return deletion_summary(self, objs, request)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            raise Http404(_("此类记录不保存历史版本。"))
        # simple-history saves a POST to this page (the "revert" button) after checking
        # only view *or* change permission: someone who may only view the record (a
        # district-shared handling unit, for office staff) could otherwise write it here.
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _shows_office(self, request) -> bool:
        return sees_many_offices(request.user) and not is_single_office(request)

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if not self._shows_office(request):
            display = [f for f in display if f != self.office_field]
        return display

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self._shows_office(request) and self.office_field not in filters:
            filters.insert(0, self.office_field)
        return filters

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self.office_field == "office" and not self._shows_office(request):
            exclude.append("office")
        return exclude

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.office_field == "office" and not self._shows_office(request):
            fieldsets = [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "office"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Office:
            kwargs["queryset"] = scope_queryset(Office.objects.all(), request.user, "id")
        elif any(f.name == "office" for f in related._meta.get_fields()):
            shared = related is HandlingUnit
            kwargs["queryset"] = scope_queryset(
                related._default_manager.all(), request.user, "office", shared
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Only a new record takes the user's office; a save never moves an existing one
        # (a district-shared row, office empty, would otherwise become this office's).
        if not change and self.office_field == "office" and not getattr(obj, "office_id", None):
            obj.office = default_office(request)
        super().save_model(request, obj, form, change)


class BoundedImportMixin(ImportMixin):
    """Every admin import (django-import-export) reads its file through liaison.imports:
    only its bounded formats are offered, an upload over the size limit is refused
    before it is read, and a file that cannot be read gets its Chinese reason.
    tests/liaison/test_imports.py checks that every admin with an import uses this."""

    import_formats = imports.IMPORT_FORMATS
    import_form_class = imports.BoundedImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, imports.UnreadableFileError):
            message = str(e)
        else:
            message = gettext("无法读取该文件，请确认“格式”与文件类型一致（.xlsx 或 .csv）。")
        form.add_error("import_file", message)


class SafeExportMixin:
    """Exports only in liaison.spreadsheets' formats, where text a member typed can never
    become a formula (issue 12); dates and numbers go into Excel as dates and numbers."""

    export_formats = spreadsheets.EXPORT_FORMATS

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        native = isinstance(file_format, base_formats.XLSX)
        data = self.get_data_for_export(request, queryset, force_native_type=native, **kwargs)
        return file_format.export_data(data)


class OfficeFileExportMixin(SafeExportMixin):
    """Exports with a Chinese file name, sent the way browsers expect non-ASCII names
    (RFC 6266 ``filename*``; a raw Chinese name would not fit the HTTP header)."""

    export_file_stem = ""
    # The export button downloads the filtered changelist as .xlsx straight away.
    skip_export_form = True
    export_formats = [spreadsheets.XLSX]

    def get_export_filename(self, request, queryset, file_format):
        return f"export.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form)
        filename = (
            f"{self.export_file_stem}-{timezone.localdate():%Y%m%d}.{file_format.get_extension()}"
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(City)
class CityAdmin(DistrictSharedAdmin, SimpleHistoryAdmin):
    """The city above the districts (a city installation only)."""

    list_display = ("name",)
    search_fields = ("name",)


@admin.register(District)
class DistrictAdmin(DistrictSharedAdmin, SimpleHistoryAdmin):
    """The districts and their offices; their staff are bound to one on their account."""

    list_display = ("name", "city")
    list_select_related = ("city",)
    search_fields = ("name",)


@admin.register(Office)
class OfficeAdmin(InUseDeleteMixin, OfficeScopedAdmin):
    office_field = "id"
    list_display = ("code", "name", "street", "district", "phone")
    list_select_related = ("district",)
    search_fields = ("code", "name", "street")

    def get_queryset(self, request):
        return scope_queryset(Office.objects.all(), request.user, "id")

    def _shows_office(self, request):
        return False

    def get_list_display(self, request):
        display = super().get_list_display(request)
        return display if has_districts(request) else [f for f in display if f != "district"]

    def get_list_filter(self, request):
        return ("district",) if has_districts(request) and sees_all_offices(request.user) else ()

    def get_readonly_fields(self, request, obj=None):
        # A district's staff keep their district's offices; moving one to another
        # district is the city's.
        readonly = list(super().get_readonly_fields(request, obj))
        if not sees_all_offices(request.user):
            readonly.append("district")
        return readonly

    def save_model(self, request, obj, form, change):
        if not change and district_of(request.user) is not None:
            obj.district_id = district_of(request.user)
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "office", "email", "is_staff", "is_active")
    list_select_related = ("office",)
    list_filter = ("is_staff", "is_active", "groups", "office")
    search_fields = ("username", "full_name", "email", "phone")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("联络处"), {"fields": ("full_name", "office", "district", "phone")}),
    )

    def get_queryset(self, request):
        # A district's staff manage the accounts of their district: its offices' and
        # its own; the city's (or a one-district installation's) staff every account.
        qs = super().get_queryset(request)
        district = district_of(request.user)
        if sees_all_offices(request.user) or district is None:
            return qs
        return qs.filter(Q(office__district_id=district) | Q(district_id=district))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("没有找到该记录，或您无权查看。"))
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office":
            kwargs["queryset"] = visible_offices(request.user)
        elif db_field.name == "district":
            district = district_of(request.user)
            districts = District.objects.all()
            kwargs["queryset"] = districts if district is None else districts.filter(pk=district)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or has_districts(request):
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f != "district"]})
            for name, opts in fieldsets
        ]

    # What makes an account powerful. Only a superuser grants these, and nobody changes
    # their own (a district staff account could otherwise tick is_superuser on itself).
    role_fields = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser or (obj is not None and obj.pk == request.user.pk):
            readonly += [f for f in self.role_fields if f not in readonly]
        if obj is not None and obj.pk == request.user.pk and "is_active" not in readonly:
            readonly.append("is_active")
        return readonly

    def _guards_superuser(self, request, obj) -> bool:
        # Changing a superuser's password, e-mail or name is taking over that account.
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._guards_superuser(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._guards_superuser(request, obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(HandlingUnit)
class HandlingUnitAdmin(InUseDeleteMixin, OfficeScopedAdmin):
    """Units of the user's office and the district-shared ones (office empty).

    Office staff pick shared units in forms and may open them, but only district staff
    change or delete them: a shared unit's address receives every office's signed
    links. A unit's office is set when it is created and never by a later save. A
    change of contact e-mail or phone is kept in the unit's history and announced to
    district staff.
    """

    shared_office_rows = True
    list_display = ("name", "kind", "office", "contact_person", "phone", "email", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("office",)
    search_fields = ("name", "contact_person")

    def get_list_display(self, request):
        display = list(super().get_list_display(request))
        if has_districts(request) and sees_many_offices(request.user):
            display.insert(display.index("office") if "office" in display else 2, "district")
        return display

    def get_exclude(self, request, obj=None):
        # Which district shares a unit is the city's to say (a district's staff create
        # their district's; office staff their office's).
        exclude = super().get_exclude(request, obj)
        if not (has_districts(request) and sees_all_offices(request.user)):
            exclude = [*exclude, "district"]
        return exclude

    def _district_only(self, request, obj) -> bool:
        """A unit shared above the office: the city's staff keep it, and a district's
        staff their district's."""
        if obj is None or obj.office_id is not None or sees_all_offices(request.user):
            return False
        district = district_of(request.user)
        return district is None or obj.district_id != district

    def has_change_permission(self, request, obj=None):
        if self._district_only(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._district_only(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        district = district_of(request.user)
        if not change and district is not None:
            # A district's staff create units of their offices or, office left empty,
            # shared by their district.
            obj.district_id = district if obj.office_id is None else obj.office.district_id
        elif not change and not sees_all_offices(request.user):
            # Office staff create units of their own office, whatever was posted.
            obj.office = default_office(request)
        before = {
            field: form.initial.get(field, "")
            for field in UNIT_CONTACT_FIELDS
            if change and field in form.changed_data
        }
        # District staff's blank office means shared: not filled in (super() would).
        super(OfficeScopedAdmin, self).save_model(request, obj, form, change)
        if before:
            notify_unit_contact_changed(unit=obj, actor=request.user, before=before)


@admin.register(CalendarDay)
class CalendarDayAdmin(DistrictSharedAdmin, SimpleHistoryAdmin):
    """The working-day calendar is the district's: one office's change would move every
    office's deadlines. Saving or deleting days goes through the calendar services, which
    move the open deadlines counted over them."""

    list_display = ("date", "weekday", "is_working_day", "name")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("date") if change and "date" in form.changed_data else None
        moved = calendar_day_save(actor=request.user, day=obj, previous_date=previous)
        self._report_moved(request, moved)

    def delete_model(self, request, obj):
        self._report_moved(request, calendar_days_delete(actor=request.user, days=[obj]))

    def delete_queryset(self, request, queryset):
        self._report_moved(request, calendar_days_delete(actor=request.user, days=queryset))

    def _report_moved(self, request, moved: int):
        if moved:
            self.message_user(
                request, _("已按新的工作日历重新计算 %(n)s 项办理期限。") % {"n": moved}
            )


class NotificationKindFilter(admin.SimpleListFilter):
    """The kinds of message, from the registry of kinds (liaison.messages)."""

    title = _("类型")
    parameter_name = "kind__exact"

    def lookups(self, request, model_admin):
        kinds = {k.kind: k.description for k in message_registry.all_kinds()}
        return sorted(kinds.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class GatewayErrorFilter(admin.SimpleListFilter):
    """What the SMS gateway answered: no template for the kind, or another refusal."""

    title = _("网关错误")
    parameter_name = "error_code"  # the SMS template panel links here with no_template

    def lookups(self, request, model_admin):
        return (("no_template", _("没有短信模板")), ("other", _("其他错误")))

    def queryset(self, request, queryset):
        if self.value() == "no_template":
            return queryset.filter(error_code=NO_TEMPLATE)
        if self.value() == "other":
            return queryset.exclude(error_code="").exclude(error_code=NO_TEMPLATE)
        return queryset


@admin.register(Notification)
class NotificationAdmin(BoundedCountMixin, OfficeScopedAdmin):
    list_display = (
        "created_at",
        "channel",
        "kind",
        "recipient",
        "address",
        "subject",
        "status",
        "attempts",
        "sent_at",
    )
    # Every filter's choices are known without reading the outbox (a list of the kinds
    # or error codes it holds, or a date hierarchy, reads every row of it); the count
    # is bounded, and the rows come newest first along outbox_newest_idx.
    list_filter = ("status", "channel", NotificationKindFilter, GatewayErrorFilter, "created_at")
    list_select_related = ("recipient",)
    search_fields = ("subject", "address", "dedupe_key")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def changelist_view(self, request, extra_context=None):
        kinds = sms_kinds_without_template(request.user)
        if kinds and request.method == "GET":
            messages.warning(
                request,
                _("短信网关没有以下消息类型的模板，这些短信已改为站内消息：%(kinds)s")
                % {"kinds": "、".join(kind["kind"] for kind in kinds)},
            )
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # Subject anywhere, address and key from the start: each an index lookup
        # (liaison.selectors.search_outbox), not a scan of the outbox.
        return search_outbox(queryset, search_term), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(OfficeScopedAdmin):
    """Jobs done by the worker (liaison.jobs). A job's page is its progress bar while it
    works and its result once done; nothing here is edited."""

    list_display = ("title", "status", "progress_display", "actor", "created_at", "office")
    list_filter = ("status",)
    list_select_related = ("actor", "office")
    date_hierarchy = "created_at"
    change_form_template = "admin/liaison/job/change_form.html"
    view_on_site = False  # the job's URL is this page
    fields = ("title", "status", "actor", "created_at", "started_at", "finished_at")
    readonly_fields = fields

    def get_queryset(self, request):
        # A finished import's result lists every row of its file: read only on its page.
        return super().get_queryset(request).defer("result", "params")

    @admin.display(description=_("进度"))
    def progress_display(self, obj):
        done, _beat = live_progress(obj)
        return f"{done} / {obj.total}" if obj.total else done

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            done, _beat = live_progress(obj)
            context["job_done"] = done
            context["job_percent"] = min(100, done * 100 // obj.total) if obj.total else 0
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class CreateThroughServiceMixin:
    """The admin's add page creates the record through the app's create service, the
    same one the portal, imports and tasks call (one write path). Subclasses define
    ``create_through_service(request, data, office)``.

    The form validates by asking the service to create (in a savepoint): a refusal (a
    ``WorkflowError``) becomes the form's error with what was typed kept, and nothing
    is written. The created row then stands in for the form's instance, so the inlines
    (a plan's items) are saved against it. If anything else on the page is invalid,
    the whole add is rolled back and the page shown again."""

    # Child rows typed on the add page (a plan's items) are saved with the new record;
    # False where children have services of their own (a proposal's co-signers).
    inlines_on_add = True

    def get_inlines(self, request, obj):
        if obj is None and not self.inlines_on_add:
            return []
        return super().get_inlines(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None or request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if response.status_code != 302:  # shown again with errors: keep nothing
                transaction.set_rollback(True)
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form
        model_admin = self

        class CreateForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                office = self.cleaned_data.get("office") or default_office(request)
                try:
                    with transaction.atomic():
                        created = model_admin.create_through_service(
                            request, self.cleaned_data, office
                        )
                except WorkflowError as error:
                    self.add_error(None, str(error))
                    return
                # The inline formsets hold this very instance: give it the new row.
                for field in created._meta.concrete_fields:
                    setattr(self.instance, field.attname, getattr(created, field.attname))
                self.instance._state.adding = False
                self.instance._state.db = created._state.db

        return CreateForm

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # else: the create service saved it while the form was validated.

    def save_related(self, request, form, formsets, change):
        if change:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:  # the row's own fields came from the service
            self.save_formset(request, form, formset, change=False)


# Roles (django.contrib.auth's groups): one still held by an account is not deleted.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(InUseDeleteMixin, DjangoGroupAdmin):
    def has_delete_permission(self, request, obj=None):
        # The roles the system is built on (liaison.roles) are never deleted: every
        # account's access follows from them.
        if obj is not None and obj.name in roles.ROLES:
            return False
        return super().has_delete_permission(request, obj)
