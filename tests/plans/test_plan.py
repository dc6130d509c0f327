"""The annual work plan: drafted with targets, sent to the street party working
committee, commented on, revised, adopted — versions kept, one adopted plan per year.
(Its progress and PDFs: tests/reports/test_plan_progress.py.)"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from liaison.workflow import WorkflowError
from plans import services
from plans.models import PlanCategory, PlanComment, WorkPlan
from tests.factories import (
    plan_with_items,
)

pytestmark = pytest.mark.django_db

S = WorkPlan.Status


def adopt(plan, staff, on=datetime.date(2026, 12, 1)):
    services.plan_submit(plan=plan, actor=staff, submitted_on=on - datetime.timedelta(days=10))
    return services.plan_adopt(plan=plan, actor=staff, adopted_on=on)


def step(client, plan, name, data):
    url = reverse("admin:plans_workplan_step", args=[plan.pk, name])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def test_staff_draft_submit_comment_revise_and_adopt_the_2027_plan(staff_client, office):
    category = PlanCategory.objects.get(name="提案与社情民意")
    briefing = PlanCategory.objects.get(name="政情通报")
    add = staff_client.post(
        reverse("admin:plans_workplan_add"),
        {
            "year": 2027,
            "title": "2027年度工作计划",
            "preamble": "以习近平新时代中国特色社会主义思想为指导。",
            "items-TOTAL_FORMS": 2,
            "items-INITIAL_FORMS": 0,
            "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000,
            "items-0-position": 1,
            "items-0-category": category.pk,
            "items-0-description": "组织委员撰写提案",
            "items-0-owner": "联络处主任",
            "items-0-months": "3,9",
            "items-0-metric": "proposals",
            "items-0-target": 10,
            "items-1-position": 2,
            "items-1-category": briefing.pk,
            "items-1-description": "召开政情通报会",
            "items-1-owner": "联络处",
            "items-1-months": "4,10",
            "items-1-metric": "briefings",
            "items-1-target": 2,
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
            "comments-MIN_NUM_FORMS": 0,
            "comments-MAX_NUM_FORMS": 1000,
        },
    )
    assert add.status_code == 302, add.content.decode()[:3000]
    draft = WorkPlan.objects.get(year=2027)
    assert (draft.version, draft.status, draft.items.count()) == (1, S.DRAFT, 2)

    step(
        staff_client, draft, "submit", {"submitted_on": "2026-11-20", "submitted_to": "街道党工委"}
    )
    for who, text in [
        ("街道党工委书记 王建国", "建议增加服务民营企业的内容。"),
        ("街道办事处主任 李卫东", "走访委员的安排请细化到季度。"),
    ]:
        step(
            staff_client,
            draft,
            "comment",
            {"received_on": "2026-11-25", "commenter": who, "content": text},
        )
    assert PlanComment.objects.filter(plan=draft).count() == 2

    step(staff_client, draft, "revise", {"note": "按党工委意见修改"})
    draft.refresh_from_db()
    revised = WorkPlan.objects.get(year=2027, version=2)
    assert draft.status == S.SUPERSEDED and revised.status == S.REVISED
    assert revised.items.count() == 2 and revised.previous == draft

    step(staff_client, revised, "adopt", {"adopted_on": "2026-12-10"})
    revised.refresh_from_db()
    assert revised.status == S.ADOPTED and revised.adopted_on == datetime.date(2026, 12, 10)
    page = staff_client.get(reverse("admin:plans_workplan_change", args=[revised.pk]))
    text = page.content.decode()
    assert "第1稿" in text and "建议增加服务民营企业的内容" in text  # versions and comments kept


def test_a_second_plan_for_the_same_year_is_refused(staff, office):
    plan_with_items(office=office, staff=staff)
    with pytest.raises(WorkflowError):
        services.plan_create(actor=staff, office=office, year=2027)


def test_the_database_allows_one_adopted_plan_per_office_and_year(staff, office):
    plan = plan_with_items(office=office, staff=staff)
    adopt(plan, staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkPlan.objects.create(office=office, year=2027, version=9, title="x", status=S.ADOPTED)


def test_amending_an_adopted_plan_keeps_it_in_force_until_the_new_version_is_adopted(staff, office):
    plan = plan_with_items(office=office, staff=staff)
    adopt(plan, staff)
    amended = services.plan_revise(plan=plan, actor=staff)
    plan.refresh_from_db()
    assert plan.status == S.ADOPTED and services.current_plan(office, 2027) == plan
    services.plan_adopt(plan=amended, actor=staff, adopted_on=datetime.date(2027, 6, 1))
    plan.refresh_from_db()
    assert plan.status == S.SUPERSEDED
    assert services.current_plan(office, 2027) == amended


def test_comments_are_recorded_only_on_a_submitted_plan(staff, office):
    plan = plan_with_items(office=office, staff=staff)
    with pytest.raises(WorkflowError):
        services.plan_comment_record(
            plan=plan,
            actor=staff,
            received_on=datetime.date(2026, 12, 1),
            commenter="书记",
            content="意见",
        )


def test_an_item_with_a_metric_needs_a_target(staff_client, staff, office):
    plan = plan_with_items(office=office, staff=staff, items=[])
    with pytest.raises(ValidationError):
        services.plan_item_add(
            plan=plan,
            actor=staff,
            category=PlanCategory.objects.first(),
            description="报送社情民意",
            metric="opinion_reports",
        )
    with pytest.raises(WorkflowError):
        services.plan_submit(plan=plan, actor=staff, submitted_on=datetime.date(2026, 12, 1))
