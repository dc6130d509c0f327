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
