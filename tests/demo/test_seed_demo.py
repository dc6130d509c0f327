"""seed_demo where each test needs its own database: seeding on other days, after staff
changed the point rules, into a database that is not empty, again with --reset, or
failing half-way. The demo as seeded, only read, is test_seeded.py's."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db.models import Sum

from briefings.models import Activity
from demo import areas
from liaison.models import Office, StatusChange
from members.models import Member, PointEntry, PointRule
from proposals.models import Proposal
from tests.factories import OfficeFactory
from visits.models import Concern, Visit

from .seeding import seed
from .timelines import timeline_faults

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_reset_rebuilds_the_same_demo_without_duplicates():
    seed()
    names = list(Member.objects.order_by("member_no").values_list("name", flat=True))

    seed("--reset")

    assert list(Member.objects.order_by("member_no").values_list("name", flat=True)) == names
    assert Office.objects.count() == 1
    # The old demo's history went with it: one "created" row per member remains.
    assert Member.history.count() == len(names)


def test_demo_is_not_written_into_a_database_holding_real_offices():
    OfficeFactory(code="real", name="真实联络处")

    output = seed()

    assert "未写入" in output
    assert not Member.objects.exists()
    assert Office.objects.count() == 1


def test_demo_points_keep_to_the_rules_staff_configured():
    # Staff may cap every kind and switch a rule off (DOMAIN.md: a configurable rules
    # table with a cap per year); the demo's ledger then keeps to them as points_award does.
    PointRule.objects.update(yearly_cap=12)
    PointRule.objects.filter(kind=PointRule.Kind.ABSENT_WITHOUT_LEAVE).update(is_active=False)

    seed()

    totals = PointEntry.objects.values("member", "kind", "year").annotate(total=Sum("points"))
    assert totals.filter(total=12).exists()  # some reached a cap
    assert not totals.filter(total__gt=12).exists()
    assert not PointEntry.objects.filter(kind=PointRule.Kind.ABSENT_WITHOUT_LEAVE).exists()


@pytest.mark.parametrize("day", [datetime.date(2026, 1, 8), datetime.date(2026, 7, 1)])
def test_a_demo_seeded_on_any_day_has_timelines_its_workflows_allow(day):
    # The start of the year and of its second half squeeze every record's history into
    # a few days (the module test_seeded reads one seeded in October).
    with time_machine.travel(datetime.datetime(2026, day.month, day.day, 9, tzinfo=SHANGHAI)):
        seed()

    assert timeline_faults(day)[0] == []


def test_a_failed_seed_leaves_no_half_demo(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the disk is full")

    last = areas.AREAS[-1]
    monkeypatch.setattr(
        areas, "AREAS", [*areas.AREAS[:-1], areas.Area(last.name, fail, last.reset)]
    )

    with pytest.raises(RuntimeError):
        seed()

    for model in (Office, Member, Proposal, Activity, Visit, Concern, StatusChange, PointEntry):
        assert not model.objects.exists(), model
    assert not get_user_model().objects.exists()
