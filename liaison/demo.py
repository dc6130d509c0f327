"""Demo data is seeded area by area. The roster (members.demo) comes first and creates
the offices; each later area registers a part here from its AppConfig.ready(), so the
seed_demo command seeds and resets every area without the roster app importing the apps
that depend on it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPart:
    name: str
    order: int  # seeded in this order, reset in the reverse
    seed: Callable  # seed(*, offices, today, rng, actor) -> dict of counts
    reset: Callable | None = None  # reset(*, offices) -> None


_parts: dict[str, DemoPart] = {}


def register(part: DemoPart) -> None:
    _parts[part.name] = part


def parts() -> list[DemoPart]:
    return sorted(_parts.values(), key=lambda part: part.order)


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load. Fresh tables have none
    until autovacuum gets to them, and queries planned blind over tens of thousands of
    rows took seconds each; SQLite needs nothing."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_parts(*, offices, today, actor, seed: int, log=None) -> None:
    """Seed every registered area in order (after the roster), each with its own random
    stream, refreshing the planner statistics before each: later areas query what
    earlier ones loaded."""
    import random

    for index, part in enumerate(parts(), start=1):
        counts = part.seed(
            offices=offices, today=today, rng=random.Random(seed + index), actor=actor
        )
        analyze()
        if log is not None:
            log(f"  {part.name}：" + "，".join(f"{name} {count}" for name, count in counts.items()))
