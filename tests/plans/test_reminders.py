"""Staff are reminded when the year's plan has not gone to the committee by the
configured date: the day after, then weekly, once per occasion."""

import datetime

import pytest
from django.core import mail

from liaison.outbox import deliver_pending
from plans import services
from plans.models import PlanConfig
from plans.reminders import plan_reminders_queue
from tests.factories import plan_with_items

pytestmark = pytest.mark.django_db


def sweep(day):
    plan_reminders_queue(day)
    plan_reminders_queue(day)  # again: nothing new
    deliver_pending()


def subjects(staff):
    return [m.subject for m in mail.outbox if staff.email in m.to]


def test_reminded_after_31_january_then_weekly_until_submitted(office, staff):
    sweep(datetime.date(2027, 1, 31))
    assert subjects(staff) == []
    sweep(datetime.date(2027, 2, 1))
    assert subjects(staff) == ["【工作计划】2027年度工作计划尚未报送街道党工委"]
    sweep(datetime.date(2027, 2, 5))
    assert len(subjects(staff)) == 1
    sweep(datetime.date(2027, 2, 8))
    assert len(subjects(staff)) == 2
    plan = plan_with_items(office=office, staff=staff, year=2027)
    services.plan_submit(plan=plan, actor=staff, submitted_on=datetime.date(2027, 2, 9))
    sweep(datetime.date(2027, 2, 15))
    assert len(subjects(staff)) == 2


def test_the_date_is_configurable(office, staff):
    PlanConfig.objects.create(office=office, submit_by_month=3, submit_by_day=15)
    sweep(datetime.date(2027, 2, 1))
    assert subjects(staff) == []
    sweep(datetime.date(2027, 3, 16))
    assert len(subjects(staff)) == 1


def test_a_plan_sent_in_before_the_year_began_counts(office, staff):
    plan = plan_with_items(office=office, staff=staff, year=2027)
    services.plan_submit(plan=plan, actor=staff, submitted_on=datetime.date(2026, 12, 1))
    sweep(datetime.date(2027, 2, 1))
    assert subjects(staff) == []
