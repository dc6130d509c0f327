"""The annual plan's buttons come from plans.actions and agree with the services."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from liaison.actions import PRIMARY, STAFF, Actor
from plans import services
from plans.actions import PLAN_ACTIONS, plan_actions
from plans.admin_steps import PLAN_STEPS
from plans.models import WorkPlan
from tests.factories import plan_with_items

pytestmark = pytest.mark.django_db

S = WorkPlan.Status
ON = datetime.date(2026, 12, 1)


def _add_form(**overrides):
    """The plan add page's POST: the plan's fields and empty item and comment inlines."""
    management = {
        f"{prefix}-{name}": value
        for prefix in ("items", "comments")
        for name, value in (
            ("TOTAL_FORMS", 0),
            ("INITIAL_FORMS", 0),
            ("MIN_NUM_FORMS", 0),
            ("MAX_NUM_FORMS", 1000),
        )
    }
    return {"year": 2027, "title": "2027年度工作计划", "preamble": "", **management, **overrides}


def _names(plan, staff):
    return [a.name for a in plan_actions(plan, Actor.staff(staff))]


def test_each_version_offers_what_the_table_and_guards_allow(office, staff):
    empty = services.plan_create(actor=staff, office=office, year=2028)
    # A plan with no items can be neither sent nor adopted.
    assert _names(empty, staff) == []

    plan = plan_with_items(office=office, staff=staff)
    assert _names(plan, staff) == ["submit"]
    services.plan_submit(plan=plan, actor=staff, submitted_on=ON)
    plan.refresh_from_db()
    assert _names(plan, staff) == ["comment", "adopt", "revise"]
    revised = services.plan_revise(plan=plan, actor=staff)
    plan.refresh_from_db()
    assert plan.status == S.SUPERSEDED and _names(plan, staff) == []
    assert _names(revised, staff) == ["submit", "adopt"]
    services.plan_adopt(plan=revised, actor=staff, adopted_on=ON)
    revised.refresh_from_db()
    assert _names(revised, staff) == ["revise"]
    # An adopted plan being revised: no second revision while the first is open.
    services.plan_revise(plan=revised, actor=staff)
    revised.refresh_from_db()
    assert _names(revised, staff) == []
    for candidate in WorkPlan.objects.all():
        actions = plan_actions(candidate, Actor.staff(staff))
        assert sum(a.style == PRIMARY for a in actions) <= 1


def test_every_admin_step_is_a_staff_action():
    assert set(PLAN_STEPS) == PLAN_ACTIONS.names(STAFF)


def test_a_step_not_offered_is_refused_with_the_service_s_reason(staff_client, office, staff):
    plan = services.plan_create(actor=staff, office=office, year=2028)
    response = staff_client.post(
        reverse("admin:plans_workplan_step", args=[plan.pk, "submit"]),
        {"submitted_on": "2026-12-01", "submitted_to": "街道党工委"},
        follow=True,
    )
    assert "不能执行“报送党工委”" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == S.DRAFT


def test_admin_add_plan_calls_plan_create_and_refuses_a_second_plan(staff_client, office, staff):
    with mock.patch.object(services, "plan_create", wraps=services.plan_create) as create:
        response = staff_client.post(
            reverse("admin:plans_workplan_add"),
            _add_form(preamble="以习近平新时代中国特色社会主义思想为指导。"),
        )
    assert response.status_code == 302
    create.assert_called_once()
    plan = WorkPlan.objects.get()
    assert plan.created_by == staff and plan.version == 1  # what plan_create gives it
    assert plan.preamble.startswith("以习近平")
    again = staff_client.post(
        reverse("admin:plans_workplan_add"),
        _add_form(title="又一份"),
    )
    assert again.status_code == 200
    assert "2027年度工作计划已存在" in again.content.decode()
    assert WorkPlan.objects.count() == 1


def test_an_invalid_item_on_the_add_page_keeps_nothing(staff_client, office):
    response = staff_client.post(
        reverse("admin:plans_workplan_add"),
        _add_form(
            **{
                "items-TOTAL_FORMS": 1,
                "items-0-position": 1,
                "items-0-description": "缺少类别的事项",
            }
        ),
    )
    assert response.status_code == 200
    assert not WorkPlan.objects.exists()  # the plan the service created was rolled back
