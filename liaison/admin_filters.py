"""List filters several areas share: the year (defaulting to this one), overdue, and
the handling unit."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .limits import year_param
from .models import HandlingUnit, today
from .scoping import scope_queryset


class CurrentYearFilter(admin.SimpleListFilter):
    """Defaults to the current year: the office works one year at a time. Subclasses
    name the field (``lookup``) or override ``condition``."""

    title = _("年度")
    parameter_name = "year"
    lookup = "year"

    def lookups(self, request, model_admin):
        this_year = today().year
        return [
            ("all", _("全部")),
            *((str(y), str(y)) for y in range(this_year, this_year - 5, -1)),
        ]

    def choices(self, changelist):
        value = self.value() or str(today().year)
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def condition(self, year: int) -> Q:
        return Q(**{self.lookup: year})

    def queryset(self, request, queryset):
        value = self.value() or str(today().year)
        if value == "all":
            return queryset
        year = year_param(value)
        # A year outside 1900–2100 would fail later, when the lookup's bounds are built.
        return queryset if year is None else queryset.filter(self.condition(year))


class OverdueFilter(admin.SimpleListFilter):
    """Subclasses say what overdue means for their records (``overdue``)."""

    title = _("是否逾期")
    parameter_name = "overdue"

    def overdue(self) -> Q:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期")), ("no", _("未逾期"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.overdue())
        if self.value() == "no":
            return queryset.exclude(self.overdue())
        return queryset


class HandlingUnitFilter(admin.SimpleListFilter):
    """The units the user may see (their office's and the district-wide ones)."""

    title = _("承办单位")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        units = scope_queryset(HandlingUnit.objects.all(), request.user, "office", shared=True)
        return [(str(u.pk), u.name) for u in units]

    def condition(self, unit_id) -> Q:
        return Q(unit_id=unit_id)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(self.condition(self.value())).distinct()
        return queryset


class RecentYearsFilter(admin.SimpleListFilter):
    """The last five years, offered without reading the table (Django's filter on a
    year field lists its distinct values, a read of every row); no default. Subclasses
    name the field (``parameter_name``, also the URL's ``?year=2025``)."""

    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        this_year = today().year
        return [(str(y), str(y)) for y in range(this_year, this_year - 5, -1)]

    def queryset(self, request, queryset):
        value = year_param(self.value())
        return queryset.filter(**{self.parameter_name: value}) if value else queryset
