"""One way of writing dates in the admin (liaison.admin_dates): 2026-05-13 in lists,
read-only fields, timelines and history; overdue is a red mark beside the date."""

import datetime
import re

import pytest

from proposals import services
from proposals.models import Proposal
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.django_db

CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


@pytest.fixture
def overdue_proposal(office, staff, member):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(
        proposal=proposal, actor=staff, lead_unit=HandlingUnitFactory(office=office)
    )
    Proposal.objects.filter(pk=proposal.pk).update(due_date=datetime.date(2026, 5, 13))
    return proposal


def test_the_proposal_list_writes_dates_one_way_and_marks_overdue_beside_them(
    staff_client, overdue_proposal
):
    page = staff_client.get("/admin/proposals/proposal/?year=all").text
    assert "2026-05-13" in page
    assert not CHINESE_DATE.search(page)
    assert re.search(r'2026-05-13<span class="badge-overdue">逾期</span>', page)
    assert "（逾期）" not in page


def test_a_proposal_page_writes_its_dates_and_timeline_one_way(staff_client, overdue_proposal):
    page = staff_client.get(f"/admin/proposals/proposal/{overdue_proposal.pk}/change/").text
    assigned = overdue_proposal.assignments.get().assigned_on
    assert assigned.strftime("%Y-%m-%d") in page  # the read-only 交办日期 and the inline
    assert not CHINESE_DATE.search(page)


def test_the_history_writes_dates_one_way(staff_client, overdue_proposal):
    page = staff_client.get(f"/admin/proposals/proposal/{overdue_proposal.pk}/history/").text
    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>", page)
    assert not CHINESE_DATE.search(page)
