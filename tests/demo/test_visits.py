"""The demo's visits, life events and concerns, seeded on their own: the same for the
same seed, and removed by their reset. What the seeded demo holds is test_seeded.py's."""

import datetime
import random

import pytest
import time_machine

from demo.roster import demo_seed
from demo.visits import reset_visits, seed_visits
from liaison.models import Office
from visits.models import Concern, Visit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 15)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _seed(seed=7):
    with time_machine.travel(datetime.datetime(2026, 9, 15, 9, tzinfo=SHANGHAI)):
        demo_seed(scale="small", today=TODAY)
        return seed_visits(offices=list(Office.objects.all()), today=TODAY, rng=random.Random(seed))


def test_demo_is_deterministic_and_can_be_reset():
    first = _seed(3)
    titles = list(Concern.objects.order_by("pk").values_list("title", "status", "created_at"))
    reset_visits(offices=Office.objects.all())
    assert not Visit.objects.exists() and not Concern.objects.exists()
    again = seed_visits(offices=list(Office.objects.all()), today=TODAY, rng=random.Random(3))
    assert again == first
    assert (
        list(Concern.objects.order_by("pk").values_list("title", "status", "created_at")) == titles
    )
