"""Political briefings twice a year: each office's status per half-year on the admin
index — held, planned or missing."""

import pytest
import time_machine
from django.urls import reverse

from briefings import services
from briefings.selectors import HELD, MISSING, PLANNED, half_year_status
from liaison.models import Office
from tests.factories import activity_published, activity_scheduled, shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.levels]


def _states(rows):
    return {row["office"].code: [h["state"] for h in row["halves"]] for row in rows}


def test_held_planned_and_missing_per_office_and_half(office, other_office, staff, member):
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        held = activity_published(office=office, actor=staff, members=[member])
        activity_scheduled(
            office=office, actor=staff, title="下半年通报会", starts_at=shanghai(2026, 9, 18, 9)
        )
        activity_scheduled(  # not a briefing: does not count
            office=other_office, actor=staff, kind="学习", starts_at=shanghai(2026, 4, 1, 9)
        )
    with time_machine.travel(shanghai(2026, 3, 21, 10)):
        services.attendance_close(activity=held, actor=staff)
        rows = half_year_status(Office.objects.order_by("code"), 2026)

    assert _states(rows) == {"dtb": [MISSING, MISSING], "jcy": [HELD, PLANNED]}


def test_a_published_briefing_whose_date_passed_counts_as_held(office, staff, member):
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        activity_published(office=office, actor=staff, members=[member])
    with time_machine.travel(shanghai(2026, 3, 10, 9)):
        assert _states(half_year_status([office], 2026))["jcy"][0] == PLANNED
    with time_machine.travel(shanghai(2026, 3, 21, 9)):
        assert _states(half_year_status([office], 2026))["jcy"][0] == HELD


def test_a_cancelled_briefing_leaves_the_half_year_missing(office, staff):
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        activity = activity_scheduled(office=office, actor=staff)
        services.activity_cancel(activity=activity, actor=staff, reason="改期")
        assert _states(half_year_status([office], 2026))["jcy"] == [MISSING, MISSING]


def test_a_joint_briefing_counts_for_every_organising_office(office, other_office, staff):
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        activity_scheduled(office=office, actor=staff, co_offices=[other_office])
        rows = half_year_status(Office.objects.order_by("code"), 2026)
    assert _states(rows) == {"dtb": [PLANNED, MISSING], "jcy": [PLANNED, MISSING]}


def test_missing_turns_overdue_after_the_configured_date(office):
    with time_machine.travel(shanghai(2026, 4, 29, 9)):
        assert not half_year_status([office], 2026)[0]["halves"][0]["overdue"]
    with time_machine.travel(shanghai(2026, 4, 30, 9)):
        assert half_year_status([office], 2026)[0]["halves"][0]["overdue"]


def test_admin_index_shows_both_half_years_for_the_staffs_office(
    staff_client, office, other_office, staff, member
):
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        activity_published(office=office, actor=staff, members=[member])
    with time_machine.travel(shanghai(2026, 5, 6, 9)):
        response = staff_client.get(reverse("admin:index"))

    text = response.text
    assert "2026 年政情通报会（每半年至少一次）" in text
    assert 'data-half="1" data-state="held"' in text
    assert 'data-half="2" data-state="missing"' in text
    assert "应于 2026-10-31 前安排" in text  # the admin writes dates one way
    assert other_office.name not in text


def test_district_staff_see_every_office(client, district_staff, office, other_office, level):
    client.force_login(district_staff)
    # The city's staff see a district's offices in the panel once they expand that
    # district on the workbench (issue 21): each of the two in turn.
    queries = [""]
    if level == "city":
        queries = [f"?district={o.district_id}" for o in (office, other_office)]
    with time_machine.travel(shanghai(2026, 5, 6, 9)):
        text = "".join(client.get(reverse("admin:index") + q).text for q in queries)
    assert office.name in text and other_office.name in text
    assert text.count('data-state="missing"') == 4
