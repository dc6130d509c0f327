"""Panels on the admin index. Apps register a panel in their AppConfig.ready(); the admin
site (liaison) draws them without importing the apps, which depend on liaison, not the
other way round."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    wide: bool = False  # across the whole width of the workbench


_panels: list[Callable] = []


def register(build: Callable) -> Callable:
    """``build(request) -> Panel | None``; None hides the panel for that user."""
    if build not in _panels:
        _panels.append(build)
    return build


def panels_for(request) -> list[Panel]:
    built = [build(request) for build in _panels]
    return sorted((p for p in built if p is not None), key=lambda p: p.order)


@dataclass
class Todo:
    """One kind of the staff member's to-dos on the admin index: how many records wait
    for this step in each office (``by_office``: office id → count), linked to the list
    filtered to them (``url``; ``office_param`` narrows it to one office). ``urgent``:
    late (first, in red)."""

    label: str
    by_office: dict
    url: str
    urgent: bool = False
    office_param: str = "office__id__exact"

    @property
    def count(self) -> int:
        return sum(self.by_office.values())

    def url_for(self, office_id) -> str:
        return f"{self.url}&{self.office_param}={office_id}"


def counts_by_office(queryset, office_field: str = "office", **aggregates) -> dict:
    """``aggregates`` (name → Count(…, filter=…)) for each office, in one grouped query:
    {name: {office id: n}} (offices with nothing left out)."""
    rows = queryset.order_by().values(office_field).annotate(**aggregates)
    counts: dict = {name: {} for name in aggregates}
    for row in rows:
        for name in aggregates:
            if row[name]:
                counts[name][row[office_field]] = row[name]
    return counts


_todos: list[Callable] = []


def todos(build: Callable) -> Callable:
    """``build(request, offices) -> list[Todo]``: an app's to-dos for the staff member,
    per office they see; one query per area, whatever the number of records or offices."""
    if build not in _todos:
        _todos.append(build)
    return build


def todos_for(request, offices) -> list[Todo]:
    """Every kind with something waiting, late ones first."""
    items = [item for build in _todos for item in build(request, offices) if item.count]
    return sorted(items, key=lambda item: not item.urgent)


def todos_per_office(todos_list: list[Todo], offices) -> list[dict]:
    """One row per office, one cell per kind of ``todos_list`` (for district staff):
    {"office", "cells": [(count, url)], "total"}; offices with nothing waiting last."""
    rows = []
    for office in offices:
        cells = [(t.by_office.get(office.pk, 0), t.url_for(office.pk)) for t in todos_list]
        rows.append({"office": office, "cells": cells, "total": sum(n for n, _url in cells)})
    return sorted(rows, key=lambda row: row["total"] == 0)


@dataclass
class DistrictGroup:
    """A district's rows of a per-office table, for the city's staff: the district's
    subtotals (``totals``, one per column summed) above its offices' rows, which show
    only when the district is ``expanded`` (``?district=`` on the page)."""

    district: object  # liaison.District, or None for offices bound to none
    rows: list
    totals: list
    expanded: bool = False

    @property
    def total(self) -> int:
        return sum(self.totals)


def expanded_district(request) -> str:
    """The district whose offices a city-level table shows (``?district=<id>``)."""
    return request.GET.get("district", "")


def district_groups(rows: list, columns, office=lambda row: row["office"], expanded="") -> list:
    """``rows`` (one per office, in their order) grouped by the office's district, in
    the order of the districts' names, each with the sum of every column of
    ``columns(row) -> list of numbers``. Reads ``office.district`` (select it with the
    offices: no query here)."""
    groups: dict = {}
    for row in rows:
        district = office(row).district
        group = groups.get(district)
        if group is None:
            group = groups[district] = DistrictGroup(
                district=district,
                rows=[],
                totals=[0] * len(columns(row)),
                expanded=district is not None and str(district.pk) == expanded,
            )
        group.rows.append(row)
        group.totals = [a + b for a, b in zip(group.totals, columns(row), strict=True)]
    return sorted(groups.values(), key=lambda g: (g.district is None, g.district and g.district.pk))


def panel_offices(request):
    """The offices a per-office panel lists: the user's; for the city's staff, those of
    the district expanded in the to-do table (``None`` until one is: a panel of 150
    offices would bury the workbench). Counted once per request."""
    from .models import District
    from .scoping import shows_districts, visible_offices

    offices = visible_offices(request.user)
    if not shows_districts(request):
        return offices
    if not hasattr(request, "_panel_district"):
        chosen = expanded_district(request)
        request._panel_district = (
            District.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        )
    if request._panel_district is None:
        return None
    return offices.filter(district=request._panel_district)


def panel_title(request, title: str) -> str:
    """``title``, naming the district for the city's staff (see panel_offices)."""
    district = getattr(request, "_panel_district", None)
    if district is None:
        return title
    return _("%(title)s（%(district)s）") % {"title": title, "district": district.name}
