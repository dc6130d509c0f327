import datetime

import pytest

from members.models import PointEntry, PointRule
from members.points import points_award, points_revoke, points_total
from tests.factories import ContributionFactory, MemberFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 10)


def test_registered_proposal_earns_the_rule_points_once_per_source():
    member = MemberFactory()
    source = ContributionFactory(member=member)  # any record can be the source
    assert points_award(member=member, kind="proposal_lead", occurred_on=DAY, source=source)
    assert points_award(member=member, kind="proposal_lead", occurred_on=DAY, source=source) is None
    assert points_total(member=member, year=2026) == 15


def test_staff_changed_rule_applies_to_new_awards():
    PointRule.objects.filter(kind="activity_attended").update(points=8)
    member = MemberFactory()
    points_award(member=member, kind="activity_attended", occurred_on=DAY)
    assert points_total(member=member, year=2026) == 8


def test_yearly_cap_limits_points_and_next_year_starts_fresh():
    member = MemberFactory()
    for i in range(6):  # speech: 5 points each, capped at 20 a year
        points_award(member=member, kind="speech", occurred_on=DAY + datetime.timedelta(days=i))
    assert points_total(member=member, year=2026) == 20
    points_award(member=member, kind="speech", occurred_on=datetime.date(2027, 1, 5))
    assert points_total(member=member, year=2027) == 5


def test_unexcused_absence_deducts_and_revoking_restores():
    member = MemberFactory()
    source = ContributionFactory(member=member)
    points_award(member=member, kind="absent_without_leave", occurred_on=DAY, source=source)
    assert points_total(member=member, year=2026) == -2
    assert points_revoke(member=member, kind="absent_without_leave", source=source) == 1
    assert not PointEntry.objects.filter(member=member).exists()


def test_inactive_rule_awards_nothing():
    PointRule.objects.filter(kind="research").update(is_active=False)
    member = MemberFactory()
    assert points_award(member=member, kind="research", occurred_on=DAY) is None
