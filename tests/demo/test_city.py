"""The city demo (seed_demo --scale city, issue 21) in miniature: its ten districts,
offices, staff accounts at each level and handling units shared at their level, as the
city scale lays them out, over 30 offices and 600 members instead of 150 and 60,000."""

import datetime
import random

import pytest
from django.contrib.auth import get_user_model

from demo import roster
from demo.visits import seed_visits
from liaison.models import City, District, HandlingUnit, Office
from liaison.scoping import visible_offices
from visits.models import Concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_city(monkeypatch):
    monkeypatch.setitem(roster.SCALES, "city", roster.Scale(offices=30, members=600, districts=10))
    return roster.demo_seed(scale="city", today=datetime.date(2026, 5, 6))


def test_a_city_of_ten_districts_with_staff_at_each_level(small_city):
    users = get_user_model().objects
    city = City.objects.get()
    assert District.objects.filter(city=city).count() == 10
    assert Office.objects.count() == 30
    assert Office.objects.values("district").distinct().count() == 3  # 13 + 15 + 2

    city_staff = users.get(username=small_city.sign_ins.city_username)
    assert city_staff.district is None
    assert set(visible_offices(city_staff)) == set(Office.objects.all())
    furong = users.get(username="district")
    assert furong.district.name == "芙蓉区"
    assert set(visible_offices(furong)) == set(Office.objects.filter(district=furong.district))
    names = dict(small_city.sign_ins.other_districts)
    assert len(names) == 9 and names["天心区"] == "district_tx"
    tianxin = users.get(username="district_tx")
    assert {o.code for o in visible_offices(tianxin)} == {f"tx{n:02d}" for n in range(1, 16)}
    # Each district's bodies are its own; the city's are shared by all.
    assert HandlingUnit.objects.filter(office=None, district=tianxin.district).count() == 8
    assert HandlingUnit.objects.filter(office=None, district=None).count() == 4


def test_concerns_go_only_to_their_own_districts_bodies_or_the_citys(small_city):
    offices = list(Office.objects.order_by("pk"))
    seed_visits(offices=offices, today=datetime.date(2026, 5, 6), rng=random.Random(1))

    beyond = Concern.objects.filter(unit__isnull=False, unit__office=None).select_related(
        "office", "unit"
    )
    assert beyond.exists()
    for concern in beyond:
        assert concern.unit.district_id in (None, concern.office.district_id)


def test_reset_removes_the_whole_city(small_city):
    roster.demo_reset()

    assert not Office.objects.exists()
    assert not HandlingUnit.objects.exists()
    assert not get_user_model().objects.filter(username__startswith="district").exists()
    assert not get_user_model().objects.filter(username="city").exists()
