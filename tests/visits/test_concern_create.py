"""The shared entry point other areas (briefings) call to record an opinion collected."""

import pytest

from liaison.models import StatusChange
from liaison.workflow import WorkflowError
from tests.factories import MemberFactory
from visits.models import Concern
from visits.services import concern_create

pytestmark = pytest.mark.django_db


def test_opinion_from_a_briefing_is_recorded_as_a_new_concern_on_the_timeline(office, staff):
    concern = concern_create(
        actor=staff,
        office=office,
        member=None,
        title="建议增设社区养老服务点",
        content="老年人就近助餐需求大。",
        source=Concern.Source.BRIEFING,
        source_label="2026年上半年政情通报会",
    )
    assert concern.status == Concern.Status.NEW
    assert concern.source_label == "2026年上半年政情通报会"
    change = StatusChange.objects.get(object_id=concern.pk, to_status="new")
    assert change.actor == staff


def test_member_raises_a_concern_in_their_own_name_only(member, other_member, office):
    concern = concern_create(
        actor=member.user,
        office=office,
        member=member,
        title="小区路灯不亮",
        content="三号栋前路灯坏了一个月。",
        source=Concern.Source.PORTAL,
    )
    assert concern.member == member
    with pytest.raises(WorkflowError, match="本人"):
        concern_create(
            actor=member.user,
            office=office,
            member=other_member,
            title="冒名反映",
            content="……",
            source=Concern.Source.PORTAL,
        )
    assert Concern.objects.count() == 1


def test_member_of_another_office_is_refused(staff, office, other_office):
    outsider = MemberFactory(office=other_office)
    with pytest.raises(WorkflowError, match="不属于"):
        concern_create(
            actor=staff,
            office=office,
            member=outsider,
            title="标题",
            content="内容",
            source=Concern.Source.STAFF,
        )
    assert not Concern.objects.exists()
