"""The points ledger rolled up per member and year, with configurable minimums and
grades, and the member's own duty record in the portal."""

import datetime

import pytest
from django.urls import reverse

from members.models import PointRule
from members.points import points_award
from plans.models import PlanConfig
from reports import duty
from tests.factories import MemberFactory, activity_held, shanghai

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 10)


def award(member, kind, times=1, day=DAY):
    for _ in range(times):
        points_award(member=member, kind=kind, occurred_on=day)


def test_standings_sum_the_ledger_per_year_and_rank_ties_together(office, member, other_member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 3)
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 5, day=datetime.date(2025, 5, 1))
    award(other_member, PointRule.Kind.ACTIVITY_ATTENDED, 3)
    third = MemberFactory(office=office, name="王芳", mobile="")
    rows = duty.standings(office=office, years=[2026])
    assert [(r.member.name, r.total, r.rank) for r in rows] == [
        ("唐朝阳", 15, 1),
        ("黄德军", 15, 1),
        ("王芳", 0, 3),
    ]
    assert third.pk == rows[2].member.pk


def test_activities_for_the_minimum_are_counted_from_attendance(office, staff, member):
    activity_held(office=office, staff=staff, attended=[member])
    activity_held(
        office=office, staff=staff, absent=[member], starts_at=shanghai(2026, 6, 1, 9), title="调研"
    )
    standing = duty.standing_for(member, [2026])
    assert standing.activities == 1
    assert standing.total == 5 - 2  # attended 5, absent without leave −2


def test_grades_follow_the_offices_configurable_thresholds(office, member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 13)  # 65 points, no proposal
    assert duty.standing_for(member, [2026]).grade == duty.COMPETENT
    PlanConfig.objects.update_or_create(
        office=office, defaults={"grade_excellent": 100, "grade_competent": 70}
    )
    assert duty.standing_for(member, [2026]).grade == duty.INCOMPETENT


def test_missing_a_yearly_minimum_caps_the_grade_at_competent(office, member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 20)  # 100 points
    standing = duty.standing_for(member, [2026])
    assert standing.total == 100
    assert [m.label for m in standing.missed] == [
        "提案（件）",
        "社情民意信息（篇）",
        "参加活动（次）",
    ]
    assert standing.grade == duty.COMPETENT
    PlanConfig.objects.update_or_create(
        office=office, defaults={"min_proposals": 0, "min_opinion_reports": 0, "min_activities": 0}
    )
    assert duty.standing_for(member, [2026]).grade == duty.EXCELLENT


def test_standings_cost_the_same_queries_for_few_and_many_members(office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = duty.standings(office=office, years=[2026])
        return len(ctx.captured_queries), len(rows)

    PlanConfig.for_office(office)
    for _ in range(3):
        award(MemberFactory(office=office, mobile=""), PointRule.Kind.SPEECH)
    small, _ = count()
    for _ in range(40):
        award(MemberFactory(office=office, mobile=""), PointRule.Kind.SPEECH)
    assert count() == (small, 43)
    assert small <= 7


def test_member_sees_their_own_duty_record_in_the_portal(member_client, member, other_member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 2)
    award(other_member, PointRule.Kind.ACTIVITY_ATTENDED, 9)
    with_year = reverse("portal:duty_record") + "?year=2026"
    import time_machine

    with time_machine.travel(datetime.date(2026, 11, 26)):
        page = member_client.get(with_year).content.decode()
    assert 'data-testid="duty-total">10 ' in page
    assert "参加活动 × 2" in page
    assert "45" not in page.split('data-testid="duty-total"')[1][:20]  # not the other member's


def test_duty_record_page_is_for_members(client, staff):
    client.force_login(staff)
    assert client.get(reverse("portal:duty_record")).status_code == 403
