"""The demo generator: two political briefings a year per office and the other
activities, with invitations, replies, attendance, points and opinions."""

import datetime
import random

import pytest
import time_machine
from django.urls import reverse

from briefings.models import Activity, Invitation, Opinion
from briefings.selectors import HELD, PLANNED, half_year_status
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


def test_demo_has_two_briefings_a_year_and_the_other_activities():
    counts = _seed()

    office = Office.objects.get()
    briefings = Activity.objects.filter(kind__is_briefing=True)
    assert briefings.filter(starts_at__year=2025).count() == 2
    assert briefings.filter(starts_at__year=2026).count() == 2
    kinds = set(Activity.objects.values_list("kind__name", flat=True))
    assert {"政情通报会", "专题协商", "视察", "调研", "学习", "主题活动", "捐赠"} <= kinds
    assert counts["activities"] == Activity.objects.count()
    assert counts["invitations"] == Invitation.objects.count() > 100
    assert Opinion.objects.exists()
    # Held activities have attendance for everyone; future ones none.
    held = Activity.objects.filter(status=Activity.Status.HELD)
    assert held.exists()
    assert not Invitation.objects.filter(activity__in=held, attendance="").exists()
    assert (
        not Invitation.objects.filter(activity__starts_at__date__gt=TODAY)
        .exclude(attendance="")
        .exists()
    )
    assert PointEntry.objects.filter(kind="activity_attended").exists()
    assert PointEntry.objects.filter(kind="absent_without_leave").exists()
    # The first half-year's briefing took place; the second is ahead.
    with time_machine.travel(TODAY):
        halves = half_year_status([office], 2026)[0]["halves"]
    assert halves[0]["state"] == HELD
    assert halves[1]["state"] == PLANNED


def test_demo_is_deterministic_for_a_seed():
    first = _seed(3)
    titles = list(Activity.objects.order_by("starts_at").values_list("title", "starts_at"))
    assert first["activities"] == len(titles)
    Activity.objects.all().delete()
    PointEntry.objects.all().delete()
    again = seed_briefings(offices=list(Office.objects.all()), today=TODAY, rng=random.Random(3))
    assert list(Activity.objects.order_by("starts_at").values_list("title", "starts_at")) == titles
    assert again == first


def test_demo_pages_render(client):
    _seed()
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username__startswith="staff_")
    client.force_login(staff)
    with time_machine.travel(TODAY):
        assert client.get(reverse("admin:briefings_activity_changelist")).status_code == 200
        held = Activity.objects.filter(status=Activity.Status.HELD, kind__is_briefing=True).first()
        assert (
            client.get(reverse("admin:briefings_activity_change", args=[held.pk])).status_code
            == 200
        )
        minutes = client.get(reverse("admin:briefings_activity_minutes", args=[held.pk]))
    assert minutes.status_code == 200
    assert "意见建议" in minutes.text


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


def test_seed_demo_command_seeds_the_activities(capsys):
    from django.core.management import call_command

    call_command("seed_demo", scale="small")
    assert Activity.objects.filter(kind__is_briefing=True).count() == 4
