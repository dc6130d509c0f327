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
