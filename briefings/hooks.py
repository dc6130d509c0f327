"""What other apps do when an activity's opinion is recorded, without briefings
importing them (they depend on briefings, not the other way round): consultations
register in their AppConfig.ready() so that a 协商议事 meeting's opinions flow into the
consultation that names it. Called by the opinion services inside their transaction."""

from collections.abc import Callable

_opinion_recorded: list[Callable] = []


def on_opinion_recorded(listener: Callable) -> Callable:
    """``listener(opinion)``, run after each opinion recorded at an activity."""
    if listener not in _opinion_recorded:
        _opinion_recorded.append(listener)
    return listener


def opinion_recorded(opinion) -> None:
    for listener in _opinion_recorded:
        listener(opinion)
