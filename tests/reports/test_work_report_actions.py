"""The work report's buttons come from reports.actions: 报送 while a draft, PDF always."""

import pytest

from liaison.actions import STAFF, Actor
from plans import services as plan_services
from reports import services
from reports.actions import WORK_REPORT_ACTIONS, work_report_actions
from reports.admin_steps import REPORT_STEPS

pytestmark = pytest.mark.django_db


def test_a_draft_can_be_issued_and_printed_an_issued_one_only_printed(office, staff):
    report = plan_services.work_report_create(actor=staff, office=office, year=2026, half=1)
    names = [a.name for a in work_report_actions(report, Actor.staff(staff))]
    assert names == ["issue", "pdf"]
    services.work_report_issue(report=report, actor=staff)
    report.refresh_from_db()
    assert [a.name for a in work_report_actions(report, Actor.staff(staff))] == ["pdf"]
    assert "不能变更为" in WORK_REPORT_ACTIONS.refusal(report, Actor.staff(staff), "issue")


def test_every_work_report_step_is_a_staff_action():
    assert set(REPORT_STEPS) == WORK_REPORT_ACTIONS.names(STAFF)
