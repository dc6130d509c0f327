"""The demo generator: visits across the year with members still to visit this
half-year, life events with pending visits, and concerns in every state, overdue ones
among them — so every page has something real to show."""

import datetime
import random

import pytest
import time_machine
from django.urls import reverse

from demo.roster import demo_seed
from demo.visits import reset_visits, seed_visits
from liaison.models import Office, StatusChange
from visits.models import Concern, LifeEvent, Visit, VisitMember
from visits.selectors import coverage_by_office

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 9, 15)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _seed(seed=7):
    with time_machine.travel(datetime.datetime(2026, 9, 15, 9, tzinfo=SHANGHAI)):
        demo_seed(scale="small", today=TODAY)
        return seed_visits(offices=list(Office.objects.all()), today=TODAY, rng=random.Random(seed))


def test_demo_has_visits_life_events_and_concerns_in_every_state():
    counts = _seed()

    assert counts["visits"] == Visit.objects.filter(status=Visit.Status.DONE).count() > 30
    assert counts["pending_visits"] == 2
    assert set(Visit.objects.values_list("kind", flat=True)) >= {"routine", "festival"}
    assert not Visit.objects.filter(visited_on__gt=TODAY).exists()
    assert LifeEvent.objects.filter(
        visit__status=Visit.Status.PENDING, visit__due_date__lt=TODAY
    ).exists()
    assert set(Concern.objects.values_list("status", flat=True)) == set(Concern.Status.values)
    assert counts["overdue_concerns"] > 0
    assert Concern.objects.filter(Concern.overdue_q(TODAY)).count() == counts["overdue_concerns"]
    # Every concern has its timeline, ending in its current state.
    concern = Concern.objects.filter(status=Concern.Status.CLOSED).first()
    steps = list(
        StatusChange.objects.filter(content_type__model="concern", object_id=concern.pk)
        .order_by("created_at", "pk")
        .values_list("to_status", flat=True)
    )
    assert steps[0] == "new" and steps[-1] == "closed"
    # Concerns from visits were raised by someone visited.
    from_visits = Concern.objects.filter(visit__isnull=False)
    assert from_visits.exists()
    for c in from_visits[:20]:
        assert VisitMember.objects.filter(visit=c.visit, member=c.member).exists()
    # Some members still need a visit this half-year, some were visited.
    with time_machine.travel(datetime.datetime(2026, 9, 15, 9, tzinfo=SHANGHAI)):
        row = coverage_by_office(Office.objects.all(), TODAY)[0]
    assert 0 < row.not_visited_half < row.serving


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


def test_demo_pages_render(client):
    _seed()
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.filter(is_staff=True, office__isnull=False).first()
    client.force_login(staff)
    with time_machine.travel(datetime.datetime(2026, 9, 15, 9, tzinfo=SHANGHAI)):
        for name in (
            "admin:visits_visit_changelist",
            "admin:visits_concern_changelist",
            "admin:visits_visit_coverage",
            "admin:visits_concern_digest",
            "admin:visits_lifeevent_changelist",
            "admin:index",
        ):
            assert client.get(reverse(name)).status_code == 200, name
