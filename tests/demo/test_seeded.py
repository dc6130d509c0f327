"""The small demo as ``seed_demo`` writes it, seeded once for this module and only read
by its tests (see the ``demo`` fixture)."""

import datetime
import re
from dataclasses import dataclass
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase

from demo.history import TIMELINES
from members.models import PointEntry, PointRule

from .timelines import timeline_faults
from .transactions import service_calls

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# Early October: the first half-year's briefing held and the second one ahead, both
# half-year work reports due, next year's plan drafted.
NOW = datetime.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI)
TODAY = NOW.date()


@dataclass(frozen=True)
class Seeded:
    output: str  # what the command printed
    counts: dict[str, dict[str, int]]  # area → its printed counts
    service_calls: list[tuple[str, int]]  # see transactions.service_calls


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``seed_demo --scale small`` on TODAY, once for the whole module, inside a
    transaction rolled back after its last test: each test runs in a savepoint of it (so
    what a test writes is undone before the next), and no test of another module ever
    sees a demo row. The block is opened as Django's TestCase opens its class-wide one,
    so services that insist on being the outermost transaction still run in it."""
    with time_machine.travel(NOW), django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            out = StringIO()
            with service_calls() as calls:
                call_command("seed_demo", "--scale", "small", stdout=out)
            output = out.getvalue()
            counts = {
                area: {
                    name: int(count)
                    for name, count in (item.split(" ") for item in listed.split("，"))
                }
                for area, listed in re.findall(r"^  (\w+)：(.+)$", output, re.MULTILINE)
            }
            yield Seeded(output=output, counts=counts, service_calls=calls)
        finally:
            TestCase._rollback_atomics(atomics)


def test_every_timeline_moves_only_as_its_workflow_allows(demo):
    faults, models = timeline_faults(TODAY)

    assert faults == []
    assert models == set(TIMELINES)  # every workflow the demo fills has its timelines


def test_no_member_earns_more_points_of_a_kind_in_a_year_than_its_cap(demo):
    caps = dict(PointRule.objects.exclude(yearly_cap=None).values_list("kind", "yearly_cap"))
    totals = PointEntry.objects.values("member", "kind", "year").annotate(total=Sum("points"))
    assert totals.filter(kind__in=caps).exists()  # the demo earns capped kinds
    over = [row for row in totals.filter(kind__in=caps) if row["total"] > caps[row["kind"]]]
    assert over == []


def test_the_demo_opens_no_transaction_around_the_services_it_calls(demo):
    assert "plans.services.plan_adopt" in {name for name, _ in demo.service_calls}
    assert [call for call in demo.service_calls if call[1]] == []
