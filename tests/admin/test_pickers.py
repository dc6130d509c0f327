"""Choosing many in the admin is ticking in a PickList (search, groups, the number
chosen, presets), never a Ctrl-click list: research groups by sector with a button for
all members and each role; joint offices of an activity."""

import re

import pytest

from members.models import Member
from proposals.models import ResearchReport
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_research_group_is_picked_by_sector_with_presets(staff_client, office, member):
    standing = MemberFactory(
        office=office, role=Member.Role.STANDING, name="常委甲", mobile="13900009999"
    )
    page = staff_client.get("/admin/proposals/researchreport/add/").text
    assert not re.search(r'<select[^>]*name="group_members"', page)
    assert 'class="picklist"' in page
    assert f"> {member.sector.name}</label>" in page
    assert re.search(rf'data-values="[^"]*\b{standing.pk}\b[^"]*">常委<', page)
    assert f'value="{member.pk}"' in page


def test_a_research_group_is_saved_from_the_ticks(staff_client, office, member, other_member):
    data = {
        "year": 2026,
        "topic": "老旧小区加装电梯调研",
        "lead_member": member.pk,
        "group_members": [other_member.pk],
        "summary": "走访三个小区。",
        "adoptions-TOTAL_FORMS": 0,
        "adoptions-INITIAL_FORMS": 0,
    }
    staff_client.post("/admin/proposals/researchreport/add/", data)
    report = ResearchReport.objects.get()
    assert list(report.group_members.all()) == [other_member]


def test_joint_offices_are_ticked_not_ctrl_clicked(staff_client):
    page = staff_client.get("/admin/briefings/activity/add/").text
    assert not re.search(r"<select[^>]*multiple", page)
