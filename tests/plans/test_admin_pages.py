"""The plans area's admin pages open for staff, scoped to their office."""

import pytest
from django.urls import reverse

from plans import services
from tests.factories import plan_with_items

pytestmark = pytest.mark.django_db


def test_admin_index_shows_the_plan_panel(staff_client, staff, office):
    plan_with_items(office=office, staff=staff, year=2026)
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "年度工作计划" in page and "草稿" in page


@pytest.mark.parametrize(
    "name",
    [
        "admin:plans_workplan_changelist",
        "admin:plans_workplan_add",
        "admin:plans_workreport_changelist",
        "admin:plans_workreport_add",
        "admin:reports_document_changelist",
        "admin:reports_document_add",
        "admin:plans_planconfig_changelist",
        "admin:plans_plancategory_changelist",
    ],
)
def test_pages_open(staff_client, name):
    assert staff_client.get(reverse(name)).status_code == 200


def test_another_offices_plan_is_a_404(client, other_staff, staff, office):
    plan = plan_with_items(office=office, staff=staff)
    client.force_login(other_staff)
    for name in ("admin:plans_workplan_change", "admin:plans_workplan_progress"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 404
    report = services.work_report_create(actor=staff, office=office, year=2026)
    assert client.get(reverse("admin:plans_workreport_change", args=[report.pk])).status_code == 404
