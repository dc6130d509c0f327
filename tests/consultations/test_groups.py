"""Activity groups (活动组): kept in the members admin, picked whole in the members
PickList, and an audience for consultations."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Consultation
from liaison.workflow import WorkflowError
from members.models import ActivityGroup
from members.picking import member_presets
from tests.factories import MemberFactory, member_with_account

from .helpers import consultation_draft, values_for

pytestmark = [pytest.mark.django_db]


def _group(office, name, members, leader=None):
    group = ActivityGroup.objects.create(office=office, name=name, leader=leader)
    group.members.set(members)
    return group


def test_a_consultation_by_activity_group_asks_only_its_members(
    staff, office, member, other_member
):
    third = member_with_account(office=office, name="李卫东", mobile="13700000003")
    group = _group(office, "第一活动组", [member, third], leader=member)
    consultation = consultation_draft(
        staff=staff, office=office, audience=Consultation.Audience.GROUPS, groups=[group]
    )
    services.consultation_open(consultation=consultation, actor=staff)
    assert set(consultation.recipients.values_list("member__name", flat=True)) == {
        "唐朝阳",
        "李卫东",
    }
    with pytest.raises(WorkflowError, match="未向您征求"):
        services.answer_submit(
            consultation=consultation,
            member=other_member,
            actor=other_member.user,
            values=values_for(consultation),
        )


def test_a_group_of_another_office_is_refused(staff, office, other_office):
    group = _group(other_office, "东屯渡第一组", [MemberFactory(office=other_office)])
    with pytest.raises(WorkflowError, match="不属于本联络处"):
        consultation_draft(
            staff=staff, office=office, audience=Consultation.Audience.GROUPS, groups=[group]
        )
    assert not Consultation.objects.exists()


def test_staff_keep_a_group_in_the_admin_and_its_leader_must_be_a_member(
    staff_client, office, member, other_member
):
    add = reverse("admin:members_activitygroup_add")
    page = staff_client.get(add)
    assert page.status_code == 200
    refused = staff_client.post(
        add,
        {"name": "第一活动组", "leader": member.pk, "members": [other_member.pk], "position": 0},
    )
    assert refused.status_code == 200
    assert "组长须是本组组员" in refused.text
    assert not ActivityGroup.objects.exists()
    saved = staff_client.post(
        add,
        {
            "name": "第一活动组",
            "leader": member.pk,
            "members": [member.pk, other_member.pk],
            "position": 0,
        },
    )
    assert saved.status_code == 302
    group = ActivityGroup.objects.get()
    assert (group.office, group.leader) == (office, member)
    twice = staff_client.post(add, {"name": "第一活动组", "members": [member.pk], "position": 1})
    assert "已有名为“第一活动组”的活动组" in twice.text
    assert ActivityGroup.objects.count() == 1


def test_the_member_picker_offers_each_group_as_a_preset(office, member, other_member):
    _group(office, "第二活动组", [other_member])
    presets = dict(member_presets())
    assert "活动组：第二活动组" in presets
    picks = presets["活动组：第二活动组"]
    assert picks(other_member) and not picks(member)


def test_deleting_a_group_counts_its_members_and_keeps_them(staff_client, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    members = MemberFactory.create_batch(3, office=office)
    group = _group(office, "文化组", members)
    url = reverse("admin:members_activitygroup_delete", args=[group.pk])
    with CaptureQueriesContext(connection) as shown:
        page = staff_client.get(url)
    links = [q["sql"] for q in shown.captured_queries if "activitygroup_members" in q["sql"]]

    assert "组员关系: 3" in page.text.replace("：", ": ")
    assert links and all("COUNT(" in sql for sql in links)  # counted, no row fetched
    staff_client.post(url, {"post": "yes"})
    assert not ActivityGroup.objects.filter(pk=group.pk).exists()
    assert all(type(m).objects.filter(pk=m.pk).exists() for m in members)
