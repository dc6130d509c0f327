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
    """One line of the staff member's to-dos on the admin index: how many records wait
    for this step, linked to the list filtered to them. ``urgent``: late (first, in red)."""

    label: str
    count: int
    url: str
    urgent: bool = False


_todos: list[Callable] = []


def todos(build: Callable) -> Callable:
    """``build(request, offices) -> list[Todo]``: an app's to-dos for the staff member,
    over the offices they see; one query per app, whatever the number of records."""
    if build not in _todos:
        _todos.append(build)
    return build


def todos_for(request, offices) -> list[Todo]:
    items = [item for build in _todos for item in build(request, offices) if item.count]
    return sorted(items, key=lambda item: not item.urgent)
