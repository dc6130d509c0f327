"""The plan's admin offers reports' action on top of the plan's own (plans/actions.py):
a PDF of any version, whatever its state."""

import pytest
from django.contrib import admin
from django.urls import reverse

from liaison.actions import STAFF, Actor
from plans import services
from plans.models import WorkPlan
from reports import services as reports_services
from reports.actions import PLAN_ACTIONS, plan_actions
from reports.models import Document
from tests.factories import plan_with_items

pytestmark = pytest.mark.django_db


def _names(plan, staff):
    return [a.name for a in plan_actions(plan, Actor.staff(staff))]


def test_every_version_can_be_printed_whatever_its_state(office, staff):
    assert _names(services.plan_create(actor=staff, office=office, year=2028), staff) == ["pdf"]
    assert _names(plan_with_items(office=office, staff=staff), staff) == ["submit", "pdf"]


def test_every_step_of_the_plan_admin_is_a_staff_action():
    plan_admin = admin.site._registry[WorkPlan]
    assert plan_admin.action_table is PLAN_ACTIONS
    assert set(plan_admin.workflow_steps) == PLAN_ACTIONS.names(STAFF)


def test_the_pdf_step_queues_the_plan_as_a_document(staff_client, office, staff, monkeypatch):
    monkeypatch.setattr(reports_services, "_enqueue", lambda pk, generation: None)
    plan = plan_with_items(office=office, staff=staff)
    url = reverse("admin:plans_workplan_step", args=[plan.pk, "pdf"])
    assert staff_client.post(url, {"note": ""}).status_code == 302
    document = Document.objects.get()
    assert document.kind == Document.Kind.PLAN
    assert document.params == {"year": plan.year, "plan": plan.pk}
