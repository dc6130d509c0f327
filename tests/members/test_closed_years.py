"""A closed assessment year is final: automatic awards and revocations dated in it
(attendance recorded or corrected late, a research report filed late) change nobody's
points, and the log says what was skipped."""

import datetime
import logging

import pytest
import time_machine

from briefings import services as briefing_services
from members.models import PointEntry, PointRule
from members.points import PointsLedger, points_award, points_revoke_sources, points_total
from reports import duty
from reports import services as report_services
from tests.factories import MemberFactory, activity_held, shanghai

pytestmark = pytest.mark.django_db


def _close(office, year=2026):
    return report_services.duty_year_close(
        duty_year=report_services.duty_year_open(office=office, year=year), actor=None
    )


def _totals(office, year=2026):
    return {s.member.pk: s.total for s in duty.standings(office=office, years=[year])}


def test_a_late_activity_does_not_change_a_closed_years_totals(office, staff, member, caplog):
    activity_held(office=office, staff=staff, attended=[member])
    _close(office)
    before = _totals(office)
    assert before[member.pk] == 5

    with caplog.at_level(logging.WARNING, logger="members.points"):
        activity_held(
            office=office,
            staff=staff,
            attended=[member],
            starts_at=shanghai(2026, 6, 5, 9),
            title="“食品安全进校园”主题活动",
        )
    assert _totals(office) == before
    assert points_total(member=member, year=2026) == 5
    assert "2026年度履职考核已结束，未计入积分" in caplog.text


def test_correcting_attendance_after_closing_keeps_the_closed_years_points(office, staff, member):
    activity = activity_held(office=office, staff=staff, attended=[member])
    _close(office)
    before = _totals(office)
    with time_machine.travel(shanghai(2027, 1, 10, 9)):
        briefing_services.attendance_correct(
            invitation=activity.invitations.get(member=member),
            actor=staff,
            state="absent",
            reason="签到表核对有误",
        )
    assert _totals(office) == before
    assert PointEntry.objects.filter(member=member, kind=PointRule.Kind.ACTIVITY_ATTENDED).exists()


def test_an_open_year_still_takes_awards_and_a_reopened_year_too(office, member):
    day = datetime.date(2026, 5, 10)
    duty_year = _close(office)
    assert points_award(member=member, kind=PointRule.Kind.SPEECH, occurred_on=day) is None
    # The next year is open.
    assert points_award(
        member=member, kind=PointRule.Kind.SPEECH, occurred_on=datetime.date(2027, 3, 1)
    )
    report_services.duty_year_reopen(duty_year=duty_year, actor=None, reason="补录大会发言")
    assert points_award(member=member, kind=PointRule.Kind.SPEECH, occurred_on=day)


def test_another_offices_closed_year_does_not_stop_this_offices_awards(
    office, other_office, member
):
    _close(other_office)
    assert points_award(
        member=member, kind=PointRule.Kind.SPEECH, occurred_on=datetime.date(2026, 5, 10)
    )


def test_deleting_sources_keeps_the_entries_of_a_closed_year(office, staff, member):
    activity = activity_held(office=office, staff=staff, attended=[member])
    invitation = activity.invitations.get(member=member)
    _close(office)
    removed = points_revoke_sources(
        kind=PointRule.Kind.ACTIVITY_ATTENDED, model=type(invitation), source_ids=[invitation.pk]
    )
    assert removed == 0
    assert points_total(member=member, year=2026) == 5


def test_the_bulk_ledger_skips_closed_years(office, staff, member):
    activity = activity_held(office=office, staff=staff, absent=[member])
    other = MemberFactory(office=office, mobile="")
    _close(office)
    ledger = PointsLedger([office])
    assert (
        ledger.award(
            member_id=other.pk,
            kind=PointRule.Kind.ACTIVITY_ATTENDED,
            occurred_on=datetime.date(2026, 3, 20),
            source=activity,
        )
        is None
    )
    assert ledger.award(
        member_id=other.pk,
        kind=PointRule.Kind.ACTIVITY_ATTENDED,
        occurred_on=datetime.date(2027, 3, 20),
        source=activity,
    )
