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


def close_year(office, year=2026, actor=None):
    from reports import services

    return services.duty_year_close(
        duty_year=services.duty_year_open(office=office, year=year), actor=actor
    )


def test_grades_follow_the_offices_configurable_thresholds(office, member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 13)  # 65 points, no proposal
    close_year(office)
    assert duty.standing_for(member, [2026]).grade == duty.COMPETENT
    PlanConfig.objects.update_or_create(
        office=office, defaults={"grade_excellent": 100, "grade_competent": 70}
    )
    assert duty.standing_for(member, [2026]).grade == duty.INCOMPETENT


def test_missing_a_yearly_minimum_caps_the_grade_at_competent(office, member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 20)  # 100 points
    close_year(office)
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
    assert small <= 11  # the rules, members, points and one grouped count per record kind


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


def test_no_grade_is_given_before_the_year_is_closed(office, staff, member):
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 20)
    standing = duty.standing_for(member, [2026])
    assert (standing.total, standing.graded, standing.grade) == (100, False, "")
    close_year(office, actor=staff)
    assert duty.standing_for(member, [2026]).grade == duty.COMPETENT
    # Another year of the same office stays open.
    assert duty.standing_for(member, [2025]).grade == ""


def test_the_base_is_added_to_every_members_points_and_graded_with_them(office, member):
    PlanConfig.objects.create(office=office, base_points=50, grade_excellent=90, grade_competent=60)
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 3)
    standing = duty.standing_for(member, [2026])
    assert (standing.base, standing.points, standing.total) == (50, 15, 65)
    close_year(office)
    assert duty.standing_for(member, [2026]).grade == duty.COMPETENT
    # Over a two-year term the base counts twice.
    assert duty.standing_for(member, [2025, 2026]).base == 100


def test_an_office_may_rate_a_missed_minimum_incompetent(office, member):
    PlanConfig.objects.create(office=office, base_points=60, missed_minimum_fails=True)
    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 5)  # 85 points, no proposal
    close_year(office)
    standing = duty.standing_for(member, [2026])
    assert standing.grade == duty.INCOMPETENT
    assert standing.missed_labels == "提案（件）、社情民意信息（篇）、参加活动（次）"


def test_staff_reopen_a_closed_year_only_with_a_reason(office, staff, member):
    from liaison.workflow import WorkflowError, history_for
    from reports import services

    duty_year = close_year(office, actor=staff)
    with pytest.raises(WorkflowError, match="原因"):
        services.duty_year_reopen(duty_year=duty_year, actor=staff, reason="  ")
    assert duty.standing_for(member, [2026]).graded
    services.duty_year_reopen(duty_year=duty_year, actor=staff, reason="补录一次调研")
    assert duty.standing_for(member, [2026]).grade == ""
    assert [c.note for c in history_for(duty_year)][-1] == "补录一次调研"


def test_a_year_not_yet_begun_cannot_be_closed(office, staff):
    from liaison.workflow import WorkflowError
    from reports import services

    duty_year = services.duty_year_open(office=office, year=2099)
    with pytest.raises(WorkflowError, match="尚未开始"):
        services.duty_year_close(duty_year=duty_year, actor=staff)


def test_staff_close_the_year_in_the_admin(staff_client, office, staff, member):
    from members.models import DutyYear

    duty_year = DutyYear.objects.create(office=office, year=2026)
    page = staff_client.get(reverse("admin:members_dutyyear_change", args=[duty_year.pk]))
    assert "结束考核（评定等次）" in page.content.decode()
    step = reverse("admin:members_dutyyear_step", args=[duty_year.pk, "close"])
    assert staff_client.post(step, {"note": ""}).status_code == 302
    duty_year.refresh_from_db()
    assert duty_year.is_closed and duty_year.closed_by == staff
    reopen = reverse("admin:members_dutyyear_step", args=[duty_year.pk, "reopen"])
    staff_client.post(reopen, {"reason": ""})
    duty_year.refresh_from_db()
    assert duty_year.is_closed  # no reason, nothing changed


def test_staff_of_another_office_cannot_close_this_offices_year(client, other_staff, office):
    from members.models import DutyYear

    duty_year = DutyYear.objects.create(office=office, year=2026)
    client.force_login(other_staff)
    step = reverse("admin:members_dutyyear_step", args=[duty_year.pk, "close"])
    assert client.post(step, {"note": ""}).status_code in (403, 404)
    duty_year.refresh_from_db()
    assert not duty_year.is_closed


def test_portal_shows_progress_in_november_and_the_grade_once_closed(member_client, member, office):
    import time_machine

    award(member, PointRule.Kind.ACTIVITY_ATTENDED, 13)
    url = reverse("portal:duty_record") + "?year=2026"
    with time_machine.travel(datetime.date(2026, 11, 26)):
        page = member_client.get(url).content.decode()
        assert 'data-testid="duty-grade"' not in page
        assert "称职" not in page
        assert "还有 3 项年度最低要求未达到" in page and "考核结束后评定" in page
        close_year(office)
        page = member_client.get(url).content.decode()
    assert 'data-testid="duty-grade">称职<' in page
    assert "未达到的年度最低要求：提案（件）、社情民意信息（篇）、参加活动（次）" in page
