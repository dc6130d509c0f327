"""The annual work plan's progress measured from the data, live, and the plan and its
progress as PDFs."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from plans import services
from plans.models import PlanCategory
from proposals import services as proposal_services
from reports import documents
from tests.factories import (
    MemberFactory,
    activity_held,
    plan_with_items,
    proposal_draft,
    shanghai,
)
from tests.plans.test_plan import adopt

from .helpers import pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_2027(staff, office, member, other_member):
    plan = plan_with_items(office=office, staff=staff)
    adopt(plan, staff, on=datetime.date(2026, 12, 20))
    with time_machine.travel(datetime.date(2027, 3, 1)):
        for i in range(3):
            proposal = proposal_draft(member=member, title=f"2027年提案{i}")
            proposal_services.proposal_submit(proposal=proposal, actor=member.user)
            proposal_services.proposal_register(proposal=proposal, actor=staff)
    activity_held(
        office=office,
        staff=staff,
        attended=[member],
        starts_at=shanghai(2027, 4, 8, 14, 30),
        title="2027年上半年政情通报会",
    )
    from visits import services as visit_services

    with time_machine.travel(datetime.date(2027, 9, 30)):
        for day in (datetime.date(2027, 5, 1), datetime.date(2027, 9, 1)):
            visit_services.visit_record(
                actor=staff, office=office, kind="routine", visited_on=day, members=[member]
            )
        visit_services.visit_record(
            actor=staff,
            office=office,
            kind="routine",
            visited_on=datetime.date(2027, 6, 1),
            members=[other_member],
        )
    return plan


def test_progress_page_shows_live_figures_from_proposals_briefings_and_visits(
    client, staff, plan_2027, office
):
    MemberFactory(office=office, mobile="", status="term_ended")  # not counted
    with time_machine.travel(datetime.date(2027, 10, 8)):
        client.force_login(staff)
        page = client.get(reverse("admin:plans_workplan_progress", args=[plan_2027.pk]))
    text = squash(page.content.decode())
    reading = '<tdclass="target-behind"data-testid="reading">'
    assert f"{reading}1</td>" in text  # 1 of 2 briefings held
    assert f"{reading}3</td>" in text  # 3 of 10 proposals registered
    assert "1/2位在任委员已走访2次以上" in text  # 唐朝阳 twice, 黄德军 once
    assert "设有量化指标的事项4项，已完成0项" in text


def test_a_visit_recorded_after_a_view_shows_on_the_next(
    client, staff, plan_2027, office, other_member
):
    from visits import services as visit_services

    url = reverse("admin:plans_workplan_progress", args=[plan_2027.pk])
    with time_machine.travel(datetime.date(2027, 10, 8)):
        client.force_login(staff)
        assert "1/2位在任委员已走访2次以上" in squash(client.get(url).content.decode())
        visit_services.visit_record(
            actor=staff,
            office=office,
            kind="routine",
            visited_on=datetime.date(2027, 10, 8),
            members=[other_member],
        )
        assert "2/2位在任委员已走访2次以上" in squash(client.get(url).content.decode())
        MemberFactory(office=office, mobile="")  # a new serving member, not yet visited
        assert "2/3位在任委员已走访2次以上" in squash(client.get(url).content.decode())


def test_progress_page_query_count_does_not_grow_with_items(staff_client, staff, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = plan_with_items(office=office, staff=staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            staff_client.get(reverse("admin:plans_workplan_progress", args=[plan.pk]))
        return len(ctx.captured_queries)

    count()  # the first view counts the visit figures and keeps them (metrics._visit_figures)
    small = count()
    for i in range(20):
        services.plan_item_add(
            plan=plan,
            actor=staff,
            category=PlanCategory.objects.first(),
            description=f"事项{i}",
            metric="proposals",
            target=10,
        )
    assert count() == small


def test_plan_and_progress_pdfs(plan_2027, office):
    with time_machine.travel(datetime.date(2027, 10, 8)):
        pdf = documents.render("plan", office, {"year": 2027}, datetime.date(2026, 12, 20))
        progress = documents.render(
            "plan-progress", office, {"year": 2027}, datetime.date(2027, 10, 8)
        )
    text = squash(pdf_text(pdf.content))
    assert "2027年度工作计划" in text and "组织委员撰写提案" in text
    # 公文: signed by the office and dated the day the committee adopted it.
    assert "韭菜园街道政协联络处2026年12月20日" in text
    progress_text = squash(pdf_text(progress.content))
    assert "截至2027年10月8日" in progress_text
    assert "设有量化指标4项" in progress_text
    assert f"第 1 页 共 {progress.pages} 页" in pdf_text(progress.content)


def test_plan_pdf_for_a_year_without_a_plan_says_so(office):
    pdf = documents.render("plan", office, {"year": 2031}, datetime.date(2026, 11, 26))
    assert "2031年度工作计划尚未制定" in squash(pdf_text(pdf.content))
