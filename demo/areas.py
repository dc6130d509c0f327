"""The demo's areas, in the order they are seeded (the roster, ``demo.roster``, comes
first and creates the offices). Each later area reads what the earlier ones wrote; they
are reset in the reverse order, so nothing still protects (``on_delete=PROTECT``) the
rows an area deletes."""

import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from .briefings import reset_briefings, seed_briefings
from .consultations import reset_consultations, seed_consultations
from .duties import reset_duties, seed_duties
from .plans import reset_plans, seed_plans
from .proposals import reset_proposals, seed_proposals
from .showcase import reset_showcase, seed_showcase
from .study import reset_study, seed_study
from .visits import reset_visits, seed_visits


@dataclass(frozen=True)
class Area:
    name: str
    seed: Callable  # seed(*, offices, today, rng, actor) -> dict of counts
    reset: Callable  # reset(*, offices) -> None


AREAS = [
    Area("proposals", seed_proposals, reset_proposals),
    # Before visits: the visits reset clears the concerns an opinion may point to, then
    # the briefings reset clears the activities.
    Area("briefings", seed_briefings, reset_briefings),
    Area("visits", seed_visits, reset_visits),
    Area("consultations", seed_consultations, reset_consultations),
    Area("duties", seed_duties, reset_duties),
    # Before plans, which close last year: speeches earn their points in an open year.
    Area("study", seed_study, reset_study),
    # Last: plans and reports read every other area's demo data.
    Area("plans", seed_plans, reset_plans),
    # After plans: the sign-in member's waiting work is the newest, and no figure counts it.
    Area("showcase", seed_showcase, reset_showcase),
]


def analyze(vacuum: bool = False) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load, and with ``vacuum`` its
    visibility map (outside a transaction only), as autovacuum would in time. Fresh tables have
    no statistics until then, and queries planned blind over tens of thousands of rows
    took seconds each; counts read from an index alone (the admin's to-dos) need the
    visibility map. SQLite needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            vacuum = vacuum and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


@contextmanager
def relaxed_commits():
    """Commit without waiting for the write-ahead log to reach the disk while the demo
    is written (PostgreSQL's ``synchronous_commit = off`` for this session only). The
    areas write through durable services, a commit each — tens of thousands at the city
    scale — and on a busy machine each commit waited on the disk. A crash loses at most
    the last moment's commits, never consistency, and a failed seed is deleted anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        # Not in a transaction an error has broken (a seed run inside an outer atomic
        # block): the RESET would fail there and hide the error, and PostgreSQL takes a
        # SET back with the transaction it was made in.
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def seed_areas(*, offices, today, actor, seed: int, log=None) -> None:
    """Seed every area in order (after the roster), each with its own random stream,
    refreshing the planner statistics before each: later areas query what earlier ones
    loaded."""
    with relaxed_commits():
        for index, area in enumerate(AREAS, start=1):
            started = time.perf_counter()
            cpu = time.process_time()
            counts = area.seed(
                offices=offices, today=today, rng=random.Random(seed + index), actor=actor
            )
            analyze()
            if log is not None:
                log(
                    f"  {area.name}："
                    + "，".join(f"{name} {count}" for name, count in counts.items())
                )
                log(
                    f"    用时 {time.perf_counter() - started:.1f} 秒"
                    f"（本进程 CPU {time.process_time() - cpu:.1f} 秒）"
                )
    analyze(vacuum=True)


def reset_areas(*, offices) -> None:
    """Delete every area's rows of ``offices``, the last seeded first (the roster after)."""
    for area in reversed(AREAS):
        area.reset(offices=offices)
