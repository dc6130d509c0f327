"""Panels on the admin index. Apps register a panel in their AppConfig.ready(); the admin
site (liaison) draws them without importing the apps, which depend on liaison, not the
other way round."""

from collections.abc import Callable
from dataclasses import dataclass, field


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
