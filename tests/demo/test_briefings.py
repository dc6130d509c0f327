"""The demo's activities, seeded on their own: the same for the same seed, and removed
before the roster. What the seeded demo holds is test_seeded.py's."""

import datetime
import random

import pytest
import time_machine

from briefings.models import Activity, Invitation
from demo.briefings import seed_briefings
from demo.roster import demo_seed
from liaison.models import Office
from members.models import PointEntry

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 1)


def _seed(seed=7):
    with time_machine.travel(TODAY):
        demo_seed(scale="small", today=TODAY)
        return seed_briefings(
            offices=list(Office.objects.all()), today=TODAY, rng=random.Random(seed)
        )


def test_demo_is_deterministic_for_a_seed():
    first = _seed(3)
    titles = list(Activity.objects.order_by("starts_at").values_list("title", "starts_at"))
    assert first["activities"] == len(titles)
    Activity.objects.all().delete()
    PointEntry.objects.all().delete()
    again = seed_briefings(offices=list(Office.objects.all()), today=TODAY, rng=random.Random(3))
    assert list(Activity.objects.order_by("starts_at").values_list("title", "starts_at")) == titles
    assert again == first


def test_demo_reset_removes_the_activities_before_the_roster():
    from demo.briefings import reset_briefings
    from demo.roster import demo_reset
    from liaison.models import StatusChange

    _seed()
    reset_briefings(offices=list(Office.objects.all()))
    assert not Activity.objects.exists()
    assert not Invitation.objects.exists()
    assert not StatusChange.objects.filter(content_type__app_label="briefings").exists()
    demo_reset()  # the roster can go now: nothing protects its members any more
